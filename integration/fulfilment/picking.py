"""Pick lists: opening them (one order or several for a batch pick), what they hold, the order a
picker walks them in, and their quantities in the units the customer ordered.

A pick list is a ``Shipment`` in state ``picking`` made from what the order's lines hold in one
warehouse: one line per reservation (product and lot), and in a warehouse with bins one line per
bin it is taken from (``scm.inventory.locations.pick_sources``); stock not put away is picked
from the warehouse's implicit location (``ShipmentLine.location`` empty), walked last.
Locks: the orders' rows (primary-key order), then the shipments'.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.numbers import document_number
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import states as order_states
from crm.sales.orders.selectors import order_ready_to_ship_q, orders_visible_to
from integration.fulfilment import selectors
from integration.fulfilment.models import Shipment, ShipmentLine
from integration.fulfilment.walk import ZERO
from scm.inventory import locations
from scm.inventory.models import Lot, Reservation, Warehouse

S = SalesOrder.State
SHIPPABLE_STATES = (S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED)


def refuse_held(lot: Lot | None, field: str) -> None:
    """A lot on hold (a quality problem) is never picked or shipped."""
    if lot is not None and lot.held_at is not None:
        raise ValidationError(
            {
                field: _("Lot %(lot)s is on hold (%(reason)s) and may not be shipped.")
                % {"lot": lot.number, "reason": lot.held_reason}
            }
        )


def shipment_start(*, order: SalesOrder, warehouse: Warehouse, user=None) -> Shipment:
    """Open the pick list for ``order`` in ``warehouse`` (or return the one already open)."""
    with transaction.atomic():
        opened = pick_lists_open(order_ids=[order.pk], warehouse=warehouse, user=user, strict=True)
    return opened[0]


def pick_lists_open(
    *, order_ids: list[int], warehouse: Warehouse, user=None, strict: bool = False, batch=None, totes=None
) -> list[Shipment]:
    """The pick lists of several orders in one warehouse, in ``order_ids`` order: the open one
    where there is one, else a new one made from what each order's lines hold there. The
    caller's transaction; the orders are locked (primary-key order). A few statements whatever
    the number of orders (a batch pick of fifty orders is built at once).

    ``strict``: an order that cannot be picked there is refused (``ValidationError``); else it is
    left out. ``batch`` and ``totes`` (order id → tote) put the lists in a batch pick."""
    orders = {
        o.pk: o
        for o in SalesOrder.objects.select_for_update(of=("self",))
        .filter(pk__in=order_ids)
        .order_by("pk")
        .only("pk", "number", "state")
    }
    # An order that waits to ship complete is picked once none of its lines lacks stock.
    ready = set(
        SalesOrder.objects.filter(pk__in=list(orders))
        .filter(order_ready_to_ship_q())
        .values_list("pk", flat=True)
    )
    if strict:
        for pk in order_ids:
            if pk not in orders or orders[pk].state not in SHIPPABLE_STATES:
                raise ValidationError({"order": _("Only a reserved order can be picked.")})
            if pk not in ready:
                raise ValidationError(
                    {
                        "order": _(
                            "This order waits to ship complete: it is picked once every line is reserved."
                        )
                    }
                )
    wanted = [pk for pk in order_ids if pk in orders and orders[pk].state in SHIPPABLE_STATES and pk in ready]
    existing = {
        s.order_id: s
        for s in Shipment.objects.select_for_update(of=("self",)).filter(
            order_id__in=wanted, warehouse=warehouse, state=Shipment.State.PICKING
        )
    }
    lines = {
        line.demand: line
        for line in SalesOrderLine.objects.filter(order_id__in=[pk for pk in wanted if pk not in existing])
        .only("pk", "order_id", "product_id")
        .order_by("pk")
    }
    held: dict[int, list[Reservation]] = {}
    for r in Reservation.objects.filter(demand__in=list(lines), warehouse=warehouse, quantity__gt=0).order_by(
        "pk"
    ):
        held.setdefault(lines[r.demand].order_id, []).append(r)
    if strict and wanted and wanted[0] not in existing and not held:
        raise ValidationError({"warehouse": _("Nothing is reserved for this order in this warehouse.")})
    made: dict[int, Shipment] = {}
    for pk in wanted:
        if pk in existing or pk not in held:
            continue
        made[pk] = Shipment(
            number=document_number(prefix="SH", digits=5),
            order_id=pk,
            warehouse=warehouse,
            created_by=user,
            batch=batch,
            tote=(totes or {}).get(pk, ""),
        )
    Shipment.objects.bulk_create(list(made.values()))
    if batch is not None:
        _join_batch([existing[pk] for pk in wanted if pk in existing], batch, totes or {})
    wants = [(pk, r) for pk in made for r in held[pk]]
    sources = pick_line_sources(
        warehouse_id=warehouse.pk, wants=[(r.product_id, r.lot_id, r.quantity) for _pk, r in wants]
    )
    new_lines = [
        ShipmentLine(
            shipment=made[pk],
            order_line=lines[r.demand],
            product_id=r.product_id,
            lot_id=r.lot_id,
            location=location,
            quantity=quantity,
        )
        for (pk, r), split in zip(wants, sources, strict=True)
        for location, quantity in split
    ]
    ShipmentLine.objects.bulk_create(new_lines)
    if made:
        order_states.orders_transition(
            moves=[
                (
                    orders[pk],
                    None,
                    [
                        {
                            "kind": "picking",
                            "text": gettext_noop("Pick list %(number)s opened in %(warehouse)s"),
                            "params": {"number": s.number, "warehouse": str(warehouse)},
                            "user": user,
                        }
                    ],
                )
                for pk, s in made.items()
            ]
        )
    return [made.get(pk) or existing[pk] for pk in wanted if pk in made or pk in existing]


def batch_settle(*, batch_id: int | None) -> None:
    """A batch pick with no tote left to ship is done (one UPDATE)."""
    if batch_id is None:
        return
    from integration.fulfilment.models import PickBatch

    still_open = Shipment.objects.filter(batch_id=batch_id, state=Shipment.State.PICKING)
    PickBatch.objects.filter(pk=batch_id, state=PickBatch.State.PICKING).exclude(Exists(still_open)).update(
        state=PickBatch.State.DONE
    )


def _join_batch(shipments: list[Shipment], batch, totes: dict[int, str]) -> None:
    for shipment in shipments:
        shipment.batch, shipment.tote = batch, totes.get(shipment.order_id, "")
        Shipment.objects.filter(pk=shipment.pk).update(batch=batch, tote=shipment.tote)


def planned_picks(*, warehouse_id: int, keys) -> dict[tuple, dict[int, Decimal]]:
    """What open pick lists of the warehouse already send pickers to take from each bin:
    (product id, lot id) → {location id: quantity still to pick}. One query."""
    keys = set(keys)
    planned: dict[tuple, dict[int, Decimal]] = {}
    if not keys:
        return planned
    rows = ShipmentLine.objects.filter(
        shipment__warehouse_id=warehouse_id,
        shipment__state=Shipment.State.PICKING,
        product_id__in={product_id for product_id, _lot in keys},
        location__isnull=False,
        quantity__gt=F("picked_quantity"),
    ).values_list("product_id", "lot_id", "location_id", "quantity", "picked_quantity")
    for product_id, lot_id, location_id, quantity, picked in rows:
        if (product_id, lot_id) in keys:
            bins = planned.setdefault((product_id, lot_id), {})
            bins[location_id] = bins.get(location_id, ZERO) + quantity - picked
    return planned


def pick_line_sources(*, warehouse_id: int, wants: list[tuple]) -> list[list[tuple]]:
    """Where each wanted (product id, lot id, quantity) is picked from, in a warehouse:
    [(location or None, quantity)] per want. The bins in pick sequence, less what open pick
    lists already send pickers to take there, and the wants before it
    (``scm.inventory.locations.pick_sources``); what the bins lack from the implicit location.
    A warehouse without bins: one query, everything from its implicit location."""
    if not wants or not locations.has_locations(warehouse_id):
        return [[(None, quantity)] for _p, _l, quantity in wants]
    totals: dict[tuple, Decimal] = {}
    for product_id, lot_id, quantity in wants:
        totals[(product_id, lot_id)] = totals.get((product_id, lot_id), ZERO) + quantity
    pools = locations.pick_sources_many(
        warehouse_id=warehouse_id, wants=totals, planned=planned_picks(warehouse_id=warehouse_id, keys=totals)
    )
    out = []
    for product_id, lot_id, quantity in wants:
        out.append(_take(pools[(product_id, lot_id)], quantity))
    return out


def _take(pool: list[list], quantity: Decimal) -> list[tuple]:
    """Take ``quantity`` off the front of a pool of [location, quantity] sources (in place)."""
    pool[:] = [list(source) for source in pool]
    taken, left = [], quantity
    while left > 0 and pool:
        location, available = pool[0]
        part = min(available, left)
        taken.append((location, part))
        left -= part
        if part == available:
            pool.pop(0)
        else:
            pool[0][1] = available - part
    return taken


def pick_lists_add(*, lines: dict[str, SalesOrderLine], allocations: dict[str, list]) -> None:
    """Stock reserved for an order after its pick list was opened (a backorder served) goes on
    that open list, so the picker is offered it: ``allocations`` (inventory's, by demand) of the
    order ``lines`` (by demand). A new lot becomes a new pick line. The caller holds the orders'
    locks; quantities move with ``F()``. One query when no list is open."""
    if not lines:
        return
    open_lists = {
        (order_id, warehouse_id): pk
        for pk, order_id, warehouse_id in Shipment.objects.filter(
            order_id__in={line.order_id for line in lines.values()}, state=Shipment.State.PICKING
        ).values_list("pk", "order_id", "warehouse_id")
    }
    if not open_lists:
        return
    added = [
        (shipment_id, line, allocation)
        for demand, line in lines.items()
        for allocation in allocations.get(demand, ())
        if (shipment_id := open_lists.get((line.order_id, allocation.warehouse_id))) is not None
    ]
    for shipment_id, line, allocation in added:
        (split,) = pick_line_sources(
            warehouse_id=allocation.warehouse_id,
            wants=[(line.product_id, allocation.lot_id, allocation.quantity)],
        )
        for location, quantity in split:
            pick_line_add(
                shipment_id=shipment_id,
                order_line=line,
                lot_id=allocation.lot_id,
                location=location,
                quantity=quantity,
            )


def pick_line_add(*, shipment_id: int, order_line, lot_id, location, quantity: Decimal) -> None:
    """More to pick of an order line's lot from one place: added to its pick line there (a
    conditional ``F()`` update), else a new line."""
    if ShipmentLine.objects.filter(
        shipment_id=shipment_id, order_line_id=order_line.pk, lot_id=lot_id, location=location
    ).update(quantity=F("quantity") + quantity):
        return
    ShipmentLine.objects.create(
        shipment_id=shipment_id,
        order_line=order_line,
        product_id=order_line.product_id,
        lot_id=lot_id,
        location=location,
        quantity=quantity,
    )


def next_pick_open(*, warehouse: Warehouse, user) -> Shipment | None:
    """After a shipment leaves, the pick list the picker goes on to in that warehouse: their own
    open one (not in a batch pick), else the next order of the queue (``selectors.pick_order``)
    that nobody is picking, opened now; None when nothing is left to pick there."""
    mine = selectors.next_pick(warehouse_id=warehouse.pk, user=user)
    if mine is not None:
        return mine
    busy = Shipment.objects.filter(state=Shipment.State.PICKING, warehouse=warehouse).values("order_id")
    order = (
        selectors.pick_list_orders(warehouse_id=warehouse.pk)
        .filter(pk__in=orders_visible_to(user).values("pk"))
        .exclude(pk__in=busy)
        .first()
    )
    if order is None:
        return None
    return shipment_start(order=order, warehouse=warehouse, user=user)
