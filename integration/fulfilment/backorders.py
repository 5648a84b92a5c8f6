"""The backorder rule: when stock becomes free to reserve (``stock.available``: a receipt or
return, a transfer arriving, a positive adjustment or count, a released reservation), the
order lines waiting for those products are reserved, and a manager can run the same rule for
one order by hand ("reserve again").

Who is served first, when stock is scarce (``crm.sales.orders.waiting.waiting_order_key``, the
order the promise dates net expected receipts in): the order's priority (urgent, high,
normal), then its requested delivery date (none last), then its confirmation time, then its
id. Each order takes from its ship-from warehouse alone, or else from the warehouses nearest
its customer first, lots first-expiry-first-out: the confirmation's reserving step
(``reservations.lines_reserve``).

Locking, as for the confirmation: the waiting orders' rows first (primary-key order), then
inventory's level rows (its own fixed order). Quantities are read under those locks and moved
by inventory's conditional updates; the lines' figures only through ``crm.sales.orders``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.events.services import notify_many
from core.money import QuantityField
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import states as order_states
from crm.sales.orders.waiting import waiting_order_key
from integration.fulfilment import shipping
from integration.fulfilment.models import Backorder, BackorderRun
from integration.fulfilment.reservations import lines_reserve, target_state
from integration.fulfilment.services import ZERO, _order_url
from scm.inventory.holding import free_level_q
from scm.inventory.models import StockLevel
from scm.inventory.services import plain_qty

S = SalesOrder.State
# Orders whose lines may wait for stock: confirmed and not yet holding or shipping everything.
WAITING_STATES = (S.CONFIRMED, S.PARTLY_RESERVED, S.PARTLY_SHIPPED)

SERVED_TEXT = gettext_noop(
    "Backorder served (%(products)s): %(reserved)s reserved, %(short)s still on backorder."
)
SERVED_ALL_TEXT = gettext_noop(
    "Backorder served (%(products)s): %(reserved)s reserved, nothing left on backorder."
)
SERVED_TITLE = gettext_noop("Order %(number)s: backorder served, %(reserved)s reserved")


@dataclass
class OrderServed:
    """What one order got: ``reserved`` now, ``short`` still on backorder (every line)."""

    order: SalesOrder
    reserved: Decimal = ZERO
    short: Decimal = ZERO


@dataclass
class Served:
    """What one run of the rule did, order by order, in the order they were served (those
    that got nothing included)."""

    orders: list[OrderServed] = field(default_factory=list)

    @property
    def reserved(self) -> Decimal:
        return sum((o.reserved for o in self.orders), ZERO)


def backorders_serve(*, product_ids, event_id: int | None = None, first_demands=()) -> Served | None:
    """Serve the order lines waiting for ``product_ids`` (the ``stock.available`` rule).

    Lines whose demand is in ``first_demands`` (purchase to order: the goods were bought for
    them, ``stock.received``) are served before every other waiting line, whatever the orders'
    priority; the rule takes the rest as usual. Joins the caller's transaction (the
    delivery's). With ``event_id`` a second run for the same event does nothing (returns
    None). When nothing waits it costs one query.
    """
    # Every receipt pays for this: one index scan (``backorder_waiting_idx``), no join. A
    # backorder above zero belongs to an order still waiting (cancelling zeroes it); the lock
    # below checks the order's state all the same.
    rows = list(
        Backorder.objects.filter(product_id__in=[int(pk) for pk in product_ids], quantity__gt=0)
        .order_by()
        .values_list("order_id", "line_id")
    )
    if not rows or (event_id is not None and BackorderRun.objects.filter(event_id=event_id).exists()):
        return None
    line_ids: dict[int, set[int]] = {}
    for order_id, line_id in rows:
        line_ids.setdefault(order_id, set()).add(line_id)
    with transaction.atomic(savepoint=False):
        served = _serve(line_ids, event_id=event_id, first_demands=frozenset(first_demands))
        if event_id is not None:
            BackorderRun.objects.create(
                event_id=event_id,
                orders=sum(1 for o in served.orders if o.reserved > 0),
                reserved=served.reserved,
            )
    return served


def backorders_sweep() -> Decimal:
    """The safety net, run every few minutes (beat entry ``fulfilment-backorders-sweep``): lines
    still waiting for a product that has stock free to reserve are served. An announcement can
    be missed: stock that arrived while the confirmation's rule was still reserving an order
    (neither transaction saw the other's change) leaves that order waiting next to free stock.
    One query when nothing waits next to free stock. Returns what was reserved."""
    free = StockLevel.objects.filter(
        free_level_q(), product_id=OuterRef("product_id"), on_hand__gt=F("reserved")
    )
    products = list(
        Backorder.objects.filter(quantity__gt=0, order__state__in=WAITING_STATES)
        .filter(Exists(free))
        .values_list("product_id", flat=True)
        .distinct()
    )
    if not products:
        return ZERO
    with transaction.atomic():
        served = backorders_serve(product_ids=products)
    return served.reserved if served is not None else ZERO


def order_reserve_again(*, order: SalesOrder, user) -> OrderServed:
    """A manager runs the backorder rule for one order now (stock may have been freed without
    anyone waiting being told, or the order's priority changed): what its lines still lack is
    reserved as the rule would. Audited; says what it reserved."""
    with transaction.atomic():
        served = _serve({order.pk: None}, user=user)
        if not served.orders:
            raise ValidationError({"state": _("Only an order that waits for stock can be reserved again.")})
        outcome = served.orders[0]
        audit(
            "fulfilment.reserve_again",
            actor=user,
            obj=outcome.order,
            data={"reserved": str(outcome.reserved), "short": str(outcome.short)},
        )
    return outcome


def reserve_again_message(outcome: OrderServed) -> str:
    """What a manual "reserve again" did, told to the one who asked (in their language)."""
    params = {
        "number": outcome.order.number,
        "reserved": plain_qty(outcome.reserved),
        "short": plain_qty(outcome.short),
    }
    if outcome.reserved > 0:
        return _("Reserved %(reserved)s more for %(number)s; %(short)s still on backorder.") % params
    return _("Nothing more could be reserved for %(number)s: %(short)s still on backorder.") % params


def _serve(
    line_ids: dict[int, set[int] | None],
    *,
    event_id: int | None = None,
    user=None,
    first_demands: frozenset = frozenset(),
) -> Served:
    """Lock the orders (primary-key order), then reserve what the given lines lack (None: every
    line of the order), the orders taken in ``waiting_order_key`` order; lines whose demand is
    in ``first_demands`` before all others."""
    orders, lines_by_order = _lock_waiting(line_ids)
    served = Served()
    if not orders:
        return served
    wanted = {
        order.pk: [
            line
            for line in lines_by_order[order.pk]
            if line_ids[order.pk] is None or line.pk in line_ids[order.pk]
        ]
        for order in orders
    }
    first = [(o, [ln for ln in wanted[o.pk] if ln.demand in first_demands]) for o in orders]
    rest = [(o, [ln for ln in wanted[o.pk] if ln.demand not in first_demands]) for o in orders]
    todo, got_by_line, allocations = lines_reserve(
        orders_lines=[(o, lines) for o, lines in first + rest if lines]
    )
    _backorders_update(todo, got_by_line)
    moves, notes = [], []
    for order in orders:
        order_lines = lines_by_order[order.pk]
        outcome = _outcome(order, order_lines, got_by_line)
        served.orders.append(outcome)
        if outcome.reserved <= 0:
            continue
        moves.append(_move(order, order_lines, got_by_line, outcome, event_id, user))
        notes.append(_note(order, outcome, event_id, user))
    if moves:
        order_states.orders_transition(moves=moves, user=user)
        shipping.pick_lists_add(
            lines={line.demand: line for line, _r in todo if got_by_line[line.pk] > 0},
            allocations=allocations,
        )
        notify_many([note for note in notes if note is not None])
    return served


def _lock_waiting(line_ids) -> tuple[list[SalesOrder], dict[int, list[SalesOrderLine]]]:
    """The orders of ``line_ids`` still waiting, locked (primary-key order) and sorted in the
    order they are served (``waiting_order_key``), with each order's lines."""
    locked = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk__in=list(line_ids), state__in=WAITING_STATES)
        .order_by("pk")
    )
    orders = sorted(locked, key=waiting_order_key)
    lines_by_order: dict[int, list[SalesOrderLine]] = {order.pk: [] for order in orders}
    if orders:
        lines = (
            SalesOrderLine.objects.filter(order_id__in=list(lines_by_order))
            .select_related("product")
            .annotate(backordered=Exists(Backorder.objects.filter(line=OuterRef("pk"))))
            .order_by("pk")
        )
        for line in lines:
            lines_by_order[line.order_id].append(line)
    return orders, lines_by_order


