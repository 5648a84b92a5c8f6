from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    name = "integration.setup"
    label = "setup"
    verbose_name = _("Set-up")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import ADMIN
        from core.ui import register_status_colours

        # Users and roles: the list, invitations, deactivation (integration.setup.users).
        register(NavItem("setup.users", _("Users"), "setup:users", (ADMIN,), section="setup", order=880))
        register_status_colours({"invited": "info"})

        from integration.setup import wizard_setup

        wizard_setup.ready()

        register(
            NavItem(
                "setup.templates",
                _("Industry templates"),
                "setup:templates",
                (ADMIN,),
                section="setup",
                order=910,
            )
        )
