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
        from crm.sales.orders.waiting import backorders_waiting
        from scm.inventory.promise import waiting_source_register

        # Every promise inventory makes (its availability pages and API) nets the backorders.
        waiting_source_register(backorders_waiting)
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
        _register_today()

        from crm.sales import importers

        importers.install()

        from crm.sales.orders import setup as order_setup

        order_setup.ready()


def _register_today() -> None:
    """The rep's "today" panel of the pipeline, the quick actions, the task reminders' group."""
    from django.utils.translation import ngettext_lazy

    from core import home
    from core.events import groups
    from core.roles import SALES
    from crm.sales import today

    home.register(
        "sales.tasks", _("My tasks due"), "today/rows.html", today.home_tasks, roles=(SALES,), order=10
    )
    home.register_action("sales.new_lead", _("New lead"), "sales:lead_create", (SALES,), order=12)
    groups.register(
        "crm.task",
        ngettext_lazy("%(count)s task reminder", "%(count)s task reminders", "count"),
        url_name="sales:tasks",
        query="due=today",
    )
