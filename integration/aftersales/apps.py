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
            order=63,
        )
    )
