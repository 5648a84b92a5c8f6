"""The set-password page, under /accounts/set-password/ (config.urls), outside the ``setup``
namespace: an invited user follows it before they can sign in."""

from django.urls import path

from integration.setup.password_views import SetPasswordView

urlpatterns = [path("<uidb64>/<token>/", SetPasswordView.as_view(), name="set_password")]
