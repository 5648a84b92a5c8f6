from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "crm.service"
    label = "service"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Service")

    def ready(self):
        from crm.service import survey_setup

        survey_setup.ready()
