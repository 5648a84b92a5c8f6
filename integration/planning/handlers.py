"""Event handlers of replenishment planning. Each runs in its delivery's transaction and is
idempotent: the demand history's work is ``integration.planning.history``'s (once per document),
the replenishment rule's is ``engine.planning_run`` (it brings the suggestions to what is needed
now, so a second run changes nothing) and ``notices`` (once per product and day)."""

from datetime import timedelta

from core.events import names
from core.events.registry import batch_of, on
from integration.planning import engine, history, notices
from integration.planning.models import Plan, Suggestion


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
    replenish({event.payload["product_id"]: event.created_at}, trigger=Suggestion.Trigger.SHORTAGE)


@batch_of(replenish_on_shortage)
def replenish_on_shortages(events):
    """A batch of shortages plans their products once (the plan is of the state now, whatever
    the number of events that asked for it)."""
    latest: dict = {}
    for e in events:
        pid = e.payload["product_id"]
        latest[pid] = max(latest.get(pid, e.created_at), e.created_at)
    replenish(latest, trigger=Suggestion.Trigger.SHORTAGE)


# A run that began this long after an event was published has seen its effect (its transaction
# has long committed): the event need not plan the product again.
SEEN_AFTER = timedelta(seconds=1)


def replenish(published: dict, *, trigger: str) -> None:
    """Plan the products (id → when the event asking for it was published) and tell purchasing.
    A product whose plans were computed after its event (a hot product runs short with every
    order; a run for one of them covers those before it) is not planned again."""
    seen = set(
        Plan.objects.filter(
            product_id__in=list(published), computed_at__gt=min(published.values()) + SEEN_AFTER
        ).values_list("product_id", "computed_at")
    )
    fresh = {pid for pid, at in seen if at > published[pid] + SEEN_AFTER}
    todo = sorted(pid for pid in published if pid not in fresh)
    if todo:
        engine.planning_run(product_ids=todo, trigger=trigger)
    for product_id in sorted(published):
        notices.suggestions_tell(product_id=product_id)


@on(names.STOCK_BELOW_REORDER_POINT)
def replenish_on_low_stock(event):
    """Stock below the reorder point plans the product too."""
    replenish({event.payload["product_id"]: event.created_at}, trigger=Suggestion.Trigger.LOW_STOCK)
