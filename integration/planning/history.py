"""The demand history: what customers took of each product from each warehouse per day, kept
by events so that the planner never reads the stock ledger.

- A shipment that leaves adds its picked quantities (what actually left) to ``shipped`` on the
  local day it left at its warehouse (``shipment.shipped``).
- A return (restocked or scrapped) adds to ``returned`` on the local day it came back, at the
  warehouse the goods had left (``return.recorded``).
- A day on which an order waits on backorder is a stock-out day for the product at the
  warehouse that serves the order's customer (``stock.shortage``, and ``stockout_mark`` once a
  day), so that the forecast does not read lost sales as low demand.

Each document counts once: its ``DemandSource`` row (``shipment:12``, ``return:5``) is inserted
first, and a second delivery of its event finds it there and adds nothing. Quantities are added
with one upsert per document (``INSERT … ON CONFLICT … DO UPDATE``, PostgreSQL and SQLite alike),
never read and written back. Days are local days of the company's time zone (``TIME_ZONE``).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import CharField, F, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from crm.sales.models import SalesOrder
from integration.fulfilment.models import Backorder, Return, Shipment, ShipmentLine
from integration.planning.models import DemandDay, DemandSource
from scm.inventory.selectors import active_warehouses, warehouses_by_distance

ZERO = Decimal("0")
_DAY = DemandDay._meta.db_table
_SOURCE = DemandSource._meta.db_table
_BATCH = 500


def local_day(moment=None) -> date:
    """The company's local date of ``moment`` (now when None)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


# --- shipments and returns ---------------------------------------------------------------------


def demand_record_shipment(*, shipment_id: int) -> bool:
    """A shipped shipment's picked quantities, summed per product, added to ``shipped`` on its
    warehouse's local day of ``shipped_at``: two statements whatever its number of lines. Once
    per shipment (False: already counted). Called for ``shipment.shipped``: lines of a shipment
    not (yet) shipped add nothing."""
    with transaction.atomic():
        if not _claim(f"shipment:{int(shipment_id)}"):
            return False
        _add(_shipped(shipment_id=shipment_id), "shipped")
    return True


def demand_record_return(*, return_id: int) -> bool:
    """A return's quantity added to ``returned`` on its local day, at the warehouse its goods
    had left (the shipment's), whether restocked or scrapped: the customer did not keep them.
    Once per return (False: already counted)."""
    with transaction.atomic():
        if not _claim(f"return:{int(return_id)}"):
            return False
        _add(_returned(return_id=return_id), "returned")
    return True


def _shipped(shipment_id: int | None = None) -> QuerySet:
    """Picked quantities of shipped shipments per product × warehouse × local day (``pid``,
    ``wid``, ``day``, ``quantity``), summed by the database."""
    lines = ShipmentLine.objects.filter(
        shipment__state=Shipment.State.SHIPPED, shipment__shipped_at__isnull=False, picked_quantity__gt=0
    )
    if shipment_id is not None:
        lines = lines.filter(shipment_id=shipment_id)
    return (
        lines.order_by()
        .annotate(
            pid=F("product_id"),
            wid=F("shipment__warehouse_id"),
            day=TruncDate("shipment__shipped_at", tzinfo=timezone.get_default_timezone()),
        )
        .values("pid", "wid", "day")
        .annotate(quantity=Sum("picked_quantity"))
    )


def _returned(return_id: int | None = None) -> QuerySet:
    """Returned quantities per product × the shipment's warehouse × local day of the return."""
    returns = Return.objects.all() if return_id is None else Return.objects.filter(pk=return_id)
    return (
        returns.order_by()
        .annotate(
            pid=F("shipment_line__product_id"),
            wid=F("shipment_line__shipment__warehouse_id"),
            day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()),
        )
        .values("pid", "wid", "day")
        .annotate(quantity=Sum("quantity"))
    )


