"""Event handlers of replenishment planning. Each runs inside its delivery's transaction and is
idempotent: a second run for the same event changes nothing more."""

from core.events import names
from core.events.registry import on
from integration.planning import engine, notices
from integration.planning.models import Suggestion


@on(names.STOCK_SHORTAGE)
def replenish_on_shortage(event):
    """A shortage plans the product at once: its suggestion covers what is short."""
    product_id = event.payload["product_id"]
    engine.planning_run(product_ids=[product_id], trigger=Suggestion.Trigger.SHORTAGE)
    notices.suggestions_tell(product_id=product_id)


@on(names.STOCK_BELOW_REORDER_POINT)
def replenish_on_low_stock(event):
    product_id = event.payload["product_id"]
    engine.planning_run(product_ids=[product_id], trigger=Suggestion.Trigger.LOW_STOCK)
    notices.suggestions_tell(product_id=product_id)
