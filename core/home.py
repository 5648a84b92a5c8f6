"""The home page: a "today" page for each role (what needs me now), and a row of quick actions.

Apps register panels from their ``AppConfig.ready`` (a lower app never imports an upper one; a
panel that needs two modules is registered by the ``integration`` module that joins them)::

    home.register(key, title, template, context_fn, roles=(SALES,), order=10)

``context_fn(None, user)`` reads the owning app's selectors (with their record rules) and returns
the template's context; the home page draws the card around it from these keys:

- ``count``: how many items wait in all (the badge; leave it out for a panel without one);
- ``see_all``: the URL of the list filtered to exactly those items (shown when ``count``);
- ``see_all_label``: the link's text, if not "See all (n)".

The template lists the first few items, each linking to its record, and says what to do next
when there is none. ``today/rows.html`` is such a template for plain rows (``rows``: dicts of
``url``, ``title``, ``meta``, ``badge``, ``badge_colour``, ``end``; ``empty``: the text when there
is none; ``empty_url`` / ``empty_label``: where to go next). Each panel costs a fixed number of
queries (a count and a page of rows), so the home page costs the same whatever the data size.

A panel sits on the home page of each role it names; a user with several roles sees them grouped
by role (in the order of ``core.roles.ALL_ROLES``), under the first of the panel's roles they
hold. An admin holds every role: they get every panel folded into a summary (title, count, see
all; each panel opens in place).

Options: ``wide=True`` takes the whole row; ``section="approvals"`` puts consecutive panels
under one heading (``SECTION_LABELS``).

``register_banner(key, context, roles)``: a line across the top of the page for something
unfinished that the user should come back to (an admin's set-up): ``context(user)`` answers
None (no banner) or a dict of ``text``, ``url`` and ``label`` (the button), in a fixed number
of queries.

Slots kept for panels registered later:

- ``MANAGER_HEADLINE`` (``insights.headline``, ``order=MANAGER_HEADLINE_ORDER``, ``wide=True``,
  roles ``(MANAGER,)``): the manager dashboard's headline figures
  (``integration.insights.figures.headline``), first on the manager's page, above the approvals.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.panels import PanelRegistry
from core.roles import ADMIN, ALL_ROLES, EVERYONE, ROLE_LABELS, user_roles

_registry = PanelRegistry()
panels_for = _registry.panels_for

# The manager's headline figures: registered by integration.insights under this key and order.
MANAGER_HEADLINE = "insights.headline"
MANAGER_HEADLINE_ORDER = 1
# Where the manager's approvals start (credit holds, purchase orders, mismatched bills, counts).
APPROVALS_ORDER = 10

SECTION_LABELS = {"approvals": _("Approvals waiting")}


def register(
    key: str,
    title: str,
    template: str,
    context: Callable,
    roles=EVERYONE,
    order: int = 100,
    *,
    wide: bool = False,
    section: str = "",
) -> None:
    """Add a "today" panel (see the module's docstring)."""
    _registry.register(key, title, template, context, roles, order, wide=wide, section=section)


def _role_of(panel, mine: frozenset[str], summary: bool) -> str | None:
    if summary:
        return panel.roles[0] if panel.roles else ADMIN
    for role in panel.roles:
        if role in mine:
            return role
    return None


def today_for(user) -> dict:
    """The user's panels with their contexts, grouped by role::

        {"summary": bool, "groups": [{"role", "label", "panels": [panel, ...]}]}

    each panel a dict of ``key``, ``title``, ``template``, ``context``, ``count``, ``see_all``,
    ``see_all_label``, ``wide``, ``section``, ``section_label``."""
    mine = user_roles(user)
    summary = ADMIN in mine
    groups: dict[str, list[dict]] = {}
    for panel in _registry.panels():
        role = _role_of(panel, mine, summary)
        if role is None:
            continue
        context = dict(panel.context(None, user) or {})
        section = panel.options.get("section", "")
        groups.setdefault(role, []).append(
            {
                "key": panel.key,
                "title": panel.title,
                "template": panel.template,
                "context": {"key": panel.key, "title": panel.title, **context},
                "count": context.get("count"),
                "see_all": context.get("see_all", ""),
                "see_all_label": context.get("see_all_label", ""),
                "wide": bool(panel.options.get("wide")),
                "section": section,
                "section_label": SECTION_LABELS.get(section, ""),
            }
        )
    order = {role: i for i, role in enumerate(ALL_ROLES)}
    return {
        "summary": summary,
        "groups": [
            {"role": role, "label": ROLE_LABELS.get(role, role), "panels": panels}
            for role, panels in sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
        ],
    }


# --- quick actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickAction:
    key: str
    label: str
    url_name: str
    roles: tuple[str, ...]
    order: int = 100


_actions: dict[str, QuickAction] = {}


def register_action(key: str, label: str, url_name: str, roles, order: int = 100) -> None:
    """A button in the home page's quick-actions row (start something new: an order, a pick)."""
    _actions[key] = QuickAction(key, label, url_name, tuple(roles), order)


def actions_for(user) -> list[dict]:
    """The quick actions of the roles the user holds by name (an admin's page, a summary of
    everyone's, offers only the actions naming admins: the menu has the rest)."""
    mine = user_roles(user)
    if ADMIN in mine:
        mine = frozenset({ADMIN})
    shown = []
    for action in sorted(_actions.values(), key=lambda a: (a.order, a.key)):
        if not mine.intersection(action.roles):
            continue
        try:
            url = reverse(action.url_name)
        except NoReverseMatch:
            continue
        shown.append({"key": action.key, "label": action.label, "url": url})
    return shown


# --- banners ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    key: str
    context: Callable
    roles: tuple[str, ...]
    order: int = 100


_banners: dict[str, Banner] = {}


def register_banner(key: str, context: Callable, roles, order: int = 100) -> None:
    """A line across the top of the home page of ``roles`` (see the module's docstring)."""
    _banners[key] = Banner(key, context, tuple(roles), order)


def banners_for(user) -> list[dict]:
    """The banners of the user's roles that have something to say: dicts of ``key``, ``text``,
    ``url`` and ``label``."""
    mine = user_roles(user)
    shown = []
    for banner in sorted(_banners.values(), key=lambda b: (b.order, b.key)):
        if ADMIN not in mine and not mine.intersection(banner.roles):
            continue
        context = banner.context(user)
        if context:
            shown.append({"key": banner.key, **context})
    return shown
