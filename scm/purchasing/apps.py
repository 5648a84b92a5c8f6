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
        from scm.purchasing.selectors import READ_ROLES

        register(
            NavItem(
                "purchasing.suppliers",
                _("Suppliers"),
                "purchasing:supplier_list",
                (PURCHASING, MANAGER, FINANCE),
                section="purchasing",
                order=40,
            ),
        )
        importers.install()
        panels.register_timeline(
            "purchasing.supplier_audit", supplier_timeline.audit_entries, roles=READ_ROLES
        )
