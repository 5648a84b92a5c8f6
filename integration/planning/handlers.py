"""Event handlers of replenishment planning. Each runs in its delivery's transaction and is
idempotent; the work is ``integration.planning.history``'s."""

from core.events import names
from core.events.registry import on
from integration.planning import history


@on(names.SHIPMENT_SHIPPED)
def demand_from_shipment(event):
    """What left goes into the demand history (once per shipment)."""
    history.demand_record_shipment(shipment_id=event.payload["shipment_id"])


@on(names.RETURN_RECORDED)
def demand_from_return(event):
    """What came back lowers the demand of its day (once per return)."""
    history.demand_record_return(return_id=event.payload["return_id"])


@on(names.STOCK_SHORTAGE)
def stockout_from_shortage(event):
    """The day an order line went short is a stock-out day at the customer's warehouse."""
    history.stockout_mark_shortage(
        product_id=event.payload["product_id"],
        order_id=event.payload["order_id"],
        day=history.local_day(event.created_at),
    )
