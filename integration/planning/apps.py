from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "integration.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Replenishment planning")

    def ready(self):
        from django.utils.translation import ngettext_lazy

        from core import home
        from core.events import groups
        from core.navigation import NavItem, register
        from core.roles import PURCHASING
        from core.ui import register_status_colours
        from integration.planning import handlers, lists, tasks  # noqa: F401 - registers handlers and tasks
        from integration.planning.selectors import ACT_ROLES, READ_ROLES, SETTINGS_ROLES

        register(
            NavItem(
                "planning.suggestions",
                _("Replenishment suggestions"),
                "planning:suggestions",
                ACT_ROLES,
                section="purchasing",
                order=55,
            ),
            NavItem(
                "planning.plans",
                _("Replenishment plans"),
                "planning:plans",
                READ_ROLES,
                section="purchasing",
                order=56,
            ),
            NavItem(
                "planning.slow_movers",
                _("Slow movers"),
                "planning:slow_movers",
                ACT_ROLES,
                section="purchasing",
                order=57,
            ),
            NavItem(
                "planning.service_levels",
                _("Service levels"),
                "planning:service_levels",
                ACT_ROLES,
                section="purchasing",
                order=58,
            ),
            NavItem(
                "planning.settings",
                _("Planning settings"),
                "planning:settings",
                SETTINGS_ROLES,
                section="purchasing",
                order=61,
            ),
        )
        register_status_colours({"accepted": "success", "dismissed": "secondary", "expired": "light"})
        # First of the buyers' "today" panels: what to order now.
        home.register(
            "planning.suggestions",
            _("Replenishment suggestions"),
            "planning/home_suggestions.html",
            lists.home_suggestions,
            roles=(PURCHASING,),
            order=20,
        )
        home.register_action(
            "planning.suggestions", _("Order what is short"), "planning:suggestions", (PURCHASING,), 51
        )
        groups.register(
            "replenish",
            ngettext_lazy("%(count)s product to replenish", "%(count)s products to replenish", "count"),
            url_name="planning:suggestions",
        )
