from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "integration.aftersales"
    label = "aftersales"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("After-sales quality")

    def ready(self):
        from crm.service import parts
        from integration.aftersales import parts_billing  # registers the parts invoicing handler

        parts.register_invoice_links(parts_billing.invoice_links)
        _register_delivery_rules()
        from crm.service import hooks
        from integration.aftersales import (
            handlers,  # noqa: F401 - registers the event handlers
            shipped,
        )

        hooks.register_shipped(
            lots=shipped.shipped_lots, lot=shipped.shipped_lot, parcels=shipped.shipped_parcels
        )
        _register_pages()


def _register_delivery_rules() -> None:
    """The delivered-shipment → survey rule and the carrier figures' navigation entry."""
    from core.navigation import NavItem, register
    from core.roles import MANAGER, PURCHASING, SERVICE, WAREHOUSE
    from integration.aftersales import handlers_delivery  # noqa: F401 - registers the event handler

    register(
        NavItem(
            "carrier_figures",
            _("Carrier figures"),
            "carrier_figures:list",
            (WAREHOUSE, PURCHASING, SERVICE, MANAGER),
            section="service",
            order=64,
        )
    )


def _register_pages() -> None:
    """Navigation, the ticket page's trace panel, the lot page's trace link, state colours."""
    from core.navigation import NavItem, register
    from core.ui import register_status_colours
    from crm.service import panels
    from integration.aftersales.panels import trace_panel_context
    from integration.aftersales.selectors import READ_ROLES
    from scm.inventory import lot_links

    register(
        NavItem(
            "aftersales.alerts",
            _("Quality alerts"),
            "aftersales:alerts",
            READ_ROLES,
            section="service",
            order=60,
        ),
        NavItem(
            "aftersales.recalls", _("Recalls"), "aftersales:recalls", READ_ROLES, section="service", order=61
        ),
        NavItem(
            "aftersales.holds", _("Lots on hold"), "aftersales:holds", READ_ROLES, section="service", order=62
        ),
    )
    panels.register(
        "trace",
        _("Batch trace"),
        "aftersales/panels/trace.html",
        trace_panel_context,
        roles=READ_ROLES,
        order=30,
    )
    lot_links.register("trace", _("Trace: suppliers and customers"), "aftersales:lot_trace", roles=READ_ROLES)
    register_status_colours({"recalled": "danger", "contacted": "info", "returned": "success"})
    from core import home
    from core.roles import MANAGER
    from integration.aftersales.panels import home_alerts_open

    home.register(
        "aftersales.alerts_open",
        _("Quality alerts to decide"),
        "today/rows.html",
        home_alerts_open,
        roles=(MANAGER,),
        order=home.APPROVALS_ORDER + 4,
        section="approvals",
    )
