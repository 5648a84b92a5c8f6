"""Extension points of 360 pages (a customer's, a supplier's): modules above the page's app
add panels and timeline entries from their ``AppConfig.ready``; the page's app never imports
them. A panel is a template rendered with the context its function returns for one record; it
is shown only to the roles named."""

from collections.abc import Callable
from dataclasses import dataclass, field

from core.roles import EVERYONE, has_role


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable  # (record, user) -> dict
    roles: tuple[str, ...] = EVERYONE
    order: int = 100
    # What a page's registry keeps besides (the home page's: ``wide``, ``section``).
    options: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class TimelineSource:
    key: str
    entries: Callable  # (record, user, limit) -> list[dict(at, title, body, url, kind)]
    roles: tuple[str, ...] = EVERYONE


class PanelRegistry:
    """The panels and timeline sources of one kind of 360 page."""

    def __init__(self):
        self._panels: dict[str, Panel] = {}
        self._timeline: dict[str, TimelineSource] = {}

    def register(
        self,
        key: str,
        title: str,
        template: str,
        context: Callable,
        roles=EVERYONE,
        order: int = 100,
        **options,
    ) -> None:
        self._panels[key] = Panel(key, title, template, context, tuple(roles), order, options)

    def panels(self) -> list[Panel]:
        """Every registered panel, in order."""
        return sorted(self._panels.values(), key=lambda p: (p.order, p.key))

    def register_timeline(self, key: str, entries: Callable, roles=EVERYONE) -> None:
        self._timeline[key] = TimelineSource(key, entries, tuple(roles))

    def panels_for(self, record, user) -> list[dict]:
        """The panels this user may see, each with its rendered context, in order."""
        shown = []
        for panel in self.panels():
            if not has_role(user, panel.roles):
                continue
            shown.append(
                {
                    "key": panel.key,
                    "title": panel.title,
                    "template": panel.template,
                    **panel.context(record, user),
                }
            )
        return shown

    def timeline_for(self, record, user, limit: int = 50) -> list[dict]:
        """Timeline entries from every registered source, newest first."""
        entries = []
        for source in self._timeline.values():
            if has_role(user, source.roles):
                entries.extend(source.entries(record, user, limit))
        entries.sort(key=lambda e: e["at"], reverse=True)
        return entries[:limit]
