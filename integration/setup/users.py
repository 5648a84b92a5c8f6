"""Users and roles in the application: invite by e-mail (no password typed by the admin), change
roles, deactivate (the user's book reassigned in the same transaction), reactivate.

Roles are the Django groups named in ``core.roles``; a user may hold several. Each service is one
transaction, audited, and raises a ``ValidationError`` naming the field for bad input. The rows
of the user and of every active admin are locked (in primary-key order, one statement) before
a change that could leave the company without an admin, so that two admins taking each other's
role at the same moment cannot both succeed.
"""

import re
from collections.abc import Iterable
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.audit import audit
from core.people import NAME_ORDER, display_name
from core.roles import ADMIN, ALL_ROLES
from core.tokens import tokens_revoke_for_user
from crm.customers import services as customer_services
from crm.sales import reassignment
from integration.setup.invites import invite_email_queue, is_invited

User = get_user_model()

ACTIVE, INVITED, INACTIVE = "active", "invited", "inactive"
STATES = (ACTIVE, INVITED, INACTIVE)

# The state filters, in the database: "invited" = active, never logged in, no password yet.
_INVITED = Q(is_active=True, last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
STATE_FILTERS = {
    ACTIVE: Q(is_active=True) & ~_INVITED,
    INVITED: _INVITED,
    INACTIVE: Q(is_active=False),
}
_ADMIN = Q(is_superuser=True) | Q(groups__name=ADMIN)

# What a user may own that moves with them when they leave (``records_owned_count``'s keys).
OWNED_LABELS = {
    "customers": gettext_lazy("Customers"),
    "leads": gettext_lazy("Leads"),
    "opportunities": gettext_lazy("Open opportunities"),
    "tasks": gettext_lazy("Open tasks"),
    "quotes": gettext_lazy("Open quotes"),
    "orders": gettext_lazy("Open orders"),
}


# --- reads ---------------------------------------------------------------------------------


def user_state(user) -> str:
    if not user.is_active:
        return INACTIVE
    return INVITED if is_invited(user) else ACTIVE


def users_list(*, q: str = "", state: str = "") -> QuerySet:
    """Every user, for the users page and API: searched by user name, e-mail and name (张伟 as
    well as 伟 or 张; "Wei Zhang"), filtered by state; with their groups (one more query for a
    page). Active people first, then by name."""
    qs = User.objects.all()
    q = (q or "").strip()[:100]
    if q:
        qs = qs.annotate(
            _family_first=Concat("last_name", "first_name"),
            _given_first=Concat("first_name", Value(" "), "last_name"),
        ).filter(
            Q(username__icontains=q)
            | Q(email__icontains=q)
            | Q(_family_first__icontains=q)
            | Q(_given_first__icontains=q)
        )
    if state in STATE_FILTERS:
        qs = qs.filter(STATE_FILTERS[state])
    return qs.prefetch_related("groups").order_by("-is_active", NAME_ORDER, "pk")


def user_roles_of(user) -> list[str]:
    """The roles (groups) the user holds, in ``ALL_ROLES`` order; reads prefetched groups."""
    names = {g.name for g in user.groups.all()}
    return [role for role in ALL_ROLES if role in names]


def records_owned_count(user) -> dict[str, int]:
    """What the user owns that moves with them when they leave (customers, leads, open
    opportunities, open tasks, open quotes, open orders): a count per kind."""
    return reassignment.records_owned_count(user)


def _active_admin_ids():
    return User.objects.filter(_ADMIN, is_active=True).values("pk")


def _is_admin(user) -> bool:
    return user.is_superuser or user.groups.filter(name=ADMIN).exists()


def _lock(user) -> "User":
    """Lock ``user`` and every active admin (primary-key order, one statement); return the
    user's row as it is now."""
    rows = list(
        User.objects.filter(Q(pk=user.pk) | Q(pk__in=_active_admin_ids()))
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    return next(row for row in rows if row.pk == user.pk)


def _other_active_admins(user) -> int:
    return User.objects.filter(pk__in=_active_admin_ids()).exclude(pk=user.pk).count()


# --- input ---------------------------------------------------------------------------------


def roles_input(roles) -> list[str]:
    """Roles from input: a list of names of ``core.roles`` (at least one), in their order."""
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list | tuple | set | frozenset):
        raise ValidationError({"roles": _("Give a list of roles.")})
    unknown = [str(r)[:50] for r in roles if r not in ALL_ROLES]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(role)s.") % {"role": unknown[0]}})
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    return [role for role in ALL_ROLES if role in roles]


def _username_from(email: str) -> str:
    """A free user name from the e-mail's local part (zhao.min@… → zhao.min, then zhao.min2…)."""
    base = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0].lower())[:140] or "user"
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _set_roles(user, roles: list[str]) -> None:
    """The user's role groups become ``roles``; other groups stay."""
    groups = {g.name: g for g in Group.objects.filter(name__in=ALL_ROLES)}
    for role in roles:
        if role not in groups:  # created by a migration; an emptied table gets them back
            groups[role], _created = Group.objects.get_or_create(name=role)
    user.groups.remove(*[g for name, g in groups.items() if name not in roles])
    user.groups.add(*[groups[role] for role in roles])
    user.__dict__.pop("_tandem_roles", None)


