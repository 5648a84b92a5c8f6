"""The parts panel on the ticket page and the colours of the parts' states (called from
``ServiceConfig.ready``)."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from core.ui import register_status_colours
    from crm.service import panels
    from crm.service.parts_views import READ, panel_context

    panels.register("parts", _("Parts"), "service/parts/panel.html", panel_context, roles=READ, order=30)
    register_status_colours({"reserved": "info", "consumed": "success", "short": "danger"})

    from crm.service import parts_handlers  # noqa: F401  (registers the lot.held rule)