def _claim(reference: str) -> bool:
    """Record ``reference`` as counted; False when it already was (a concurrent claim waits for
    the first one's transaction and then finds it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_SOURCE} (reference, created_at) VALUES (%s, %s) "
            "ON CONFLICT (reference) DO NOTHING",
            [reference, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.rowcount == 1


def _add(quantities: QuerySet, column: str) -> int:
    """Add ``quantities`` (``_shipped`` or ``_returned``) to ``column`` of their days: one
    ``INSERT … SELECT … ON CONFLICT DO UPDATE`` statement. Returns the rows written."""
    other = "returned" if column == "shipped" else "shipped"
    sql, params = quantities.query.sql_with_params()
    with connection.cursor() as cursor:
        # ``WHERE 1 = 1``: SQLite would read ``ON CONFLICT`` after a bare FROM as a join's ON.
        cursor.execute(
            f"INSERT INTO {_DAY} (product_id, warehouse_id, day, {column}, {other}, stockout) "
            f"SELECT g.pid, g.wid, g.day, g.quantity, 0, %s FROM ({sql}) g WHERE 1 = 1 "
            f"ON CONFLICT (product_id, warehouse_id, day) "
            f"DO UPDATE SET {column} = {_DAY}.{column} + excluded.{column}",
            [False, *params],
        )
        return cursor.rowcount


# --- stock-outs --------------------------------------------------------------------------------


class _Serving:
    """The warehouse that serves a customer's location: the nearest active stock warehouse,
    as the reservation rule takes them (``warehouses_by_distance``). Reads the warehouses once,
    on first use; remembers each location's answer."""

    def __init__(self):
        self._warehouses = None
        self._by_place: dict = {}

    def __call__(self, latitude, longitude) -> int | None:
        place = (latitude, longitude)
        if place not in self._by_place:
            if self._warehouses is None:
                self._warehouses = active_warehouses()
            nearest = warehouses_by_distance(
                latitude=latitude, longitude=longitude, warehouses=self._warehouses
            )
            self._by_place[place] = nearest[0] if nearest else None
        return self._by_place[place]


def backorders_by_warehouse(product_ids: Iterable[int] | None = None) -> dict[tuple[int, int], dict]:
    """Open backorders (quantity above zero) per (product id, warehouse id): each assigned to the
    warehouse that serves its order's customer (the nearest active stock warehouse, the
    reservation rule's first choice), as ``{"quantity": Decimal, "orders": [order numbers]}``,
    orders oldest backorder first. Two queries whatever the number of backorders (one when none
    waits). The one definition of where waiting orders are short, for stock-outs and netting."""
    rows = Backorder.objects.filter(quantity__gt=0)
    if product_ids is not None:
        product_ids = [int(pk) for pk in product_ids]
        if not product_ids:
            return {}
        rows = rows.filter(product_id__in=product_ids)
    serving = _Serving()
    out: dict[tuple[int, int], dict] = {}
    for product_id, quantity, number, latitude, longitude in rows.order_by("created_at", "id").values_list(
        "product_id", "quantity", "order__number", "order__customer__latitude", "order__customer__longitude"
    ):
        warehouse_id = serving(latitude, longitude)
        if warehouse_id is None:
            continue
        entry = out.setdefault((product_id, warehouse_id), {"quantity": ZERO, "orders": []})
        entry["quantity"] += quantity
        if number not in entry["orders"]:
            entry["orders"].append(number)
    return out


def stockout_mark(*, product_ids: Iterable[int] | None = None, day: date | None = None) -> int:
    """Mark ``day`` (today, local, when None) a stock-out day for every product × warehouse
    with orders waiting on backorder (``backorders_by_warehouse``). Run once a day by the
    nightly planning. Returns the product × warehouse pairs marked."""
    day = day or local_day()
    waiting = backorders_by_warehouse(product_ids)
    _mark((product_id, warehouse_id, day) for product_id, warehouse_id in waiting)
    return len(waiting)


def stockout_mark_shortage(*, product_id: int, order_id: int, day: date | None = None) -> bool:
    """An order line went short (``stock.shortage``): ``day`` (today when None) is a stock-out
    day for the product at the warehouse that serves the order's customer. Idempotent."""
    return stockout_mark_shortages([(product_id, order_id, day)]) > 0


def stockout_mark_shortages(shortages: Iterable[tuple[int, int, date | None]]) -> int:
    """``stockout_mark_shortage`` for several (product id, order id, day) at once: one query for
    the orders' customers, one upsert. Returns the days marked."""
    shortages = list(shortages)
    places = {
        pk: (lat, lng)
        for pk, lat, lng in SalesOrder.objects.filter(
            pk__in={int(order_id) for _p, order_id, _d in shortages}
        ).values_list("pk", "customer__latitude", "customer__longitude")
    }
    serving = _Serving()
    keys = set()
    for product_id, order_id, day in shortages:
        place = places.get(int(order_id))
        warehouse_id = serving(*place) if place is not None else None
        if warehouse_id is not None:
            keys.add((int(product_id), warehouse_id, day or local_day()))
    _mark(sorted(keys))
    return len(keys)


