from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "integration.rules"
    label = "rules"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Rules")

    def ready(self):
        from integration.rules import handlers, tasks  # noqa: F401 - registers handlers and the task
