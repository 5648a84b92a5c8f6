"""One order through the loop for the demo's later steps: entered, confirmed, reserved, picked
and shipped in full from one warehouse on a given day (and invoiced when a finance user is given),
then moved back to that day as if it had happened then."""

from datetime import date

from core.dates import at_hour
from crm.sales.models import SalesOrder
from crm.sales.orders import services as order_services
from integration.fulfilment import reservations, services, shipping
from integration.fulfilment.models import Shipment
from scm.inventory.models import StockMove


def demo_order_shipped(
    ctx,
    *,
    customer,
    owner,
    lines: list[dict],
    warehouse,
    picker,
    day: date,
    finance_user=None,
    hour: int = 14,
):
    """The order and its shipment (and the invoice, with ``finance_user``), dated ``day``: the
    order at 9 o'clock, the parcel at ``hour``. Returns (order, shipment, invoice or None)."""
    order = order_services.order_create(customer=customer, owner=owner, lines=lines, order_date=day)
    order = services.order_confirm(order=order, user=owner)
    reservations.order_reserve(order_id=order.pk, event_id=None)
    order.refresh_from_db()
    shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=picker)
    shipment = shipping.shipment_ship(
        shipment=shipment,
        carrier="顺丰速运",
        tracking_number=f"SF{ctx.rng.randint(10**11, 10**12 - 1)}",
        quantities={line.pk: line.quantity for line in shipment.lines.all()},
        user=picker,
    )
    stamp = at_hour(day, hour)
    Shipment.objects.filter(pk=shipment.pk).update(created_at=stamp, shipped_at=stamp)
    StockMove.objects.filter(reference=shipment.number).update(created_at=stamp)
    SalesOrder.objects.filter(pk=order.pk).update(created_at=at_hour(day, 9), confirmed_at=at_hour(day, 9))
    invoice = None
    if finance_user is not None:
        invoice = shipping.shipment_invoice(order=order, shipment=shipment, issue_date=day, user=finance_user)
    shipment.refresh_from_db()
    return order, shipment, invoice
