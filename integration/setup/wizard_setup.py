"""Wiring of the set-up wizard: its menu entries (with the company profile's page) and the home
page's banner while the set-up is not finished. Called from ``SetupConfig.ready``."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from core import home
    from core.navigation import NavItem, register
    from core.roles import ADMIN
    from integration.setup import wizard

    register(
        NavItem("setup.wizard", _("Set-up wizard"), "setup:wizard", (ADMIN,), section="setup", order=950),
        NavItem(
            "setup.company", _("Company profile"), "company-profile", (ADMIN,), section="setup", order=951
        ),
    )
    home.register_banner("setup.continue", wizard.setup_banner, roles=(ADMIN,), order=10)
