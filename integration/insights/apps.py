from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "integration.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Insights")

    def ready(self):
        from core.navigation import NavItem, register
        from integration.insights import handlers, tasks  # noqa: F401 - registers the facts' handlers and tasks
        from integration.insights.figures import VIEW_ROLES

        register(
            NavItem(
                "insights.dashboard",
                _("Dashboard"),
                "insights:dashboard",
                VIEW_ROLES,
                section="insights",
                order=4,
            ),
        )
        self._home()

        from integration.insights.selling_registry import register_selling

        register_selling()

    def _home(self):
        """The manager's headline figures, first on their home page (admins: in the summary)."""
        from core import home
        from core.roles import MANAGER
        from integration.insights import today

        home.register(
            home.MANAGER_HEADLINE,
            _("This month's figures"),
            "insights/home_headline.html",
            today.home_headline,
            roles=(MANAGER,),
            order=home.MANAGER_HEADLINE_ORDER,
            wide=True,
        )
