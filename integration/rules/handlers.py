"""Event handlers of the cross-module rules. Each runs inside its delivery's transaction and is
idempotent: a second run for the same event changes nothing."""

from core.events import names
from core.events.registry import on
from integration.rules import purchasing, services


@on(names.SHIPMENT_SHIPPED)
def customer_stage_from_shipment(event):
    services.customer_stage_after_shipment(order_id=event.payload["order_id"])


@on(names.STOCK_SHORTAGE)
def stock_tight_on_shortage(event):
    services.stock_tight_tell(product_id=event.payload["product_id"])


@on(names.STOCK_BELOW_REORDER_POINT)
def stock_tight_on_low_stock(event):
    services.stock_tight_tell(product_id=event.payload["product_id"])


@on(names.STOCK_SHORTAGE)
def purchasing_on_shortage(event):
    purchasing.purchasing_replenish_tell(
        product_id=event.payload["product_id"], needed=event.payload.get("quantity") or 0
    )


@on(names.STOCK_BELOW_REORDER_POINT)
def purchasing_on_low_stock(event):
    purchasing.purchasing_replenish_tell(
        product_id=event.payload["product_id"], needed=purchasing.below_reorder_point_need(event.payload)
    )
