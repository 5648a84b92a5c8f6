"""The ticket page's extension point (``core.panels``): modules above ``crm.service`` (the
batch trace, parts billing, surveys) add panels and timeline entries to a ticket's page from
their ``AppConfig.ready``; this app never imports them."""

from core.panels import PanelRegistry

_registry = PanelRegistry()
register = _registry.register
register_timeline = _registry.register_timeline
panels_for = _registry.panels_for
timeline_for = _registry.timeline_for
