from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("Sales")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from crm.sales import order_setup

        order_setup.ready()