def _outcome(order, lines, got_by_line) -> "OrderServed":
    """What an order got this time and what it still lacks, from its lines as read under its lock."""
    got = sum((got_by_line.get(line.pk, ZERO) for line in lines), ZERO)
    short = ZERO
    for line in lines:
        lacks = line.base_quantity - line.reserved_quantity - line.shipped_quantity
        short += max(lacks - got_by_line.get(line.pk, ZERO), ZERO)
    return OrderServed(order=order, reserved=got, short=short)


def _backorders_update(todo, got_by_line) -> None:
    """Each served line's backorder becomes what it still lacks (one UPDATE); a line short
    without a backorder row (reserved again by hand before the confirmation's rule ran) gets one."""
    shorts = {line.pk: max(remaining - got_by_line[line.pk], ZERO) for line, remaining in todo}
    known = [line.pk for line, _r in todo if line.backordered and got_by_line[line.pk] > 0]
    if known:
        Backorder.objects.filter(line_id__in=known).update(
            quantity=Case(
                *[When(line_id=pk, then=Value(shorts[pk])) for pk in known],
                output_field=QuantityField(),
            ),
            updated_at=timezone.now(),
        )
    new = [
        Backorder(line=line, order_id=line.order_id, product=line.product, quantity=shorts[line.pk])
        for line, _r in todo
        if not line.backordered and shorts[line.pk] > 0
    ]
    if new:
        Backorder.objects.bulk_create(new)