def _queue_invite(user, actor) -> None:
    transaction.on_commit(
        partial(
            invite_email_queue,
            user_id=user.pk,
            language=get_language() or "",
            inviter_id=getattr(actor, "pk", None),
        )
    )


# --- changes -------------------------------------------------------------------------------


@transaction.atomic
def user_invite(
    *,
    actor,
    email: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    teams: Iterable = (),
    username: str | None = None,
    request=None,
) -> "User":
    """Create an active user without a password (unusable) holding ``roles``, member of
    ``teams`` (sales teams), and e-mail them a set-password link after commit (in the
    language of the request). ``username`` defaults to one made from the e-mail address. A
    user name or e-mail address in use (any case) is refused on its field."""
    roles = roles_input(roles)
    email = User.objects.normalize_email((email or "").strip())
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not email:
        raise ValidationError({"email": _("Enter the person's e-mail address: the invitation goes there.")})
    if not (first_name or last_name):
        raise ValidationError({"last_name": _("Enter the person's name.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address exists already.")})
    username = (username or "").strip()
    if username and User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with this user name exists already.")})
    user = User(
        username=username or _username_from(email),
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_active=True,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same user name, invited at the same moment
        raise ValidationError({"username": _("A user with this user name exists already.")}) from None
    _set_roles(user, roles)
    teams = list(teams or ())
    if teams:
        customer_services.user_teams_join(user=user, teams=teams, actor=actor)
    audit(
        "setup.user_invited",
        actor=actor,
        obj=user,
        data={"username": user.username, "email": email, "roles": roles, "teams": [t.pk for t in teams]},
        request=request,
    )
    _queue_invite(user, actor)
    return user


@transaction.atomic
def user_invite_resend(*, actor, user, request=None) -> "User":
    """Send a new set-password link to a user who has not set a password yet; the links sent
    before stop working (the unusable password is replaced, and the links are bound to it)."""
    locked = _lock(user)
    if not locked.is_active:
        raise ValidationError({"user": _("%(name)s is deactivated.") % {"name": display_name(locked)}})
    if not is_invited(locked):
        raise ValidationError(
            {"user": _("%(name)s has set a password already.") % {"name": display_name(locked)}}
        )
    if not locked.email:
        raise ValidationError(
            {"email": _("%(name)s has no e-mail address.") % {"name": display_name(locked)}}
        )
    locked.set_unusable_password()
    locked.save(update_fields=["password"])
    audit("setup.user_invite_resent", actor=actor, obj=locked, data={"email": locked.email}, request=request)
    _queue_invite(locked, actor)
    user.password = locked.password
    return locked


@transaction.atomic
def user_roles_set(*, actor, user, roles: Iterable[str], request=None) -> list[str]:
    """Give ``user`` exactly ``roles`` (groups of ``core.roles``; groups that are no role
    stay). Taking the admin role from yourself, or from the last active admin, is refused.
    Returns the roles now held."""
    roles = roles_input(roles)
    locked = _lock(user)
    before = user_roles_of(locked)
    if ADMIN in before and ADMIN not in roles and not locked.is_superuser:
        if locked.pk == getattr(actor, "pk", None):
            raise ValidationError({"roles": _("You cannot take the admin role from yourself.")})
        if locked.is_active and not _other_active_admins(locked):
            raise ValidationError(
                {"roles": _("%(name)s is the last admin.") % {"name": display_name(locked)}}
            )
    if before != roles:
        _set_roles(locked, roles)
        audit(
            "setup.user_roles_changed",
            actor=actor,
            obj=locked,
            data={"old": before, "new": roles},
            request=request,
        )
    user.__dict__.pop("_tandem_roles", None)
    return roles


@transaction.atomic
def user_deactivate(*, actor, user, to_user=None, team=None, request=None) -> dict[str, int]:
    """Deactivate ``user``: they can no longer log in, their API tokens are revoked and their
    sessions stop working (the authentication backend refuses inactive users on every
    request). What they own (``records_owned_count``) moves to ``to_user`` or over ``team``'s
    active members (``crm.sales.reassignment.records_reassign``) in this transaction: with
    records to move, a colleague or a team is required (without any, none is asked for).
    Deactivating yourself or the last active admin is refused. Returns the counts moved."""
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError({"user": _("You cannot deactivate yourself.")})
    locked = _lock(user)
    name = display_name(locked)
    if not locked.is_active:
        raise ValidationError({"user": _("%(name)s is deactivated already.") % {"name": name}})
    if _is_admin(locked) and not _other_active_admins(locked):
        raise ValidationError({"user": _("%(name)s is the last admin.") % {"name": name}})
    if to_user is not None and to_user.pk != locked.pk and not to_user.is_active:
        raise ValidationError({"to_user": _("Choose an active colleague.")})
    owned = {kind: n for kind, n in records_owned_count(locked).items() if n}
    moved: dict[str, int] = {}
    if owned and to_user is None and team is None:
        counts = ", ".join(f"{OWNED_LABELS[kind]} {n}" for kind, n in owned.items())
        raise ValidationError(
            {
                "to_user": _(
                    "%(name)s owns records (%(counts)s): choose a colleague or a team to take them over."
                )
                % {"name": name, "counts": counts}
            }
        )
    if owned:
        moved = reassignment.records_reassign(from_user=locked, to_user=to_user, team=team, actor=actor)
    tokens_revoke_for_user(user=locked, by=actor, reason="deactivated", request=request)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    audit(
        "setup.user_deactivated",
        actor=actor,
        obj=locked,
        data={
            "to_user": getattr(to_user, "pk", None),
            "team": getattr(team, "pk", None),
            "moved": moved,
        },
        request=request,
    )
    user.is_active = False
    return moved


@transaction.atomic
def user_reactivate(*, actor, user, request=None) -> "User":
    """Let a deactivated user log in again (with their password, or a new invitation if they
    never set one). Their former records stay with whoever took them over."""
    locked = _lock(user)
    if locked.is_active:
        raise ValidationError({"user": _("%(name)s is active.") % {"name": display_name(locked)}})
    locked.is_active = True
    fields = ["is_active"]
    if not locked.has_usable_password():
        # An invitee who never set a password: the links sent before are void (a new one is sent
        # with "send the invitation again").
        locked.set_unusable_password()
        fields.append("password")
    locked.save(update_fields=fields)
    audit("setup.user_reactivated", actor=actor, obj=locked, request=request)
    user.is_active = True
    return locked
