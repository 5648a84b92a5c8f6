"""Event handlers of the cross-module rules. Each runs inside its delivery's transaction and is
idempotent: a second run for the same event changes nothing."""

from core.events import names
from core.events.registry import on
from integration.rules import services


@on(names.SHIPMENT_SHIPPED)
def customer_stage_from_shipment(event):
    services.customer_stage_after_shipment(order_id=event.payload["order_id"])


@on(names.STOCK_SHORTAGE)
def stock_tight_on_shortage(event):
    services.stock_tight_tell(product_id=event.payload["product_id"])


@on(names.STOCK_BELOW_REORDER_POINT)
def stock_tight_on_low_stock(event):
    services.stock_tight_tell(product_id=event.payload["product_id"])
