from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "integration.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integration.insights import handlers, tasks  # noqa: F401 - registers the facts' handlers and tasks
