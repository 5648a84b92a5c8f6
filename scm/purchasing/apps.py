from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "scm.purchasing"
    label = "purchasing"
    default_auto_field = "django.db.models.BigAutoField"
