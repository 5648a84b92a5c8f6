"""The statements that hold stock on levels, for the reservation services (``reservations``):
which levels to take from and in what order (``fefo_order``, the one definition of
first-expiry-first-out), a conditional take from one level, the locks on several levels in
primary-key order and the writes of a planned reservation.

The reservation hot path is plain SQL: it runs for every order line, often on the same row from
many workers at once, and ORM query building per call was most of its cost. Parameters are cast
to NUMERIC so that SQLite compares numbers with numbers.
"""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, Value, When
from django.utils import timezone

from core.db import ConflictError
from scm.inventory.models import Lot, Reservation, StockLevel, Warehouse

ZERO = Decimal("0")

_LEVEL = StockLevel._meta.db_table
_WAREHOUSE = Warehouse._meta.db_table
_LOT = Lot._meta.db_table


# --- what is free to reserve: the one definition ---------------------------------------------
#
# Stock on a level is free to reserve — counted as available, promised, offered to a ticket's
# parts, planned with — only in an active stock warehouse (never a quarantine) and only of a lot
# that is not on hold (``Lot.held_at``). A quarantine's or a held lot's stock is still on hand.
# The SQL form (levels ``sl``, their warehouse ``w`` joined, their lot ``l`` LEFT joined) is what
# the reservation statements read; the ORM forms are the same condition for the reads.

FREE_LEVEL_SQL = "w.is_active AND w.kind = 'stock' AND l.held_at IS NULL"


def lot_held_q(prefix: str = "") -> Q:
    """Levels (``prefix`` leads from another model to the level) of a lot on hold."""
    return Q(**{f"{prefix}lot__held_at__isnull": False})


def free_level_q(prefix: str = "") -> Q:
    """Levels whose free stock (on hand − reserved) may be reserved: an active stock warehouse,
    no lot or a lot that is not on hold (``FREE_LEVEL_SQL`` as a ``Q``)."""
    return Q(**{f"{prefix}warehouse__is_active": True, f"{prefix}warehouse__kind": Warehouse.Kind.STOCK}) & (
        Q(**{f"{prefix}lot__isnull": True}) | Q(**{f"{prefix}lot__held_at__isnull": True})
    )


def free_expression(prefix: str = ""):
    """A level's stock free to reserve (on hand − reserved, nothing for a level that is not
    free: ``free_level_q``), to annotate or sum."""
    return Case(
        When(free_level_q(prefix), then=F(f"{prefix}on_hand") - F(f"{prefix}reserved")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=18, decimal_places=3),
    )


def held_expression(prefix: str = ""):
    """A level's stock on hand of a lot on hold (nothing otherwise), to annotate or sum: shown
    apart from what is available."""
    return Case(
        When(lot_held_q(prefix), then=F(f"{prefix}on_hand")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=18, decimal_places=3),
    )


# --- which stock is taken first ---------------------------------------------------------------


def fefo_order(rows: list[dict], *, warehouse_ids: list[int] | None = None, today: date) -> list[dict]:
    """The order in which stock levels are taken, the one definition every reservation path
    uses (``stock_reserve``, ``stock_reserve_many`` with one warehouse list or one per demand):

    1. warehouses in the order of ``warehouse_ids`` (nearest first; None: any warehouse, all
       equal), levels in other warehouses left out;
    2. within a warehouse, first-expiry-first-out: the earliest expiry first, stock without an
       expiry date after every dated lot;
    3. ties by the level's id (the older level first);
    and a lot that has expired (expiry before ``today``) is never taken.

    ``rows`` are candidate levels with ``pk``, ``warehouse_id`` and ``expiry`` (date or None)."""
    rank = None if warehouse_ids is None else {int(w): i for i, w in enumerate(warehouse_ids)}
    kept = [
        r
        for r in rows
        if (r["expiry"] is None or r["expiry"] >= today) and (rank is None or r["warehouse_id"] in rank)
    ]
    return sorted(
        kept,
        key=lambda r: (
            0 if rank is None else rank[r["warehouse_id"]],
            r["expiry"] is None,
            r["expiry"] or date.max,
            r["pk"],
        ),
    )


def candidate_levels(product_id: int, warehouse_ids: list[int] | None) -> list[dict]:
    """Levels of one product that may be reserved from, in the order to take them
    (``fefo_order``). One query."""
    return candidate_levels_for([product_id], warehouse_ids)[product_id]


def take(level_id: int, want: Decimal, seen_available: Decimal) -> Decimal:
    """Reserve up to ``want`` from one level with a conditional UPDATE; returns what was taken.

    The WHERE clause re-checks availability at write time, so two reservations racing for the
    last units can never both succeed. If the row changed since it was read, read the fresh
    availability and try again with what is left.
    """
    take = min(want, seen_available)
    with connection.cursor() as cursor:
        for _attempt in range(5):
            if take <= 0:
                return ZERO
            cursor.execute(
                f"UPDATE {_LEVEL} SET reserved = reserved + CAST(%s AS NUMERIC) "
                f"WHERE id = %s AND on_hand - reserved >= CAST(%s AS NUMERIC)",
                [take, level_id, take],
            )
            if cursor.rowcount:
                return take
            cursor.execute(f"SELECT on_hand - reserved FROM {_LEVEL} WHERE id = %s", [level_id])
            fresh = cursor.fetchone()
            if fresh is None:
                return ZERO
            take = min(want, Decimal(str(fresh[0])))
    return ZERO


