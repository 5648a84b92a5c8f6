from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "crm.service"
    label = "service"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Service")

    def ready(self):
        from core import home
        from core.navigation import NavItem, register
        from core.roles import ADMIN, MANAGER, SALES, SERVICE
        from core.ui import register_status_colours
        from crm.customers import panels as customer_panels
        from crm.service import timeline

        register(
            NavItem(
                "service.tickets",
                _("Tickets"),
                "service:ticket_list",
                (SERVICE, SALES, MANAGER),
                "service",
                40,
            ),
            NavItem(
                "service.new", _("New ticket"), "service:ticket_create", (SERVICE, MANAGER), "service", 41
            ),
            NavItem("service.sla", _("SLA settings"), "service:sla_settings", (MANAGER,), "service", 48),
            NavItem("service.teams", _("Service teams"), "service:teams", (MANAGER,), "service", 49),
        )
        register_status_colours(
            {
                "assigned": "info",
                "in_progress": "primary",
                "waiting": "warning",
                "resolved": "success",
                "planned": "info",
                "done": "success",
            }
        )
        customer_panels.register(
            "service.tickets",
            _("Open tickets"),
            "service/panels/customer_tickets.html",
            timeline.customer_panel_context,
            roles=(SERVICE, SALES, MANAGER, ADMIN),
            order=30,
        )
        customer_panels.register_timeline(
            "service.tickets", timeline.customer_entries, roles=(SERVICE, SALES, MANAGER, ADMIN)
        )
        home.register(
            "service.sla",
            _("Tickets near their SLA"),
            "service/panels/home_sla.html",
            timeline.home_context,
            roles=(SERVICE,),
            order=20,
        )
        home.register_action(
            "service.new_ticket", _("New ticket"), "service:ticket_create", (SERVICE,), order=40
        )
        _register_notification_groups()

        from crm.service import parts_setup

        parts_setup.ready()

        from crm.service import survey_setup

        survey_setup.ready()


def _register_notification_groups() -> None:
    from django.utils.translation import ngettext_lazy

    from core.events import groups

    groups.register(
        "service.sla_warning",
        ngettext_lazy(
            "%(count)s ticket is about to breach its SLA",
            "%(count)s tickets are about to breach their SLA",
            "count",
        ),
    )
    groups.register(
        "service.sla_breach",
        ngettext_lazy("%(count)s ticket breached its SLA", "%(count)s tickets breached their SLA", "count"),
    )
