from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "scm.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import FINANCE, MANAGER, PURCHASING, WAREHOUSE

        register(
            NavItem(
                "purchasing.receive",
                _("Receive purchase orders"),
                "purchasing:receiving_tablet",
                (WAREHOUSE, PURCHASING, MANAGER),
                section="warehouse",
                order=345,
            ),
            NavItem(
                "purchasing.receipts",
                _("Receipts"),
                "purchasing:receipts",
                (WAREHOUSE, PURCHASING, MANAGER, FINANCE),
                section="warehouse",
                order=346,
            ),
            NavItem(
                "purchasing.quarantine",
                _("Quarantine"),
                "purchasing:quarantine",
                (WAREHOUSE, PURCHASING, MANAGER, FINANCE),
                section="warehouse",
                order=347,
            ),
        )
