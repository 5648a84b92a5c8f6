"""Invitations: the set-password link an invited user (or the first admin of an empty start)
follows to choose a password, and the e-mail that carries it.

The link is a token of ``InviteTokenGenerator``: Django's password-reset tokens under a key salt
of their own (a password-reset token is no invitation, nor the reverse), valid ``INVITE_DAYS``
days. A token is bound to the user's password hash, last login and active flag, so it stops
working once the password is set (used), once a newer invitation replaced the unusable password
(resent), and while the user is deactivated.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.company import company_name
from core.people import display_name

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600


class InviteTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "tandem.setup.invites.InviteTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{int(user.is_active)}"

    def check_token(self, user, token) -> bool:
        """Django's check, with the invitation's lifetime (``INVITE_DAYS``) instead of
        ``PASSWORD_RESET_TIMEOUT``."""
        if user is None or not isinstance(token, str) or not token:
            return False
        try:
            stamp, _signature = token.split("-")
            timestamp = base36_to_int(stamp)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in secrets
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return 0 <= age <= settings.INVITE_DAYS * DAY_SECONDS


invite_tokens = InviteTokenGenerator()


def invite_path(user) -> str:
    """The set-password page's path for ``user``, with a new token."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("set_password", kwargs={"uidb64": uidb64, "token": invite_tokens.make_token(user)})


def invite_link(user) -> str:
    """The full set-password link (``SITE_URL`` + path), as e-mails and ``start_empty`` give it."""
    return settings.SITE_URL.rstrip("/") + invite_path(user)


def is_invited(user) -> bool:
    """Active, never logged in, no password of their own yet (the list's "invited" state)."""
    return user.is_active and user.last_login is None and not user.has_usable_password()


def invite_email_send(*, user_id: int, language: str, inviter_id: int | None = None) -> str:
    """Send the invitation e-mail to the user (call it outside a transaction: the task's body).
    The link is made now, so it is valid ``INVITE_DAYS`` from the sending. Returns ``sent``, or
    ``skipped`` when the user is gone, has no e-mail address or is no longer invited (set a
    password, deactivated) meanwhile."""
    User = get_user_model()
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email or not is_invited(user):
        return "skipped"
    inviter = User.objects.filter(pk=inviter_id).first() if inviter_id else None
    with translation.override(language or settings.LANGUAGE_CODE):
        company = company_name()
        subject = _("Choose your password for %(company)s") % {"company": company}
        body = _(
            "Hello %(name)s,\n\n%(inviter)s has given you an account in %(company)s, user name "
            "%(username)s. Choose your password here:\n%(url)s\n\nThe link is valid for %(days)s "
            "days and can be used once."
        ) % {
            "name": display_name(user),
            "inviter": display_name(inviter) if inviter else _("An administrator"),
            "company": company,
            "username": user.get_username(),
            "url": invite_link(user),
            "days": settings.INVITE_DAYS,
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return "sent"


def invite_email_queue(*, user_id: int, language: str, inviter_id: int | None) -> None:
    """Queue the invitation e-mail (call it on commit). A broker that cannot be reached fails
    no request: the admin sends the invitation again."""
    from integration.setup.tasks import invite_email

    try:
        invite_email.delay(user_id, language, inviter_id)
    except Exception:  # noqa: BLE001 - the broker is down; "resend invitation" is the way out
        logger.warning("Could not queue the invitation e-mail of user %s", user_id, exc_info=True)
