from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    label = "finance"
    default_auto_field = "django.db.models.BigAutoField"
