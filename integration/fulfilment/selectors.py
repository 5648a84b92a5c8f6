"""Reads of the bridge: pick lists per warehouse, shipments, returns, what an order holds."""

from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Sum

from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders.selectors import order_ready_to_ship_q, order_visible_q
from crm.sales.orders.waiting import waiting_order_by
from integration.fulfilment.models import Return, Shipment, ShipmentLine
from integration.fulfilment.walk import WALK_ORDER, lines_for_display, tote_rank, unit_totals, walk_key
from scm.inventory.models import Reservation

DEMAND_PREFIX = "sales.orderline:"
SHIPPABLE = (SalesOrder.State.PARTLY_RESERVED, SalesOrder.State.RESERVED, SalesOrder.State.PARTLY_SHIPPED)


def pick_order(prefix: str = "") -> tuple:
    """The order in which orders are picked: the backorder rule's
    (``crm.sales.orders.waiting.waiting_order_by``): priority (urgent first), requested delivery
    date (none last), confirmation time, id. ``prefix``: of a related order (``"order__"``)."""
    return waiting_order_by(prefix)


def pick_list_orders(*, warehouse_id: int) -> QuerySet:
    """Orders with stock held in ``warehouse_id`` and ready to pick (``order_ready_to_ship_q``:
    an order waiting to ship complete only once it is), in ``pick_order`` (two queries when
    evaluated: the held line ids, then the orders with their customers)."""
    demands = Reservation.objects.filter(
        warehouse_id=warehouse_id, quantity__gt=0, demand__startswith=DEMAND_PREFIX
    ).values_list("demand", flat=True)
    line_ids = {int(d[len(DEMAND_PREFIX) :]) for d in demands}
    return (
        # Orders of those lines by a subquery (no join, so no DISTINCT to clash with the ordering).
        SalesOrder.objects.filter(
            state__in=SHIPPABLE, pk__in=SalesOrderLine.objects.filter(pk__in=line_ids).values("order_id")
        )
        .filter(order_ready_to_ship_q())
        .select_related("customer")
        .order_by(*pick_order())
    )


def picks_due(*, user) -> QuerySet:
    """Orders the user may read that hold stock ready to pick (a line with reserved stock; an
    order waiting to ship complete only once it is), in ``pick_order``, with their customers."""
    held = SalesOrderLine.objects.filter(order_id=OuterRef("pk"), reserved_quantity__gt=0)
    return (
        SalesOrder.objects.filter(order_visible_q(user), state__in=SHIPPABLE)
        .filter(Exists(held), order_ready_to_ship_q())
        .select_related("customer")
        .order_by(*pick_order())
    )


def pick_places(*, order_ids) -> dict[int, dict]:
    """Per order: the warehouses holding its stock (id → name) and its open pick lists
    (warehouse id → shipment id). Three queries for any number of orders."""
    order_ids = list(order_ids)
    lines = dict(
        SalesOrderLine.objects.filter(order_id__in=order_ids, reserved_quantity__gt=0).values_list(
            "pk", "order_id"
        )
    )
    places: dict[int, dict] = {pk: {"warehouses": {}, "open": {}} for pk in order_ids}
    held = (
        Reservation.objects.filter(demand__in=[f"{DEMAND_PREFIX}{pk}" for pk in lines], quantity__gt=0)
        .values_list("demand", "warehouse_id", "warehouse__name")
        .distinct()
    )
    for demand, warehouse_id, name in held:
        places[lines[int(demand[len(DEMAND_PREFIX) :])]]["warehouses"][warehouse_id] = name
    for order_id, warehouse_id, pk in Shipment.objects.filter(
        order_id__in=order_ids, state=Shipment.State.PICKING
    ).values_list("order_id", "warehouse_id", "pk"):
        places[order_id]["open"][warehouse_id] = pk
    return places


def held_by_order(*, order_ids, warehouse_id: int) -> dict[int, Decimal]:
    """Base units held per order in one warehouse (one query)."""
    lines = dict(SalesOrderLine.objects.filter(order_id__in=list(order_ids)).values_list("pk", "order_id"))
    demands = [f"{DEMAND_PREFIX}{pk}" for pk in lines]
    out: dict[int, Decimal] = {}
    for demand, qty in (
        Reservation.objects.filter(demand__in=demands, warehouse_id=warehouse_id)
        .values("demand")
        .annotate(q=Sum("quantity"))
        .values_list("demand", "q")
    ):
        order_id = lines[int(demand[len(DEMAND_PREFIX) :])]
        out[order_id] = out.get(order_id, Decimal(0)) + qty
    return out


