"""The ``lot.held`` rule of the orders: what order lines hold of a lot put on hold is released,
open pick lists that offer the lot are cancelled, and the orders are reserved again by the
backorder rule (other lots, other warehouses, or a backorder), as if the lot did not exist."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from integration.fulfilment.backorders import _serve
from integration.fulfilment.models import Backorder, Shipment
from scm.inventory import holds
from scm.inventory.models import Reservation

ZERO = Decimal("0")
DEMAND_PREFIX = "sales.orderline:"


def orders_move_off_held_lot(*, lot_id: int, event_id: int | None = None, user=None) -> dict[int, Decimal]:
    """Release the order lines' reservations on the held lot and reserve the orders again.
    Returns what each line released (by line id). Idempotent: a second run finds nothing held."""
    demands = Reservation.objects.filter(
        lot_id=lot_id, demand__startswith=DEMAND_PREFIX, quantity__gt=0
    ).values_list("demand", flat=True)
    line_ids = {int(d.rsplit(":", 1)[1]) for d in demands}
    if not line_ids:
        return {}
    with transaction.atomic(savepoint=False):
        order_ids = sorted(
            set(SalesOrderLine.objects.filter(pk__in=line_ids).values_list("order_id", flat=True))
        )
        list(SalesOrder.objects.select_for_update().filter(pk__in=order_ids).order_by("pk").values_list("pk"))
        released = holds.lot_reservations_release(lot_id=lot_id, demand_prefix=DEMAND_PREFIX, user=user)
        by_line = {int(d.rsplit(":", 1)[1]): q for d, q in released.items()}
        order_services.order_lines_progress(reserved={pk: -q for pk, q in by_line.items()})
        Shipment.objects.filter(state=Shipment.State.PICKING, lines__lot_id=lot_id).update(
            state=Shipment.State.CANCELLED
        )
        for order_id in order_ids:
            order_states.order_refresh_state(order_id=order_id, user=user)
        wanted: dict[int, set[int]] = {}
        for line_id, order_id in SalesOrderLine.objects.filter(pk__in=list(by_line)).values_list(
            "pk", "order_id"
        ):
            wanted.setdefault(order_id, set()).add(line_id)
        _serve(wanted, event_id=event_id, user=user)
        _backorders_owed(list(by_line))
    return by_line


def _backorders_owed(line_ids: list[int]) -> None:
    """Each line's backorder becomes what it still lacks, so stock arriving later serves it."""
    lines = SalesOrderLine.objects.filter(pk__in=line_ids).select_related("order")
    now = timezone.now()
    for line in lines:
        if line.order.state not in (
            SalesOrder.State.CONFIRMED,
            SalesOrder.State.PARTLY_RESERVED,
            SalesOrder.State.PARTLY_SHIPPED,
        ):
            continue
        lacks = max(line.base_quantity - line.reserved_quantity - line.shipped_quantity, ZERO)
        updated = Backorder.objects.filter(line=line).update(quantity=lacks, updated_at=now)
        if not updated and lacks > 0:
            Backorder.objects.create(
                line=line, order_id=line.order_id, product_id=line.product_id, quantity=lacks
            )
