"""The customer 360 page's extension point.

Modules above ``crm.customers`` (sales, service, finance, insights) add panels and timeline
entries here from their ``AppConfig.ready``; this app never imports them. A panel is a template
rendered with the context its function returns for one customer; it is shown only to the roles
named.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.roles import EVERYONE, has_role


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable  # (customer, user) -> dict
    roles: tuple[str, ...] = EVERYONE
    order: int = 100


@dataclass(frozen=True)
class TimelineSource:
    key: str
    entries: Callable  # (customer, user, limit) -> list[dict(at, title, body, url, kind)]
    roles: tuple[str, ...] = EVERYONE


_panels: dict[str, Panel] = {}
_timeline: dict[str, TimelineSource] = {}


def register(
    key: str, title: str, template: str, context: Callable, roles=EVERYONE, order: int = 100
) -> None:
    _panels[key] = Panel(key, title, template, context, tuple(roles), order)


def register_timeline(key: str, entries: Callable, roles=EVERYONE) -> None:
    _timeline[key] = TimelineSource(key, entries, tuple(roles))


def panels_for(customer, user) -> list[dict]:
    """The panels this user may see, each with its rendered context, in order."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        if not has_role(user, panel.roles):
            continue
        shown.append(
            {
                "key": panel.key,
                "title": panel.title,
                "template": panel.template,
                **panel.context(customer, user),
            }
        )
    return shown


def timeline_for(customer, user, limit: int = 50) -> list[dict]:
    """Timeline entries from every registered source, newest first."""
    entries = []
    for source in _timeline.values():
        if has_role(user, source.roles):
            entries.extend(source.entries(customer, user, limit))
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]
