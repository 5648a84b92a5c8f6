"""Open purchase order lines as expected receipts in inventory (one owner for what a line
still brings: ``PurchaseOrderLine.open_quantity`` while the order is open)."""

from scm.inventory.incoming import incoming_supply_clear, incoming_supply_set
from scm.purchasing.models import OPEN_STATES, PurchaseOrder, PurchaseOrderLine


def order_incoming_sync(order: PurchaseOrder) -> None:
    """Register (or withdraw) every line of ``order`` as incoming supply: called by each
    service that changes an order's state, lines or received quantities, in its transaction."""
    lines = list(PurchaseOrderLine.objects.filter(order_id=order.pk))
    if order.state not in OPEN_STATES:
        incoming_supply_clear(references=[line.incoming_reference for line in lines])
        return
    for line in lines:
        incoming_supply_set(
            reference=line.incoming_reference,
            product_id=line.product_id,
            warehouse_id=order.warehouse_id,
            quantity=line.open_quantity,
            expected_date=line.expected_date,
        )
