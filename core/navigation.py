"""Navigation registry: each app registers its entries (in ``AppConfig.ready``) with the roles
that may use them; the shell shows a user only the entries their roles allow."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.roles import EVERYONE, has_role


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


def items_for(user) -> list[dict]:
    visible = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.key)):
        if not has_role(user, item.roles):
            continue
        try:
            url = reverse(item.url_name, kwargs=item.kwargs or None)
        except NoReverseMatch:
            continue
        visible.append(
            {"key": item.key, "label": item.label, "url": url, "section": item.section, "icon": item.icon}
        )
    return visible


register(NavItem("home", _("Home"), "home", EVERYONE, order=0, icon="house"))
