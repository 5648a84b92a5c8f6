from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("Sales")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import ADMIN, MANAGER, SALES
        from core.ui import register_status_colours
        from crm.customers import panels
        from crm.sales import customer_panels

        register(
            NavItem("sales.leads", _("Leads"), "sales:lead_list", (SALES, MANAGER), order=20),
            NavItem("sales.pipeline", _("Pipeline"), "sales:board", (SALES, MANAGER), order=21),
            NavItem("sales.tasks", _("Tasks"), "sales:tasks", (SALES, MANAGER), order=22),
            NavItem("sales.forecast", _("Forecast"), "sales:forecast", (SALES, MANAGER), order=23),
            NavItem("sales.reassign", _("Reassign"), "sales:reassign", (MANAGER, ADMIN), order=24),
        )
        register_status_colours(
            {
                "new": "info",
                "contacted": "primary",
                "qualified": "warning",
                "converted": "success",
                "disqualified": "secondary",
                "won": "success",
                "lost": "danger",
            }
        )
        panels.register(
            "sales.opportunities",
            _("Opportunities"),
            "sales/panels/opportunities.html",
            customer_panels.opportunities_context,
            roles=(SALES, MANAGER, ADMIN),
            order=10,
        )
        panels.register(
            "sales.log_activity",
            _("Log an activity"),
            "sales/panels/log_activity.html",
            customer_panels.log_activity_context,
            roles=(SALES, MANAGER, ADMIN),
            order=5,
        )
        panels.register_timeline("sales.activities", customer_panels.activity_entries)

        from crm.sales import importers

        importers.install()

        from crm.sales.orders import setup as order_setup

        order_setup.ready()
