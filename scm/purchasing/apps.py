from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "scm.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import home
        from core.navigation import NavItem, register
        from core.roles import ADMIN, FINANCE, MANAGER, PURCHASING
        from core.ui import register_status_colours
        from scm.purchasing import (
            handlers,  # noqa: F401 - registers the e-mail handler
            importers,
            order_selectors,
            panels,
            supplier_timeline,
        )
        from scm.purchasing.selectors import READ_ROLES, RECEIVE_ROLES

        register(
            NavItem(
                "purchasing.suppliers",
                _("Suppliers"),
                "purchasing:supplier_list",
                (PURCHASING, MANAGER, FINANCE),
                section="purchasing",
                order=40,
            ),
            NavItem("purchasing.orders", _("Purchase orders"), "purchasing:order_list", READ_ROLES, order=60),
            NavItem("purchasing.today", _("Purchasing today"), "purchasing:today", READ_ROLES, order=59),
            # Receiving: the warehouse's screens, under Warehouse.
            NavItem(
                "purchasing.receive",
                _("Receive purchase orders"),
                "purchasing:receiving_tablet",
                RECEIVE_ROLES,
                section="warehouse",
                order=345,
            ),
            NavItem(
                "purchasing.receipts",
                _("Receipts"),
                "purchasing:receipts",
                READ_ROLES,
                section="warehouse",
                order=346,
            ),
            NavItem(
                "purchasing.quarantine",
                _("Quarantine"),
                "purchasing:quarantine",
                READ_ROLES,
                section="warehouse",
                order=347,
            ),
        )
        importers.install()
        panels.register_timeline(
            "purchasing.supplier_audit", supplier_timeline.audit_entries, roles=READ_ROLES
        )
        register_status_colours(
            {
                "to_approve": "warning",
                "approved": "info",
                "partly_received": "primary",
                "received": "success",
                "closed": "secondary",
            }
        )
        home.register(
            "purchasing.to_approve",
            _("Purchase orders waiting for approval"),
            "purchasing/order_today_approval.html",
            order_selectors.home_to_approve,
            roles=(MANAGER, ADMIN),
            order=30,
        )
        home.register(
            "purchasing.overdue",
            _("Overdue receipts"),
            "purchasing/order_today_overdue.html",
            order_selectors.home_overdue,
            roles=(PURCHASING, MANAGER),
            order=31,
        )
