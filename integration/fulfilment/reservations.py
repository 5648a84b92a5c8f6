"""The reservation rule: a confirmed order's lines are reserved from the warehouses nearest the
customer first, lots first-expiry-first-out; what cannot be held becomes a backorder and a
``stock.shortage`` event. Run by the worker for ``order.confirmed`` (a batch of orders at a time
when they come faster than one by one).

Locking: the orders' rows first (primary-key order), then inventory's level rows (its own
fixed order). Order state and line progress change only through ``crm.sales.orders``; stock only
through ``scm.inventory``.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.events import names
from core.events.dispatch import batch_cache
from core.events.services import notify_many, publish
from core.i18n import message
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from integration.fulfilment.models import Backorder, ReservationRun
from integration.fulfilment.services import RESERVABLE_STATES, ZERO, _order_url
from scm.inventory import reservations
from scm.inventory.selectors import active_warehouses, warehouses_by_distance
from scm.inventory.services import plain_qty


def _active_warehouses() -> list[dict]:
    """The active warehouses, read once per dispatch batch (a fraction of a second) when there is
    one. A warehouse closed meanwhile is still never reserved from: the stock query checks."""
    cache = batch_cache()
    if cache is None:
        return active_warehouses()
    if "fulfilment.warehouses" not in cache:
        cache["fulfilment.warehouses"] = active_warehouses()
    return cache["fulfilment.warehouses"]


def order_reserve(*, order_id: int, event_id: int | None = None) -> ReservationRun | None:
    """The reservation rule for one confirmed order.

    Reserves only what each line still lacks (ordered − reserved − shipped), from the warehouses
    nearest the customer first, splitting over the others; inventory takes lots
    first-expiry-first-out. What cannot be held becomes the line's backorder and a
    ``stock.shortage`` event. With ``event_id`` the run is recorded, and a second run for the same
    event does nothing. Runs under a lock on the order row.
    """
    return orders_reserve(runs=[(order_id, event_id)])[0]


def orders_reserve(*, runs: list[tuple[int, int | None]]) -> list[ReservationRun | None]:
    """``order_reserve`` for several orders, (order id, event id) each, in one transaction and
    the same dozen statements as for one: the worker's batch when orders arrive faster than one
    by one. The orders are served in the given order, each as ``order_reserve`` would serve it
    after the ones before. An order may appear once. Returns each run (None: already run)."""
    order_ids = [order_id for order_id, _e in runs]
    if len(set(order_ids)) != len(order_ids):
        raise ValueError("orders_reserve: an order appears twice")
    event_ids = [e for _o, e in runs if e is not None]
    # Joins the delivery's transaction when there is one (no savepoint).
    with transaction.atomic(savepoint=False):
        results, todo_orders = _lock_for_runs(runs, event_ids)
        lines_by_order: dict[int, list] = {order.pk: [] for order, _run in todo_orders}
        if todo_orders:
            lines = (
                SalesOrderLine.objects.filter(order_id__in=list(lines_by_order))
                .select_related("product")
                .annotate(backordered=Exists(Backorder.objects.filter(line=OuterRef("pk"))))
                .order_by("pk")
            )
            for line in lines:
                lines_by_order[line.order_id].append(line)
        todo, got_by_line, _allocations = lines_reserve(
            orders_lines=[(order, lines_by_order[order.pk]) for order, _run in todo_orders]
        )
        totals = {order.pk: [ZERO, ZERO] for order, _run in todo_orders}
        for line, remaining in todo:
            got = got_by_line[line.pk]
            _short(line, remaining - got)
            totals[line.order_id][0] += got
            totals[line.order_id][1] += remaining - got
        moves, notes = [], []
        for order, run in todo_orders:
            run.reserved, run.backordered = totals[order.pk]
            move, note = _run_outcome(order, run, lines_by_order[order.pk], got_by_line)
            moves.append(move)
            notes.append(note)
        order_states.orders_transition(moves=moves)
        recorded = [
            run
            for (_o, event_id), run in zip(runs, results, strict=True)
            if run is not None and event_id is not None
        ]
        if recorded:
            ReservationRun.objects.bulk_create(recorded)
        notify_many(notes)
    return results


def _short(line: SalesOrderLine, short: Decimal) -> None:
    """A line's backorder becomes what it still lacks, and a shortage is announced. A backorder
    row only where something was ever short (no query in the common case)."""
    if line.backordered:
        Backorder.objects.filter(line=line).update(quantity=short, updated_at=timezone.now())
    elif short > 0:
        Backorder.objects.create(line=line, order_id=line.order_id, product=line.product, quantity=short)
    if short > 0:
        publish(
            names.STOCK_SHORTAGE,
            {
                "product_id": line.product_id,
                "quantity": str(short),
                "order_id": line.order_id,
                "line_id": line.pk,
            },
        )


def lines_reserve(
    *, orders_lines: list[tuple[SalesOrder, list[SalesOrderLine]]]
) -> tuple[list[tuple[SalesOrderLine, Decimal]], dict[int, Decimal], dict[str, list]]:
    """The rule's reserving step, shared by the confirmation and the backorder rule: reserve
    what each given line still lacks (ordered − reserved − shipped), the orders served in the
    given order, each from its ship-from warehouse alone or else from the warehouses nearest
    its customer first (``_order_warehouses``), lots
    first-expiry-first-out (``stock_reserve_many``: a few statements whatever the number of
    lines); the lines' reserved figures move. A product deactivated after confirmation holds
    nothing.

    The caller holds the orders' locks (primary-key order) and read the lines under them.
    Returns the lines that lacked something with what they lacked, what each got (by line id)
    and inventory's allocations (by demand)."""
    warehouses = _active_warehouses() if orders_lines else []
    todo, demands, nearest = [], [], []
    for order, lines in orders_lines:
        order_warehouses = _order_warehouses(order, warehouses)
        for line in lines:
            remaining = line.base_quantity - line.reserved_quantity - line.shipped_quantity
            if remaining <= 0:
                continue
            todo.append((line, remaining))
            if line.product.is_active and not line.product.is_template:
                demands.append((line.demand, line.product, remaining))
                nearest.append(order_warehouses)
    allocations = (
        reservations.stock_reserve_many(demands=demands, warehouse_ids_by_demand=nearest) if demands else {}
    )
    got_by_line = {
        line.pk: sum((a.quantity for a in allocations.get(line.demand, ())), ZERO) for line, _r in todo
    }
    order_services.order_lines_progress(reserved=got_by_line)
    return todo, got_by_line, allocations


