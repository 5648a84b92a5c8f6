"""Writing the audit log. ``audit()`` joins the caller's transaction, so a change and its audit
row commit or roll back together."""

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.net import client_ip


def audit(action: str, *, actor=None, obj=None, data: dict | None = None, request=None):
    from core.models import AuditLog

    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    return AuditLog.objects.create(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        data=data or {},
        ip=client_ip(request),
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit("auth.login", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit("auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit(
        "auth.login_failed",
        request=request,
        data={"username": str(credentials.get("username", ""))[:150]},
    )