def _move(order, lines, got_by_line, outcome: OrderServed, event_id, user) -> tuple:
    """The order's move: its new state (partly reserved → reserved), or None to stay, and the
    timeline entry, stored in English with its parameters (shown in the reader's language)."""
    target = target_state(order, lines, got_by_line)
    got = {line.pk: got_by_line[line.pk] for line in lines if got_by_line.get(line.pk, ZERO) > 0}
    products = sorted({line.product.name for line in lines if line.pk in got})
    entry = {
        "kind": "backorder_served",
        "text": SERVED_TEXT if outcome.short > 0 else SERVED_ALL_TEXT,
        "user": user,
        "data": {
            "params": {
                "products": "、".join(products),
                "reserved": plain_qty(outcome.reserved),
                "short": plain_qty(outcome.short),
            },
            "event_id": event_id,
            "lines": {str(pk): str(qty) for pk, qty in got.items()},
        },
    }
    return (order, target if target != order.state else None, [entry])


def _note(order, outcome: OrderServed, event_id, user) -> dict | None:
    """The rep hears of it (not when the rep did it by hand). Keyed by the event, so a second
    run of the same event does not tell twice."""
    if user is not None and user.pk == order.owner_id:
        return None
    params = {"number": order.number, "reserved": plain_qty(outcome.reserved)}
    return {
        "users": [order.owner_id],
        # A message key and its figures: the rep reads it in their language.
        "title": SERVED_TITLE,
        "params": params,
        "url": _order_url(order),
        "kind": "backorder_served",
        "key": f"backorder-served:{order.pk}:{event_id}" if event_id is not None else "",
    }