def _order_warehouses(order: SalesOrder, warehouses: list[dict]) -> list[int]:
    """Where an order is reserved from, in turn: its ship-from warehouse alone when it has one
    (what that lacks waits there as a backorder), else every active warehouse, the nearest to
    the customer first."""
    if order.ship_from_id is not None:
        return [order.ship_from_id]
    customer = order.customer
    return warehouses_by_distance(
        latitude=customer.latitude, longitude=customer.longitude, warehouses=warehouses
    )


def target_state(order: SalesOrder, lines: list[SalesOrderLine], got_by_line: dict[int, Decimal]) -> str:
    """The state an order's lines give it once ``got_by_line`` is added to their reserved
    figures (read under the order's lock): known without reading them back."""
    return order_states.derived_state(
        [
            {
                "base_quantity": line.base_quantity,
                "reserved_quantity": line.reserved_quantity + got_by_line.get(line.pk, ZERO),
                "shipped_quantity": line.shipped_quantity,
                "invoiced_quantity": line.invoiced_quantity,
            }
            for line in lines
        ]
    )


def _lock_for_runs(runs, event_ids):
    """Lock the runs' orders (primary-key order) and set up each run: None where the event was
    already handled; the orders still to reserve, with their runs."""
    locked = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").order_by("pk")
    if event_ids:
        locked = locked.annotate(
            already_run=Exists(ReservationRun.objects.filter(order=OuterRef("pk"), event_id__in=event_ids))
        )
    orders = {o.pk: o for o in locked.filter(pk__in=[order_id for order_id, _e in runs])}
    missing = {order_id for order_id, _e in runs} - set(orders)
    if missing:
        raise SalesOrder.DoesNotExist(f"No order {sorted(missing)}")
    results: list[ReservationRun | None] = []
    todo_orders = []
    for order_id, event_id in runs:
        order = orders[order_id]
        if event_id is not None and getattr(order, "already_run", False):
            results.append(None)
            continue
        run = ReservationRun(event_id=event_id or -order.pk, order=order)
        results.append(run)
        if order.state in RESERVABLE_STATES:
            todo_orders.append((order, run))
    return results, todo_orders


def _run_outcome(order, run, lines, got_by_line) -> tuple[tuple, dict]:
    """One order's result: its move (new state, or None to stay, and the timeline entry) and
    the rep's notification. The lines' figures are known (read under the order's lock, plus
    what was just reserved): the derived state follows without reading them back."""
    target = target_state(order, lines, got_by_line)
    # Message keys and figures, not text: the rep and anyone else read them in their language.
    if run.backordered:
        text = gettext_noop("Reserved %(reserved)s; %(short)s on backorder.")
        params = {"reserved": plain_qty(run.reserved), "short": plain_qty(run.backordered)}
    else:
        text = gettext_noop("All stock reserved (%(reserved)s).")
        params = {"reserved": plain_qty(run.reserved)}
    entry = {"kind": "reserved", "text": text, "params": params}
    move = (order, target if target != order.state else None, [entry])
    note = {
        "users": [order.owner_id],
        "title": gettext_noop("Order %(number)s: %(text)s"),
        "params": {"number": order.number, "text": message(text, params)},
        "url": _order_url(order),
        "kind": "reservation",
        "key": f"reservation:{order.pk}:{run.event_id if run.event_id > 0 else 'manual'}",
    }
    return move, note
