"""Availability per warehouse and the promise date: the one owner of "when can the customer have
it", read by the order and quote forms (live, before saving), their services (stored on each
line), the order page (a backorder's expected date) and the API.

What is free to promise is what is free to reserve (``holding.FREE_LEVEL_SQL``: on hand −
reserved of active stock warehouses, never a quarantine, never a lot on hold) and not expired.
A promise date for ``base_quantity`` shipped from a warehouse (``warehouse_id``, the order's
ship-from) or from anywhere (None, as the reservation rule splits over warehouses):

1. today, when that much is free there (``STOCK``);
2. else the earliest expected receipt (``IncomingSupply``) at which what is free plus what has
   arrived by then, less what already waits for it, covers it (``INCOMING``); a receipt into
   another warehouse than the one shipping counts from its date plus the shipping warehouse's
   ``transfer_days``; a receipt that is late counts from today;
3. else today plus the product's lead time (``LEAD_TIME``, ``Product.lead_time_days``, kept by
   purchasing);
4. else no date (``UNKNOWN``): ask purchasing.

What waits for incoming supply is served first: receipts go to the backorders ahead of the
line and to the document's earlier lines of the product, then to the line. Backorders live
above inventory: the sales app registers its reading (``waiting_source_register``), so every
promise made here nets everything that waits; a caller that knows the line's place in the
queue (an order, behind the orders the backorder rule serves first) passes ``waiting`` itself
(``crm.sales.orders.waiting.backorders_waiting``). A line is
covered at an arrival when max(free, 0) + what has arrived by then − what waits ≥ its quantity.
Free stock today is not netted: a backorder next to free stock would already hold it.

Reads only. ``promise_dates_many`` answers for a document's lines in two queries (the stock
warehouses, then the levels and receipts of every product in one statement), whatever the
number of lines; one without the warehouse rows (``rows=False``) in one; and one per
registered waiting source when ``waiting`` is not given.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from scm.inventory.holding import FREE_LEVEL_SQL
from scm.inventory.models import IncomingSupply, Lot, Product, StockLevel, Warehouse

ZERO = Decimal(0)
QUANTUM = Decimal("0.001")

STOCK = "stock"
INCOMING = "incoming"
LEAD_TIME = "lead_time"
UNKNOWN = "unknown"

_LEVEL = StockLevel._meta.db_table
_WAREHOUSE = Warehouse._meta.db_table
_LOT = Lot._meta.db_table
_INCOMING = IncomingSupply._meta.db_table


# Readings of what already waits for incoming supply, filled by the apps above inventory:
# each ``source(product_ids) -> {product id: base units}``.
_waiting_sources: list = []


def waiting_source_register(source) -> None:
    """Net what ``source`` says waits (``source(product_ids) -> {product id: base units}``, one
    query whatever the number of products) in every promise not given its own ``waiting``."""
    if source not in _waiting_sources:
        _waiting_sources.append(source)


def waiting_everywhere(product_ids) -> dict[int, Decimal]:
    """Everything the registered sources say already waits for the products' receipts."""
    total: dict[int, Decimal] = {}
    for source in _waiting_sources:
        for pk, quantity in source(product_ids).items():
            total[int(pk)] = total.get(int(pk), ZERO) + Decimal(quantity)
    return total


@dataclass
class Promise:
    """What can be promised for one line: ``promise_date`` (None: ask purchasing) and where it
    comes from (``source``), what is free where it ships from (``available``) and what that
    lacks (``shortage``); ``warehouses``: each stock warehouse's figures and own promise date
    (when read with rows)."""

    product_id: int
    base_quantity: Decimal
    promise_date: date | None
    source: str
    available: Decimal
    shortage: Decimal
    ship_from_id: int | None = None
    lead_time_days: int | None = None
    warehouses: list[dict] = field(default_factory=list)

    @property
    def is_short(self) -> bool:
        return self.shortage > 0


