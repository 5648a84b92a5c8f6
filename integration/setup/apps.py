from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    name = "integration.setup"
    label = "setup"
    verbose_name = _("Set-up")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integration.setup import wizard_setup

        wizard_setup.ready()
