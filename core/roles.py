"""The seven roles of Tandem and the one question every page and API view asks: may this user?

Roles are Django groups (created by a migration). The admin role and superusers pass every role
check; every other role passes only where it is named.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

SALES = "sales"
SERVICE = "service"
WAREHOUSE = "warehouse"
PURCHASING = "purchasing"
FINANCE = "finance"
MANAGER = "manager"
ADMIN = "admin"

ALL_ROLES = (SALES, SERVICE, WAREHOUSE, PURCHASING, FINANCE, MANAGER, ADMIN)
ROLE_LABELS = {
    SALES: _("Sales"),
    SERVICE: _("Service"),
    WAREHOUSE: _("Warehouse"),
    PURCHASING: _("Purchasing"),
    FINANCE: _("Finance"),
    MANAGER: _("Manager"),
    ADMIN: _("Admin"),
}
# Everyone who works in the office (not the warehouse floor).
OFFICE = (SALES, SERVICE, PURCHASING, FINANCE, MANAGER)
EVERYONE = ALL_ROLES

_CACHE_ATTR = "_tandem_roles"


def user_roles(user) -> frozenset[str]:
    """The user's roles, read once per request object (one query) and cached on it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ALL_ROLES)
        else:
            names = user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True)
            cached = frozenset(names)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_roles(user, names) -> None:
    """Keep roles read together with the user (one query for token and roles) on the user."""
    if user is not None and not user.is_superuser:
        setattr(user, _CACHE_ATTR, frozenset(names or ()).intersection(ALL_ROLES))


def has_role(user, roles: Iterable[str]) -> bool:
    """True if the user holds one of ``roles``; admins and superusers hold them all."""
    mine = user_roles(user)
    if ADMIN in mine:
        return True
    return bool(mine.intersection(roles))


def is_manager(user) -> bool:
    """Managers and admins see every record (record rules stop at them)."""
    return bool(user_roles(user) & {MANAGER, ADMIN})


def primary_role(user) -> str | None:
    mine = user_roles(user)
    for role in ALL_ROLES:
        if role in mine:
            return role
    return None
