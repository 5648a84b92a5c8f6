"""The supplier 360 "payables" panel (``scm.purchasing.panels``)."""

from core.roles import FINANCE, MANAGER, has_role
from finance.payables import selectors
from finance.payables.models import Bill


def payables_panel_context(supplier, user) -> dict:
    return {
        "supplier_id": supplier.pk,
        "balance": selectors.supplier_balance(supplier_id=supplier.pk),
        "last_bills": list(Bill.objects.filter(supplier_id=supplier.pk).order_by("-issue_date", "-id")[:5]),
        "can_read_statement": has_role(user, (FINANCE, MANAGER)),
    }