def held_by_order_units(*, order_ids, warehouse_id: int) -> dict[int, list[str]]:
    """What each order holds in one warehouse, in the units its lines were ordered in and
    never added across units (``walk.unit_totals``): order id → ["2 箱", "6 个"]. Two
    queries for any number of orders."""

    lines = {
        line.pk: line
        for line in SalesOrderLine.objects.filter(order_id__in=list(order_ids))
        .select_related("unit", "product")
        .only("pk", "order_id", "unit__name", "unit__factor", "product__base_unit")
    }
    items: dict[int, list] = {}
    for demand, quantity in (
        Reservation.objects.filter(
            demand__in=[f"{DEMAND_PREFIX}{pk}" for pk in lines], warehouse_id=warehouse_id, quantity__gt=0
        )
        .values("demand")
        .annotate(q=Sum("quantity"))
        .values_list("demand", "q")
        .order_by("demand")
    ):
        line = lines[int(demand[len(DEMAND_PREFIX) :])]
        items.setdefault(line.order_id, []).append((quantity, line.unit, line.product.base_unit))
    return {order_id: unit_totals(rows) for order_id, rows in items.items()}


def next_pick(*, warehouse_id: int, user) -> Shipment | None:
    """The pick list a picker goes on to in a warehouse: their own open one (not in a batch) by
    the orders' ``pick_order``, else None (the caller opens the next order of the queue, or
    shows the queue). One query."""
    return (
        Shipment.objects.filter(
            warehouse_id=warehouse_id, state=Shipment.State.PICKING, batch__isnull=True, created_by=user
        )
        .order_by(*pick_order(prefix="order__"))
        .first()
    )


def open_pick_lists(*, warehouse_id: int) -> dict[int, int]:
    """order id → open pick list (shipment) id in this warehouse."""
    return dict(
        Shipment.objects.filter(warehouse_id=warehouse_id, state=Shipment.State.PICKING).values_list(
            "order_id", "pk"
        )
    )


def shipments_for(*, user, state: str = "", order_id: int | None = None) -> QuerySet:
    """The shipments of the orders ``user`` may read (the orders' record rule)."""
    qs = (
        Shipment.objects.filter(order_visible_q(user, prefix="order__"))
        .select_related("order__customer", "warehouse")
        .order_by("-created_at", "-pk")
    )
    if state:
        qs = qs.filter(state=state)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return qs


def shipment_with_lines(*, pk: int) -> Shipment:
    """A shipment with its order, warehouse, customer notice (if any) and lines (with their
    bins and order lines' units), the lines in walk order (``walk.WALK_ORDER``)."""

    return (
        Shipment.objects.select_related("order__customer", "warehouse", "notice", "current_location", "batch")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related(
                    "product", "lot", "location", "order_line__unit"
                ).order_by(*WALK_ORDER),
            )
        )
        .get(pk=pk)
    )


def returns_for(*, user) -> QuerySet:
    """The returns of the orders ``user`` may read (the orders' record rule)."""
    return (
        Return.objects.filter(order_visible_q(user, prefix="shipment_line__shipment__order__"))
        .select_related(
            "shipment_line__shipment__order__customer", "shipment_line__product", "shipment_line__lot"
        )
        .order_by("-created_at", "-pk")
    )


def shipment_lines_for(*, user) -> QuerySet:
    """The shipment lines of the orders ``user`` may read (the orders' record rule)."""
    return ShipmentLine.objects.filter(order_visible_q(user, prefix="shipment__order__"))


def customer_shipments(*, customer_id: int, user, limit: int = 5) -> list[Shipment]:
    """The customer's latest shipments (pick lists in progress included), newest first, for the
    customer 360 panel: those of the orders the user may read (the orders' record rule). One
    query."""
    qs = (
        shipments_for(user=user)
        .filter(order__customer_id=customer_id)
        .exclude(state=Shipment.State.CANCELLED)
    )
    return list(
        qs.select_related("order", "warehouse").order_by(
            F("shipped_at").desc(nulls_first=True), "-created_at", "-pk"
        )[:limit]
    )


def batch_walk(*, batch, user) -> dict:
    """A batch pick as its page shows it: ``totes`` (its shipments of orders the user may
    read, in tote order, each with ``lines``, ``picked`` and ``complete``) and ``lines`` (every
    open tote's lines in one walk: bin sequence, stock not put away last, then product and
    tote), with quantities in the order lines' units. Three queries."""

    totes = sorted(
        shipments_for(user=user)
        .filter(batch=batch)
        .select_related("current_location")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related(
                    "product", "lot", "location", "order_line__unit"
                ).order_by(*WALK_ORDER),
            )
        ),
        key=lambda s: tote_rank(s.tote),
    )
    rank = {s.pk: i for i, s in enumerate(totes)}
    walk = []
    for shipment in totes:
        shipment.walk_lines = lines_for_display(list(shipment.lines.all()))
        shipment.picked = any(line.picked_quantity > 0 for line in shipment.walk_lines)
        shipment.complete = all(line.picked_quantity >= line.quantity for line in shipment.walk_lines)
        if shipment.state == Shipment.State.PICKING:
            for line in shipment.walk_lines:
                line.tote = shipment.tote
                walk.append(line)
    walk.sort(key=lambda line: (walk_key(line)[:-1], rank[line.shipment_id], line.pk))
    return {
        "totes": totes,
        "lines": walk,
        "open_totes": [s for s in totes if s.state == Shipment.State.PICKING],
    }
