from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "scm.purchasing"
    label = "purchasing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Purchasing")

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import FINANCE, MANAGER, PURCHASING
        from scm.purchasing import importers, panels, supplier_timeline
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
