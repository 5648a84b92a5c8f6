"""Payables test helpers: purchase orders whose goods were received (posted receipts: the
receiving services are tested in their own module; these rows stand for their result) and
bills against them."""

from datetime import date
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from finance.payables import bills
from scm.purchasing.models import PurchaseOrderLine, Receipt, ReceiptLine
from tests.factories import UserFactory
from tests.scm.purchasing.factories import SupplierFactory, open_purchase_order

D = Decimal


ONE_LINE = ({"quantity": D("10"), "unit_price": D("50.0000")},)


def received_order(*, supplier=None, lines=ONE_LINE, accepted=None):
    """A sent order of ``lines`` whose goods were received and accepted into stock: a posted
    receipt with a line each, and the order lines' received/accepted quantities moved.
    ``accepted``: the accepted quantity per line (default: everything ordered)."""
    supplier = supplier or SupplierFactory()
    order = open_purchase_order(supplier=supplier, lines=list(lines))
    receiver = UserFactory(roles=["warehouse"])
    receipt = Receipt.objects.create(
        number=f"GR-TEST-{order.pk:06d}",
        purchase_order=order,
        supplier=supplier,
        warehouse=order.warehouse,
        state=Receipt.State.POSTED,
        received_by=receiver,
        posted_at=timezone.now(),
    )
    for i, line in enumerate(order.lines.all()):
        qty = accepted[i] if accepted is not None else line.base_quantity
        ReceiptLine.objects.create(
            receipt=receipt,
            po_line=line,
            product=line.product,
            quantity=qty,
            accepted_quantity=qty,
            unit_cost=line.unit_price,
        )
        PurchaseOrderLine.objects.filter(pk=line.pk).update(
            received_quantity=F("received_quantity") + qty, accepted_quantity=F("accepted_quantity") + qty
        )
    return order


def bill_for(order, *, number=None, quantity=None, unit_price=None, issue_date=None, user=None):
    """A bill for every line of ``order`` at ``quantity`` (default: what was accepted) and
    ``unit_price`` (default: the order's)."""
    lines = [
        {"po_line": line.pk, "quantity": quantity or line.accepted_quantity, "unit_price": unit_price}
        for line in order.lines.all()
    ]
    return bills.bill_create(
        supplier=order.supplier,
        supplier_invoice_number=number or f"INV-{order.pk}-{order.bills.count() + 1}",
        lines=lines,
        issue_date=issue_date or date(2026, 3, 1),
        user=user,
    )


def service_bill(supplier, amount="100.00", *, number=None, issue_date=None):
    """A bill without an order (a service): approved as entered."""
    return bills.bill_create(
        supplier=supplier,
        supplier_invoice_number=number or f"SVC-{supplier.pk}-{supplier.bills.count() + 1}",
        lines=[{"description": "运输服务", "quantity": "1", "unit_price": amount, "tax_rate": "0"}],
        issue_date=issue_date or date(2026, 3, 1),
    )