def _mark(keys: Iterable[tuple[int, int, date]]) -> None:
    """Set ``stockout`` on the days ``keys`` (product id, warehouse id, day), creating the
    rows where missing: one upsert per 500 days."""
    batch: list = []
    for product_id, warehouse_id, day in keys:
        batch.append((product_id, warehouse_id, day))
        if len(batch) == _BATCH:
            _mark_batch(batch)
            batch = []
    if batch:
        _mark_batch(batch)


def _mark_batch(keys: list[tuple[int, int, date]]) -> None:
    params: list = []
    for product_id, warehouse_id, day in keys:
        params += [product_id, warehouse_id, connection.ops.adapt_datefield_value(day), True]
    values = ", ".join(["(%s, %s, %s, 0, 0, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_DAY} (product_id, warehouse_id, day, shipped, returned, stockout) "
            f"VALUES {values} ON CONFLICT (product_id, warehouse_id, day) "
            "DO UPDATE SET stockout = excluded.stockout",
            params,
        )


# --- rebuilding --------------------------------------------------------------------------------


def demand_rebuild(*, today: date | None = None) -> dict[str, int]:
    """Build the demand history again from the documents (``manage.py planning_demand_rebuild``):
    every shipped shipment and every return, summed by the database per product × warehouse ×
    local day, with their ``DemandSource`` rows, so events delivered later are not counted
    twice. One transaction; on PostgreSQL the history's tables are locked meanwhile (readers go
    on reading the old history; the events' handlers wait and then find their documents counted).

    Stock-out days are approximate: every backorder ever recorded (served ones included, now at
    zero) is taken as a stock-out at the warehouse that serves its customer today (current
    locations and active warehouses) from the day it was created to the day it was last changed
    when served, or to ``today`` while it still waits. (Fulfilment lowers a backorder with
    ``QuerySet.update``, which leaves ``updated_at`` as it was: until it sets it, a served
    backorder counts its first day only.)

    Returns the counts: ``days`` written, ``shipments``, ``returns``, ``stockout_days``."""
    today = today or local_day()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {_SOURCE}, {_DAY} IN EXCLUSIVE MODE")
        DemandDay.objects.all().delete()
        DemandSource.objects.all().delete()
        shipments = _sources(
            Shipment.objects.filter(state=Shipment.State.SHIPPED, shipped_at__isnull=False), "shipment:"
        )
        returns = _sources(Return.objects.all(), "return:")
        _add(_shipped(), "shipped")
        _add(_returned(), "returned")
        stockouts = _stockout_days(today)
        _mark(stockouts)
        days = DemandDay.objects.count()
    return {"days": days, "shipments": shipments, "returns": returns, "stockout_days": len(stockouts)}


def _sources(documents: QuerySet, prefix: str) -> int:
    """Record every document of ``documents`` as counted (``prefix`` + id): one statement."""
    refs = documents.order_by().annotate(ref=Concat(Value(prefix), Cast("pk", CharField()))).values("ref")
    sql, params = refs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_SOURCE} (reference, created_at) SELECT g.ref, %s FROM ({sql}) g WHERE 1 = 1 "
            "ON CONFLICT (reference) DO NOTHING",
            [connection.ops.adapt_datetimefield_value(timezone.now()), *params],
        )
        return cursor.rowcount


def _stockout_days(today: date) -> set[tuple[int, int, date]]:
    """Every backorder's days of waiting (see ``demand_rebuild``), per product × serving
    warehouse."""
    serving = _Serving()
    days: set[tuple[int, int, date]] = set()
    rows = Backorder.objects.order_by().values_list(
        "product_id",
        "quantity",
        "created_at",
        "updated_at",
        "order__customer__latitude",
        "order__customer__longitude",
    )
    for product_id, quantity, created_at, updated_at, latitude, longitude in rows.iterator():
        warehouse_id = serving(latitude, longitude)
        if warehouse_id is None:
            continue
        first = local_day(created_at)
        last = min(today if quantity > 0 else local_day(updated_at), today)
        day = first
        while day <= last:
            days.add((product_id, warehouse_id, day))
            day += timedelta(days=1)
    return days
