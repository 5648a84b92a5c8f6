from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "crm.customers"
    label = "customers"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Customers")

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import ADMIN, FINANCE, MANAGER, SALES, SERVICE
        from core.ui import register_status_colours

        register(
            NavItem(
                "customers", _("Customers"), "customers:list", (SALES, SERVICE, FINANCE, MANAGER), order=10
            ),
            NavItem("customers.merge", _("Duplicates"), "customers:merge_list", (MANAGER, ADMIN), order=11),
        )
        from crm.customers import importers, panels, timeline

        importers.install()

        panels.register_timeline("customers.audit", timeline.audit_entries, roles=(SALES, FINANCE, MANAGER))
        register_status_colours(
            {"lead": "info", "prospect": "primary", "customer": "success", "repeat": "success"}
        )
