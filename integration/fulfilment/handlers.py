"""Event handlers of the order-to-cash loop. Each runs inside its delivery's transaction and is
idempotent: a second run for the same event changes nothing. E-mail goes out from a handler of
its own that runs outside any transaction (``send_shipping_notice``)."""

from django.utils.translation import gettext_noop

from core.events import names
from core.events.registry import batch_of, on
from crm.sales.models import SalesOrder
from crm.sales.orders import states as order_states
from integration.fulfilment import notices
from integration.fulfilment.backorders import backorders_serve
from integration.fulfilment.models import Shipment
from integration.fulfilment.reservations import order_reserve, orders_reserve
from integration.fulfilment.services import _lock_order
from integration.fulfilment.shipping import shipment_invoice


@on(names.ORDER_CONFIRMED)
def reserve_confirmed_order(event):
    order_reserve(order_id=event.payload["order_id"], event_id=event.pk)


@batch_of(reserve_confirmed_order)
def reserve_confirmed_orders(events):
    """The rule for a batch of confirmed orders in one go (the worker took several at once)."""
    orders_reserve(runs=[(event.payload["order_id"], event.pk) for event in events])


@on(names.STOCK_AVAILABLE)
def serve_backorders(event):
    """Stock became free: the lines waiting for its products are reserved (once per event)."""
    backorders_serve(product_ids=event.payload["product_ids"], event_id=event.pk)


@on(names.STOCK_RECEIVED)
def serve_bought_for_first(event):
    """Goods bought for orders arrived (a posted purchase receipt, which announces no
    ``stock.available`` of its own): the lines they were bought for (``demands``) are served
    first, then the backorder rule takes the rest (once per event)."""
    backorders_serve(
        product_ids=event.payload["product_ids"],
        event_id=event.pk,
        first_demands=event.payload.get("demands") or (),
    )


@on(names.SHIPMENT_SHIPPED)
def invoice_and_tell_customer(event):
    """Raise the AR invoice for a shipment (once: finance is idempotent on the shipment number,
    and the shipment remembers its invoice), record it on the order, and have the customer
    told: the notice is recorded as due and sent by ``send_shipping_notice``, after this
    transaction has committed."""

    order = _lock_order(event.payload["order_id"])
    # Only the shipment row: locking its warehouse too would wait on (and deadlock with) the
    # foreign-key checks of reservations in that warehouse.
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=event.payload["shipment_id"])
    )
    if shipment.invoice_id is not None:
        return
    shipment_invoice(order=order, shipment=shipment)
    notices.shipment_notice_due(order=order, shipment=shipment)


@on(names.SHIPMENT_NOTICE_DUE, atomic=False)
def send_shipping_notice(event):
    """E-mail the shipping notice, outside any transaction (network I/O); a failed send raises
    and the outbox retries it. Idempotent by the notice's own state (``notices``)."""
    notices.shipment_notice_send(shipment_id=event.payload["shipment_id"])


@on(names.INVOICE_PAID)
def order_paid_when_all_invoices_paid(event):
    from finance.models import Invoice

    order_id = event.payload.get("sales_order_id")
    if not order_id:
        return
    order = _lock_order(order_id)
    if order.state != SalesOrder.State.INVOICED:
        return
    invoices = Invoice.objects.filter(sales_order_id=order.pk)
    if invoices.exists() and not invoices.exclude(state__in=_paid_states(Invoice)).exists():
        order_states.order_transition(
            order=order, to_state=SalesOrder.State.PAID, text=gettext_noop("All invoices paid")
        )


def _paid_states(Invoice) -> list[str]:
    states = getattr(Invoice, "State", None)
    paid = [
        getattr(states, name) for name in ("PAID", "CANCELLED", "VOID") if states and hasattr(states, name)
    ]
    return paid or ["paid"]


@on(names.LOT_HELD)
def move_orders_off_held_lot(event):
    """A lot was put on hold: the order lines holding it are reserved elsewhere (once: a second
    run finds nothing of the lot held)."""
    from integration.fulfilment.lot_holds import orders_move_off_held_lot

    orders_move_off_held_lot(lot_id=event.payload["lot_id"], event_id=event.pk)
