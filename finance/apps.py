from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    label = "finance"
    verbose_name = _("Finance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import FINANCE, MANAGER, PURCHASING, SALES
        from core.ui import register_status_colours
        from crm.customers import credit, panels
        from finance import importers
        from finance.panels import balance_panel_context, timeline_entries
        from finance.payables.panels import payables_panel_context
        from finance.selectors import credit_exposure
        from scm.purchasing import panels as supplier_panels

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
            NavItem(
                "finance.bills",
                _("Bills"),
                "finance:bill_list",
                (FINANCE, MANAGER, PURCHASING),
                section="finance",
                order=63,
            ),
            NavItem(
                "finance.supplier_payments",
                _("Supplier payments"),
                "finance:supplier_payment_list",
                (FINANCE, MANAGER),
                section="finance",
                order=64,
            ),
            NavItem(
                "finance.ap_aging",
                _("Payables aging"),
                "finance:ap_aging",
                (FINANCE, MANAGER),
                section="finance",
                order=65,
            ),
            NavItem(
                "finance.import",
                _("Import opening balances"),
                "finance:import",
                (FINANCE,),
                section="finance",
                order=69,
            ),
        )
        importers.install()
        register_status_colours(
            {
                "partly_paid": "info",
                "paid": "success",
                "overdue": "danger",
                "matched": "primary",
                "on_hold": "warning",
                "approved": "info",
            }
        )
        supplier_panels.register(
            "payables",
            _("Payables"),
            "finance/payables/supplier_panel.html",
            payables_panel_context,
            roles=(FINANCE, MANAGER, PURCHASING),
            order=40,
        )
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
        _register_today()


def _register_today() -> None:
    """Finance's "today" panels (and the mismatched bills among the manager's approvals), the
    quick actions, the bills-due notice's group line."""
    from core import home
    from core.roles import FINANCE, MANAGER
    from finance import today

    home.register(
        "finance.overdue_invoices",
        _("Overdue receivables"),
        "today/rows.html",
        today.home_overdue_invoices,
        roles=(FINANCE,),
        order=10,
    )
    home.register(
        "finance.bills_due",
        _("Bills to pay this week"),
        "today/rows.html",
        today.home_bills_due,
        roles=(FINANCE,),
        order=20,
    )
    home.register(
        "finance.unmatched_bills",
        _("Bills that do not match"),
        "today/rows.html",
        today.home_unmatched_bills,
        roles=(FINANCE,),
        order=30,
    )
    home.register(
        "finance.mismatch_approvals",
        _("Bill mismatches to accept"),
        "today/rows.html",
        today.home_unmatched_bills,
        roles=(MANAGER,),
        order=home.APPROVALS_ORDER + 2,
        section="approvals",
    )
    home.register_action("finance.payment", _("Record a payment"), "finance:payment_create", (FINANCE,), 60)
    home.register_action("finance.bill", _("New bill"), "finance:bill_create", (FINANCE,), 61)
