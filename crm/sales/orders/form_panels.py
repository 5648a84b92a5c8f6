"""The order and quote forms' extension point: modules above sales add a panel that the form
loads (htmx) for the customer chosen on it — insights' cross-sell suggestions, say — without
this app importing them. Registered from the module's ``AppConfig.ready``::

    form_panels.register("insights.suggestions", "selling:form_suggestions", roles=(SALES, MANAGER))

The panel's view is asked (GET) at the URL named ``url_name`` with the form's ``customer`` and
line products (``lines-N-product``) and ``kind`` (``order`` or ``quote``), when the form opens
and whenever the customer or a line changes; what it answers is shown below the form. Its
buttons may add a line to the form (the ``sales:orders:line_row`` partial with ``product`` and
``quantity``, into ``#lines-body``).
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.roles import has_role


@dataclass(frozen=True)
class FormPanel:
    key: str
    url_name: str
    roles: tuple[str, ...]
    order: int = 100


_panels: dict[str, FormPanel] = {}


def register(key: str, url_name: str, *, roles, order: int = 100) -> None:
    """Add (or replace, by ``key``) a panel of the order and quote forms."""
    _panels[key] = FormPanel(key, url_name, tuple(roles), order)


def unregister(key: str) -> None:
    _panels.pop(key, None)


def panels_for(user) -> list[dict]:
    """The panels this user's forms show, in order: ``key`` and ``url``."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        if not has_role(user, panel.roles):
            continue
        try:
            shown.append({"key": panel.key, "url": reverse(panel.url_name)})
        except NoReverseMatch:
            continue
    return shown
