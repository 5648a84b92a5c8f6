from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "integration.aftersales"
    label = "aftersales"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("After-sales quality")

    def ready(self):
        from crm.service import parts
        from integration.aftersales import parts_billing  # registers the parts invoicing handler

        parts.register_invoice_links(parts_billing.invoice_links)
