"""The set-password page an invitation links to (``/accounts/set-password/<uidb64>/<token>/``):
Django's password-reset confirmation with the invitation's tokens (``invites.invite_tokens``),
our template, the password validators of ``AUTH_PASSWORD_VALIDATORS``, and the user logged in
once the password is set. An expired or used link, or one of a deactivated user, shows a page
that says so."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit
from core.forms import style_fields
from core.people import display_name
from integration.setup.invites import invite_tokens


class SetPasswordView(PasswordResetConfirmView):
    template_name = "setup/set_password.html"
    token_generator = invite_tokens
    post_reset_login = True
    # Several backends are configured (the lockout's and the model's): name the one to log in with.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")
    title = gettext_lazy("Choose your password")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_fields(form)
        return form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invite_days": settings.INVITE_DAYS}

    def form_valid(self, form):
        response = super().form_valid(form)
        audit("setup.password_set", actor=form.user, obj=form.user, request=self.request)
        messages.success(
            self.request, _("Welcome, %(name)s: your password is set.") % {"name": display_name(form.user)}
        )
        return response
