from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "scm.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.ui import register_status_colours
        from scm.purchasing import handlers  # noqa: F401 - registers the e-mail handler
        from scm.purchasing.selectors import READ_ROLES

        register(
            NavItem("purchasing.orders", _("Purchase orders"), "purchasing:order_list", READ_ROLES, order=60),
            NavItem("purchasing.today", _("Purchasing today"), "purchasing:today", READ_ROLES, order=59),
        )
        register_status_colours(
            {
                "to_approve": "warning",
                "approved": "info",
                "partly_received": "primary",
                "received": "success",
                "closed": "secondary",
            }
        )
