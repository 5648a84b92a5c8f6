"""The supplier 360 page's extension point (``core.panels``).

Modules above ``scm.purchasing`` (finance: payables and statement; insights) add panels and
timeline entries here from their ``AppConfig.ready``; this app never imports them.
"""

from core.panels import PanelRegistry

_registry = PanelRegistry()
register = _registry.register
register_timeline = _registry.register_timeline
panels_for = _registry.panels_for
timeline_for = _registry.timeline_for
