"""Navigation registry: each app registers its entries (in ``AppConfig.ready``) with the roles
that may use them; the shell shows a user only the entries their roles allow."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.preferences import NAVIGATION, cached_preference
from core.roles import ADMIN, ALL_ROLES, EVERYONE, MANAGER, has_role, user_roles


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: tuple[str, ...]
    section: str = ""
    order: int = 100
    icon: str = ""
    kwargs: dict = field(default_factory=dict, hash=False, compare=False)


_items: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _items[item.key] = item


# Labels of the menu's sections. An entry's section is its ``section`` or else its URL
# namespace (``sales:lead_list`` → ``sales``); a section the user sees one entry of is shown as
# that entry, a section with several as a drop-down under the label here.
SECTION_LABELS = {
    "customers": _("Customers"),
    "sales": _("Sales"),
    "service": _("Service"),
    "inventory": _("Inventory"),
    "warehouse": _("Warehouse"),
    "purchasing": _("Purchasing"),
    "finance": _("Finance"),
    "fulfilment": _("Fulfilment"),
    "insights": _("Insights"),
    "setup": _("Setup"),
    "events": _("System"),
}


def section_of(item: NavItem) -> str:
    if item.section:
        return item.section
    if ":" in item.url_name:
        return item.url_name.split(":", 1)[0]
    return item.key.split(".", 1)[0]


def item_keys() -> set[str]:
    """The keys of every registered entry (what a template's ``navigation`` may name)."""
    return set(_items)


# Whose list leads for a user with several roles: the broadest job first (an admin who also
# sells set the menu up as an admin).
_ROLE_PRECEDENCE = (ADMIN, MANAGER, *[r for r in ALL_ROLES if r not in (ADMIN, MANAGER)])


def preferred_keys(user) -> list[str]:
    """The entries the company's ``navigation`` preference puts first for ``user``'s roles, in
    its order (the lists of several roles one after another, by ``_ROLE_PRECEDENCE``). Read
    through the process's preference cache: no query per page after the first."""
    wanted = cached_preference(NAVIGATION)
    if not isinstance(wanted, dict) or not wanted:
        return []
    mine = user_roles(user)
    keys: list[str] = []
    for role in _ROLE_PRECEDENCE:
        if role in mine and isinstance(wanted.get(role), list):
            keys.extend(k for k in wanted[role] if isinstance(k, str) and k not in keys)
    return keys


def items_for(user) -> list[dict]:
    """The entries ``user`` may use: those their roles' ``navigation`` preference names first,
    in its order, then the others by their registered order."""
    rank = {key: index for index, key in enumerate(preferred_keys(user))}
    visible = []

    def position(item: NavItem):
        if item.key in rank:
            return (0, rank[item.key], "")
        return (1, item.order, item.key)

    for item in sorted(_items.values(), key=position):
        if not has_role(user, item.roles):
            continue
        try:
            url = reverse(item.url_name, kwargs=item.kwargs or None)
        except NoReverseMatch:
            continue
        visible.append(
            {"key": item.key, "label": item.label, "url": url, "section": section_of(item), "icon": item.icon}
        )
    return visible


def sections_for(user, items: list[dict] | None = None, current_path: str = "") -> list[dict]:
    """The user's entries grouped by section, in the order of each section's first entry:
    ``[{"key", "label", "items", "active"}]``."""
    sections: dict[str, dict] = {}
    for entry in items if items is not None else items_for(user):
        section = sections.setdefault(
            entry["section"], {"key": entry["section"], "label": None, "items": [], "active": False}
        )
        section["items"].append(entry)
        section["active"] = section["active"] or entry["url"] == current_path
    for section in sections.values():
        first = section["items"][0]["label"]
        section["label"] = SECTION_LABELS.get(section["key"], first) if len(section["items"]) > 1 else first
    return list(sections.values())


register(NavItem("home", _("Home"), "home", EVERYONE, order=0, icon="house"))
