"""The home page's "today" panels (what needs me now): apps register a panel from their
``AppConfig.ready`` with the roles that see it; the home page shows the user's panels above the
tiles. Same shape as the 360 pages' registries (``core.panels``); the record is None."""

from core.panels import PanelRegistry

_registry = PanelRegistry()
register = _registry.register
panels_for = _registry.panels_for
