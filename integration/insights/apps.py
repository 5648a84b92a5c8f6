from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "integration.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from integration.insights.selling_registry import register_selling

        register_selling()
