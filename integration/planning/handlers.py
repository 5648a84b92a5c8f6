"""Event handlers of replenishment planning. Each runs in its delivery's transaction and is
idempotent: the demand history's work is ``integration.planning.history``'s (once per document),
the replenishment rule's is ``engine.planning_run`` (it brings the suggestions to what is needed
now, so a second run changes nothing) and ``notices`` (once per product and day)."""

from core.events import names
from core.events.registry import batch_of, on
from integration.planning import engine, history, notices
from integration.planning.models import Suggestion


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


@batch_of(stockout_from_shortage)
def stockout_from_shortages(events):
    """A batch of shortages (a hot product runs short with every order): one upsert."""
    history.stockout_mark_shortages(
        [(e.payload["product_id"], e.payload["order_id"], history.local_day(e.created_at)) for e in events]
    )


@on(names.STOCK_SHORTAGE)
def replenish_on_shortage(event):
    """A shortage plans the product at once: its suggestion covers what is short."""
    replenish(product_ids=[event.payload["product_id"]], trigger=Suggestion.Trigger.SHORTAGE)


@batch_of(replenish_on_shortage)
def replenish_on_shortages(events):
    """A batch of shortages plans their products once (the plan is of the state now, whatever
    the number of events that asked for it)."""
    replenish(
        product_ids=sorted({e.payload["product_id"] for e in events}), trigger=Suggestion.Trigger.SHORTAGE
    )


def replenish(*, product_ids: list[int], trigger: str) -> None:
    engine.planning_run(product_ids=product_ids, trigger=trigger)
    for product_id in product_ids:
        notices.suggestions_tell(product_id=product_id)


@on(names.STOCK_BELOW_REORDER_POINT)
def replenish_on_low_stock(event):
    """Stock below the reorder point plans the product too."""
    replenish(product_ids=[event.payload["product_id"]], trigger=Suggestion.Trigger.LOW_STOCK)
