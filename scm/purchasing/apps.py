from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "scm.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.navigation import NavItem, register
        from core.roles import FINANCE, MANAGER, PURCHASING
        from core.ui import register_status_colours
        from scm.purchasing import (
            handlers,  # noqa: F401 - registers the e-mail handler
            importers,
            panels,
            supplier_timeline,
        )
        from scm.purchasing.selectors import READ_ROLES, RECEIVE_ROLES

        register(
            NavItem(
                "purchasing.suppliers",
                _("Suppliers"),
                "purchasing:supplier_list",
                (PURCHASING, MANAGER, FINANCE),
                section="purchasing",
                order=40,
            ),
            NavItem("purchasing.orders", _("Purchase orders"), "purchasing:order_list", READ_ROLES, order=60),
            NavItem("purchasing.today", _("Purchasing today"), "purchasing:today", READ_ROLES, order=59),
            # Receiving: the warehouse's screens, under Warehouse.
            NavItem(
                "purchasing.receive",
                _("Receive purchase orders"),
                "purchasing:receiving_tablet",
                RECEIVE_ROLES,
                section="warehouse",
                order=345,
            ),
            NavItem(
                "purchasing.receipts",
                _("Receipts"),
                "purchasing:receipts",
                READ_ROLES,
                section="warehouse",
                order=346,
            ),
            NavItem(
                "purchasing.quarantine",
                _("Quarantine"),
                "purchasing:quarantine",
                READ_ROLES,
                section="warehouse",
                order=347,
            ),
        )
        importers.install()
        panels.register_timeline(
            "purchasing.supplier_audit", supplier_timeline.audit_entries, roles=READ_ROLES
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
        _register_today()


def _register_today() -> None:
    """The home page's panels: the manager's approvals, the buyer's overdue receipts, the
    warehouse's receipts due; quick actions; the approval notices' group line."""
    from django.utils.translation import ngettext_lazy

    from core import home
    from core.events import groups
    from core.roles import MANAGER, PURCHASING, WAREHOUSE
    from scm.purchasing import order_selectors

    home.register(
        "purchasing.to_approve",
        _("Purchase orders waiting for approval"),
        "today/rows.html",
        order_selectors.home_to_approve,
        roles=(MANAGER,),
        order=home.APPROVALS_ORDER + 1,
        section="approvals",
    )
    home.register(
        "purchasing.overdue",
        _("Overdue receipts"),
        "today/rows.html",
        order_selectors.home_overdue,
        roles=(PURCHASING,),
        order=31,
    )
    home.register(
        "purchasing.receipts_due",
        _("Receipts expected today"),
        "today/rows.html",
        order_selectors.home_receipts_due,
        roles=(WAREHOUSE,),
        order=20,
    )
    home.register_action(
        "purchasing.new_order", _("New purchase order"), "purchasing:order_create", (PURCHASING,), 50
    )
    home.register_action("purchasing.receive", _("Receive"), "purchasing:receiving_tablet", (WAREHOUSE,), 21)
    groups.register(
        "po_to_approve",
        ngettext_lazy(
            "%(count)s purchase order waits for your approval",
            "%(count)s purchase orders wait for your approval",
            "count",
        ),
        url_name="purchasing:order_list",
        query="state=to_approve",
    )
