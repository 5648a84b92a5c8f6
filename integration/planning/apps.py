from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "integration.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Replenishment planning")

    def ready(self):
        from integration.planning import handlers, tasks  # noqa: F401 - registers handlers and tasks
