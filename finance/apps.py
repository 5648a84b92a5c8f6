from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    label = "finance"
    verbose_name = _("Finance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import FINANCE, MANAGER, SALES
        from core.ui import register_status_colours
        from crm.customers import credit, panels
        from finance.panels import balance_panel_context, timeline_entries
        from finance.selectors import credit_exposure

        readers = (FINANCE, MANAGER, SALES)
        register(
            NavItem(
                "finance.invoices",
                _("Invoices"),
                "finance:invoice_list",
                readers,
                section="finance",
                order=60,
            ),
            NavItem(
                "finance.aging", _("Aging"), "finance:aging", (FINANCE, MANAGER), section="finance", order=61
            ),
            NavItem(
                "finance.payments",
                _("Payments"),
                "finance:payment_list",
                (FINANCE,),
                section="finance",
                order=62,
            ),
        )
        register_status_colours({"partly_paid": "info", "paid": "success", "overdue": "danger"})
        panels.register(
            "balance",
            _("Balance"),
            "finance/customer_panel.html",
            balance_panel_context,
            roles=readers,
            order=40,
        )
        panels.register_timeline("finance", timeline_entries, roles=readers)
        # The order form shows the credit left with finance's definition (crm.sales may not
        # import finance).
        credit.register(credit_exposure)
