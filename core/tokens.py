"""API tokens: issued one per login and device, expiring, revocable (django-rest-knox's hashed
tokens, ``core.models.ApiToken``).

- ``token_create``: a new token for a user who just proved who they are (the login endpoint).
- ``token_revoke`` / ``tokens_revoke_for_user``: the user (their tokens page, the API, logging
  out) or an admin ends one token or all of a user's.
- A user's tokens are revoked when their password changes or they are deactivated (the signal
  handlers below), whatever changed it: the password page, the admin, ``manage.py``.
- ``tokens_visible_to``: a user sees their own tokens; an admin sees everyone's.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from core.audit import audit
from core.models import ApiToken
from core.roles import ADMIN, WAREHOUSE, user_roles

# A tablet token's expiry is moved on at most this often (a write a minute, not per call).
IDLE_RENEW_SECONDS = 60


def _idle_seconds_for(user) -> int | None:
    """The idle timeout of the user's tokens: warehouse-only users work on shared tablets."""
    roles = user_roles(user)
    if roles == {WAREHOUSE}:
        return settings.SESSION_IDLE_TIMEOUT_WAREHOUSE
    return None


def lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


def token_create(*, user, name: str = "", request=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token's text (shown once, never
    stored)."""
    idle = _idle_seconds_for(user)
    expiry = lifetime() if idle is None else min(lifetime(), timedelta(seconds=idle))
    with transaction.atomic():
        token, text = ApiToken.objects.create(
            user=user, expiry=expiry, name=(name or "").strip()[:100], idle_seconds=idle
        )
        tokens_delete_expired(user=user)
        audit("auth.token_created", actor=user, obj=token, data={"name": token.name}, request=request)
    return token, text


def token_revoke(*, token: ApiToken, by=None, request=None) -> None:
    with transaction.atomic():
        deleted, _ = ApiToken.objects.filter(pk=token.pk).delete()
        if deleted:
            audit(
                "auth.token_revoked",
                actor=by,
                obj=token,
                data={"user": token.user_id, "name": token.name},
                request=request,
            )


def tokens_revoke_for_user(*, user, by=None, reason: str = "", request=None) -> int:
    """Revoke every token of ``user``; returns how many there were."""
    with transaction.atomic():
        deleted, _ = ApiToken.objects.filter(user=user).delete()
        if deleted:
            audit(
                "auth.tokens_revoked",
                actor=by,
                obj=user,
                data={"count": deleted, "reason": reason},
                request=request,
            )
    return deleted


def tokens_delete_expired(*, user=None) -> int:
    qs = ApiToken.objects.filter(expiry__lt=timezone.now())
    if user is not None:
        qs = qs.filter(user=user)
    deleted, _ = qs.delete()
    return deleted


def tokens_visible_to(user):
    """The tokens ``user`` may list and revoke: their own; an admin's, everyone's."""
    qs = ApiToken.objects.filter(expiry__gte=timezone.now()).select_related("user")
    if ADMIN in user_roles(user):
        return qs
    return qs.filter(user=user)


def token_touch(token: ApiToken, now=None) -> None:
    """A tablet token was used: move its expiry on (at most once a minute, within its
    lifetime)."""
    if not token.idle_seconds or token.expiry is None:
        return
    now = now or timezone.now()
    wanted = min(now + timedelta(seconds=token.idle_seconds), token.created + lifetime())
    if (wanted - token.expiry).total_seconds() >= IDLE_RENEW_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(expiry=wanted)
        token.expiry = wanted


# --- revocation when a password changes or a user is deactivated -----------------------------

_WATCHED = {"password", "is_active"}


@receiver(pre_save, sender=get_user_model())
def _remember_credentials(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _WATCHED.intersection(update_fields):
        return  # last_login and the like: nothing to compare
    if set(update_fields or ()) == {"password"} and getattr(instance, "_password", None) is None:
        return  # the same password re-hashed at login (a hasher upgrade), not a new one
    previous = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    instance._tandem_previous_credentials = previous


@receiver(post_save, sender=get_user_model())
def _revoke_on_credential_change(sender, instance, created, raw=False, **kwargs):
    previous = instance.__dict__.pop("_tandem_previous_credentials", None)
    if raw or created or previous is None:
        return
    if previous["password"] != instance.password:
        tokens_revoke_for_user(user=instance, reason="password changed")
    elif previous["is_active"] and not instance.is_active:
        tokens_revoke_for_user(user=instance, reason="deactivated")
