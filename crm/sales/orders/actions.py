"""The order page's action registry.

The order detail header shows the actions allowed for the order's state and the user's roles.
Modules register them here (from their ``AppConfig.ready``), so fulfilment can add Confirm,
Release hold or Cancel without editing this app's templates::

    order_actions.register("confirm", _("Confirm"), "fulfilment:order_confirm",
                           states=("draft",), roles=(SALES, MANAGER), style="primary")

The URL is reversed with ``pk=order.pk``; ``method="post"`` actions render as a form button
(with CSRF), ``"get"`` as a link. ``check(order, user)`` may refuse further (record rules).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.roles import has_role


@dataclass(frozen=True)
class OrderAction:
    key: str
    label: str
    url_name: str
    states: tuple[str, ...]
    roles: tuple[str, ...]
    style: str = "secondary"
    method: str = "post"
    order: int = 100
    confirm: str = ""
    check: Callable | None = None


_actions: dict[str, OrderAction] = {}


def register(
    key: str,
    label,
    url_name: str,
    states,
    roles,
    style: str = "secondary",
    *,
    method: str = "post",
    order: int = 100,
    confirm: str = "",
    check: Callable | None = None,
) -> None:
    """Add (or replace, by ``key``) an action on the order detail page."""
    _actions[key] = OrderAction(
        key, label, url_name, tuple(states), tuple(roles), style, method, order, confirm, check
    )


def unregister(key: str) -> None:
    _actions.pop(key, None)


def actions_for(order, user) -> list[dict]:
    """The actions this user may take on this order now, in display order."""
    shown = []
    for action in sorted(_actions.values(), key=lambda a: (a.order, a.key)):
        if order.state not in action.states or not has_role(user, action.roles):
            continue
        if action.check is not None and not action.check(order, user):
            continue
        try:
            url = reverse(action.url_name, kwargs={"pk": order.pk})
        except NoReverseMatch:
            continue
        shown.append(
            {
                "key": action.key,
                "label": action.label,
                "url": url,
                "style": action.style,
                "method": action.method,
                "confirm": action.confirm,
            }
        )
    return shown