def add_reservation(
    demand: str, product_id: int, warehouse_id: int, lot_id: int | None, qty: Decimal
) -> None:
    """Add ``qty`` to the demand's reservation on one level: one upsert statement (PostgreSQL and
    SQLite both take the partial unique index as the conflict target)."""
    table = Reservation._meta.db_table
    target = (
        "(demand, warehouse_id, lot_id) WHERE lot_id IS NOT NULL"
        if lot_id
        else "(demand, warehouse_id) WHERE lot_id IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (demand, product_id, warehouse_id, lot_id, quantity, created_at) "
            f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT {target} "
            f"DO UPDATE SET quantity = {table}.quantity + excluded.quantity",
            [demand, product_id, warehouse_id, lot_id, qty, timezone.now()],
        )


def correct_reservation(demand: str, warehouse_id: int, lot_id: int | None, delta: Decimal) -> None:
    key = {"demand": demand, "warehouse_id": warehouse_id, "lot_id": lot_id}
    Reservation.objects.filter(**key).update(quantity=F("quantity") + delta)
    Reservation.objects.filter(**key, quantity=0).delete()


def candidate_levels_for(product_ids: list[int], warehouse_ids: list[int] | None) -> dict[int, list[dict]]:
    """Levels with stock free to reserve of several products in active warehouses (those of
    ``warehouse_ids`` if given; never a quarantine, never a lot on hold), keyed by product,
    each product's in the order to take them (``fefo_order``). One query."""
    out: dict[int, list[dict]] = {pid: [] for pid in product_ids}
    if not product_ids or (warehouse_ids is not None and not warehouse_ids):
        return out
    params: list = list(product_ids)
    where_wh = ""
    if warehouse_ids is not None:
        ids = [int(w) for w in warehouse_ids]
        where_wh = f" AND sl.warehouse_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    sql = (
        f"SELECT sl.id, sl.product_id, sl.warehouse_id, sl.lot_id, sl.on_hand - sl.reserved, l.expiry_date "
        f"FROM {_LEVEL} sl JOIN {_WAREHOUSE} w ON w.id = sl.warehouse_id "
        f"LEFT JOIN {_LOT} l ON l.id = sl.lot_id "
        f"WHERE sl.product_id IN ({', '.join(['%s'] * len(product_ids))}) AND sl.on_hand > sl.reserved "
        f"AND {FREE_LEVEL_SQL}{where_wh}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for r in cursor.fetchall():
            row = {
                "pk": r[0],
                "warehouse_id": r[2],
                "lot_id": r[3],
                "available": Decimal(str(r[4])),
                "expiry": r[5],
            }
            out[r[1]].append(row)
    today = timezone.localdate()
    return {pid: fefo_order(rows, warehouse_ids=warehouse_ids, today=today) for pid, rows in out.items()}


def lock_levels(level_ids: list[int]) -> dict[int, Decimal]:
    """Lock the levels in primary-key order (one fixed order: no two reservations wait on each
    other in a circle) and return their availability as locked."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, on_hand - reserved FROM {_LEVEL} WHERE id IN ({', '.join(['%s'] * len(level_ids))}) "
            f"ORDER BY id{lock}",
            level_ids,
        )
        return {r[0]: Decimal(str(r[1])) for r in cursor.fetchall()}


def write_reservations(demands: list[str], product_ids: list[int], plan) -> None:
    """The demands' reservation rows (one upsert per kind of level) and the levels' reserved
    figures (one conditional UPDATE), for levels already locked."""
    by_level: dict[int, Decimal] = {}
    rows: dict[tuple, Decimal] = {}
    for i, row, qty in plan:
        by_level[row["pk"]] = by_level.get(row["pk"], ZERO) + qty
        key = (demands[i], product_ids[i], row["warehouse_id"], row["lot_id"])
        rows[key] = rows.get(key, ZERO) + qty
    table = Reservation._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        for with_lot in (False, True):
            chunk = [(*key, qty, now) for key, qty in rows.items() if (key[3] is not None) == with_lot]
            if not chunk:
                continue
            target = (
                "(demand, warehouse_id, lot_id) WHERE lot_id IS NOT NULL"
                if with_lot
                else "(demand, warehouse_id) WHERE lot_id IS NULL"
            )
            cursor.execute(
                f"INSERT INTO {table} (demand, product_id, warehouse_id, lot_id, quantity, created_at) "
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(chunk))} ON CONFLICT {target} "
                f"DO UPDATE SET quantity = {table}.quantity + excluded.quantity",
                [value for values in chunk for value in values],
            )
        ids = sorted(by_level)
        case = " ".join("WHEN %s THEN CAST(%s AS NUMERIC)" for _ in ids)
        case_params = [value for pk in ids for value in (pk, by_level[pk])]
        cursor.execute(
            f"UPDATE {_LEVEL} SET reserved = reserved + CASE id {case} END "
            f"WHERE id IN ({', '.join(['%s'] * len(ids))}) AND on_hand - reserved >= CASE id {case} END",
            [*case_params, *ids, *case_params],
        )
        if cursor.rowcount != len(ids):
            raise ConflictError()