def _number(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(QUANTUM)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def stock_and_incoming(product_ids, *, today: date) -> tuple[dict, dict]:
    """For the products: per (product, warehouse) of an active stock warehouse, ``on_hand``,
    ``reserved`` (all lots), ``available`` (free to promise: ``FREE_LEVEL_SQL``, expired lots
    left out) and ``held`` (on hand of lots on hold); and per product the expected receipts
    into those warehouses, (warehouse id, quantity, date) by date. One statement.

    The rows are found by product (``+`` keeps a planner without statistics, SQLite's, from
    walking every level of each warehouse instead: 20 ms against under 1 ms at 10,000
    products)."""
    ids = sorted({int(pk) for pk in product_ids})
    levels: dict[tuple[int, int], dict] = {}
    incoming: dict[int, list[tuple[int, Decimal, date]]] = {pk: [] for pk in ids}
    if not ids:
        return levels, incoming
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT 0, sl.product_id, sl.warehouse_id, SUM(sl.on_hand), SUM(sl.reserved), "
        f"SUM(CASE WHEN {FREE_LEVEL_SQL} AND (l.expiry_date IS NULL OR l.expiry_date >= %s) "
        f"THEN sl.on_hand - sl.reserved ELSE 0 END), "
        f"SUM(CASE WHEN l.held_at IS NOT NULL THEN sl.on_hand ELSE 0 END), NULL "
        f"FROM {_LEVEL} sl JOIN {_WAREHOUSE} w ON w.id = +sl.warehouse_id "
        f"LEFT JOIN {_LOT} l ON l.id = sl.lot_id "
        f"WHERE sl.product_id IN ({marks}) AND w.is_active AND w.kind = 'stock' "
        f"GROUP BY sl.product_id, sl.warehouse_id "
        f"UNION ALL "
        f"SELECT 1, i.product_id, i.warehouse_id, i.quantity, 0, 0, 0, i.expected_date "
        f"FROM {_INCOMING} i JOIN {_WAREHOUSE} w ON w.id = +i.warehouse_id "
        f"WHERE i.product_id IN ({marks}) AND i.quantity > 0 AND w.is_active AND w.kind = 'stock'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, *ids, *ids])
        rows = cursor.fetchall()
    for kind, product_id, warehouse_id, on_hand, reserved, available, held, expected in rows:
        if kind == 0:
            levels[(product_id, warehouse_id)] = {
                "on_hand": _number(on_hand),
                "reserved": _number(reserved),
                "available": _number(available),
                "held": _number(held),
            }
        else:
            incoming[product_id].append((warehouse_id, _number(on_hand), _day(expected)))
    for supplies in incoming.values():
        supplies.sort(key=lambda s: (s[2], s[0]))
    return levels, incoming


def stock_warehouses(warehouse_id: int | None = None) -> list[Warehouse]:
    """The active stock warehouses (never a quarantine), by code; or only ``warehouse_id``."""
    qs = Warehouse.objects.for_stock().order_by("code")
    if warehouse_id is not None:
        qs = qs.filter(pk=warehouse_id)
    return list(qs)


def _date_covering(
    need: Decimal,
    free: Decimal,
    supplies,
    *,
    ship_from_id,
    transfer_days: int,
    today: date,
    waiting: Decimal = ZERO,
) -> tuple[date | None, str]:
    """Steps 1 and 2 of the rule (see the module): today, or the first receipt at which it is
    covered once ``waiting`` has been served; (None, "") when neither covers it."""
    if free >= need:
        return today, STOCK
    arrivals = sorted(
        (
            max(day, today)
            + timedelta(days=0 if ship_from_id is None or warehouse_id == ship_from_id else transfer_days),
            quantity,
        )
        for warehouse_id, quantity, day in supplies
    )
    covered = max(free, ZERO) - waiting
    for day, quantity in arrivals:
        covered += quantity
        if covered >= need:
            return day, INCOMING
    return None, ""


def _promise(
    need: Decimal,
    free: Decimal,
    supplies,
    *,
    ship_from_id,
    transfer_days: int,
    lead: int | None,
    today,
    waiting: Decimal = ZERO,
) -> tuple[date | None, str]:
    day, source = _date_covering(
        need,
        free,
        supplies,
        ship_from_id=ship_from_id,
        transfer_days=transfer_days,
        today=today,
        waiting=waiting,
    )
    if day is not None:
        return day, source
    if lead is not None:
        return today + timedelta(days=lead), LEAD_TIME
    return None, UNKNOWN


def promise_dates_many(
    *,
    lines,
    warehouse_id: int | None = None,
    ship_from: Warehouse | None = None,
    today: date | None = None,
    rows: bool = True,
    waiting: dict | None = None,
) -> list[Promise]:
    """The ``Promise`` of each of ``lines`` — (product or product id, base quantity) — shipped
    from ``warehouse_id`` (or the ``ship_from`` warehouse in hand; neither: from anywhere).

    ``waiting``: per product id, the base units already waiting ahead of these lines
    (backorders), which expected receipts serve first (None: everything the registered sources
    say waits, ``waiting_everywhere``). Lines of one
    product are promised one after the other, as one document asks for them: the second takes
    what the first left, of free stock and of receipts. With ``rows`` each promise carries
    every stock warehouse's figures and own promise date (``warehouses``, receipts netted
    alike); without, the stock warehouses are not read (a ``ship_from`` given by id is then
    read for its transfer time). Two queries, one without rows; one more for products given by
    id (their lead times)."""
    today = today or timezone.localdate()
    lines = [(product, Decimal(quantity)) for product, quantity in lines]
    if ship_from is not None:
        warehouse_id = ship_from.pk
    product_ids = [getattr(product, "pk", product) for product, _q in lines]
    leads = {p.pk: p.lead_time_days for p, _q in lines if isinstance(p, Product)}
    missing = set(product_ids) - set(leads)
    if missing:
        leads.update(Product.objects.filter(pk__in=missing).values_list("pk", "lead_time_days"))
    if not lines:
        return []
    warehouses = stock_warehouses() if rows else []
    if ship_from is None and warehouse_id is not None:
        ship_from = next((w for w in warehouses if w.pk == warehouse_id), None)
        if ship_from is None and not rows:
            ship_from = Warehouse.objects.filter(pk=warehouse_id).first()
    transfer_days = ship_from.transfer_days if ship_from is not None else 0
    levels, incoming = stock_and_incoming(product_ids, today=today)
    taken: dict[tuple[int, int], Decimal] = {}  # what earlier lines took, per product and warehouse
    # What waits for receipts, per product: the backorders ahead, then what earlier lines lack.
    if waiting is None:
        waiting = waiting_everywhere(product_ids)
    queued = {int(pk): Decimal(quantity) for pk, quantity in waiting.items()}
    out = []
    for product_id, (_product, need) in zip(product_ids, lines, strict=True):
        lead = leads.get(product_id)
        ahead = max(queued.get(product_id, ZERO), ZERO)
        supplies = incoming.get(product_id, [])
        free_by_warehouse = {
            w: figures["available"] - taken.get((pid, w), ZERO)
            for (pid, w), figures in levels.items()
            if pid == product_id
        }
        if warehouse_id is None:
            free = sum((max(v, ZERO) for v in free_by_warehouse.values()), ZERO)
        else:
            free = max(free_by_warehouse.get(warehouse_id, ZERO), ZERO)
        day, source = _promise(
            need,
            free,
            supplies,
            ship_from_id=warehouse_id,
            transfer_days=transfer_days,
            lead=lead,
            today=today,
            waiting=ahead,
        )
        promise = Promise(
            product_id=product_id,
            base_quantity=need,
            promise_date=day,
            source=source,
            available=free,
            shortage=max(need - free, ZERO),
            ship_from_id=warehouse_id,
            lead_time_days=lead,
        )
        for warehouse in warehouses:
            figures = levels.get((product_id, warehouse.pk)) or dict.fromkeys(
                ("on_hand", "reserved", "available", "held"), ZERO
            )
            here = max(free_by_warehouse.get(warehouse.pk, ZERO), ZERO)
            own_day, own_source = _promise(
                need,
                here,
                supplies,
                ship_from_id=warehouse.pk,
                transfer_days=warehouse.transfer_days,
                lead=lead,
                today=today,
                waiting=ahead,
            )
            promise.warehouses.append(
                {
                    "warehouse": warehouse,
                    **figures,
                    "available": here,
                    "incoming": [
                        {"quantity": quantity, "expected_date": day}
                        for w, quantity, day in supplies
                        if w == warehouse.pk
                    ],
                    "promise_date": own_day,
                    "promise_source": own_source,
                }
            )
        # What this line takes is not free for the next line of the product: from the
        # ship-from warehouse, or from the warehouses in turn (by id).
        wanted = min(need, free)
        for w in [warehouse_id] if warehouse_id is not None else sorted(free_by_warehouse):
            part = min(max(free_by_warehouse.get(w, ZERO), ZERO), wanted)
            taken[(product_id, w)] = taken.get((product_id, w), ZERO) + part
            wanted -= part
        queued[product_id] = ahead + promise.shortage
        out.append(promise)
    return out


def promise_dates(
    *, product_id: int, base_quantity, warehouse_id: int | None = None, today: date | None = None
) -> Promise:
    """The ``Promise`` of one line: ``base_quantity`` of ``product_id`` shipped from
    ``warehouse_id`` (None: from anywhere), with every stock warehouse's figures and own promise
    date. Four queries (three with nothing registered that waits)."""
    return promise_dates_many(lines=[(product_id, base_quantity)], warehouse_id=warehouse_id, today=today)[0]


def availability(*, product_ids, warehouse_id: int | None = None, today: date | None = None) -> dict:
    """Per product: each stock warehouse's (or only ``warehouse_id``'s) on hand, reserved,
    available, held, incoming receipts with their dates, and the date it could ship one base
    unit (``promise_date``, ``promise_source``). Four queries (three with nothing registered
    that waits)."""
    today = today or timezone.localdate()
    ids = sorted({int(pk) for pk in product_ids})
    promises = promise_dates_many(lines=[(pk, Decimal(1)) for pk in ids], today=today)
    return {
        promise.product_id: [
            row for row in promise.warehouses if warehouse_id is None or row["warehouse"].pk == warehouse_id
        ]
        for promise in promises
    }
