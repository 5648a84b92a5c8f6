"""Holding stock for a demand (an order line, a transfer): reserve, release, and consume what
is held when it ships. Part of the stock services (``services``: the invariants stated there
hold here too).

Reserving never reads availability and writes it back: a conditional UPDATE
(``WHERE on_hand - reserved >= qty``) takes from one level, or the levels to take from are
locked first, in primary-key order, so concurrent reservations for the last units never oversell
and never wait on each other in a circle.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import ConflictError, atomic_with_retry
from scm.inventory.models import Lot, Product, ProductUnit, Reservation, StockLevel, StockMove, Warehouse
from scm.inventory.services import (
    ZERO,
    _check_product,
    _level_key,
    _signal_low_stock,
    _write_move,
    plain_qty,
    stock_available_publish,
    to_base_quantity,
)


@dataclass(frozen=True)
class Allocation:
    warehouse_id: int
    lot_id: int | None
    quantity: Decimal


# The reservation hot path is plain SQL: it runs for every order line, often on the same row
# from many workers at once, and ORM query building per call was most of its cost. Parameters
# are cast to NUMERIC so that SQLite compares numbers with numbers.
_LEVEL = StockLevel._meta.db_table
_WAREHOUSE = Warehouse._meta.db_table
_LOT = Lot._meta.db_table


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


def _candidate_levels(product_id: int, warehouse_ids: list[int] | None) -> list[dict]:
    """Levels of one product that may be reserved from, in the order to take them
    (``fefo_order``). One query."""
    return _candidate_levels_for([product_id], warehouse_ids)[product_id]


def _take(level_id: int, want: Decimal, seen_available: Decimal) -> Decimal:
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


def _add_reservation(
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


def _correct_reservation(demand: str, warehouse_id: int, lot_id: int | None, delta: Decimal) -> None:
    key = {"demand": demand, "warehouse_id": warehouse_id, "lot_id": lot_id}
    Reservation.objects.filter(**key).update(quantity=F("quantity") + delta)
    Reservation.objects.filter(**key, quantity=0).delete()


@atomic_with_retry
def stock_reserve(
    *,
    product: Product,
    quantity: Decimal,
    demand: str,
    warehouse_ids: list[int] | None = None,
    partial: bool = True,
    user=None,
    unit: ProductUnit | None = None,
) -> list[Allocation]:
    """Hold ``quantity`` base units of ``product`` for ``demand``.

    Takes from the warehouses in ``warehouse_ids`` order (all active warehouses if None), lots
    first-expiry-first-out, expired lots never. With ``partial`` it holds what it can and returns
    the allocations (their sum may be less than asked); without, it holds all or nothing and
    raises ``ValidationError`` on ``quantity`` when stock is short. ``quantity`` is in base units,
    or in ``unit`` when given (one box of 24 holds 24 base units).
    """
    _check_product(product)
    want = to_base_quantity(product=product, quantity=quantity, unit=unit)
    allocations: list[Allocation] = []
    for row in _candidate_levels(product.pk, warehouse_ids):
        if want <= 0:
            break
        # The demand's own row is written first and the shared level last, so the level's row
        # lock (the contended one) is held only from its UPDATE to the commit.
        seen = min(want, row["available"])
        if seen <= 0:
            continue
        _add_reservation(demand, product.pk, row["warehouse_id"], row["lot_id"], seen)
        taken = _take(row["pk"], want, seen)
        if taken != seen:
            _correct_reservation(demand, row["warehouse_id"], row["lot_id"], taken - seen)
        if taken > 0:
            allocations.append(Allocation(row["warehouse_id"], row["lot_id"], taken))
            want -= taken
    if want > 0 and not partial:
        transaction.set_rollback(True)
        raise ValidationError(
            {"quantity": _("Not enough stock available: %(short)s short.") % {"short": plain_qty(want)}}
        )
    _signal_low_stock(product, sum((a.quantity for a in allocations), ZERO))
    return allocations


@atomic_with_retry
def stock_release(*, demand: str, quantity: Decimal | None = None, user=None) -> Decimal:
    """Give back what ``demand`` holds (all of it, or ``quantity``, latest-expiry first).
    Returns the quantity released. Locks the demand's reservations in primary-key order.
    What is released is free for others: ``stock.available`` is published for each warehouse
    it was held in."""
    released, freed = _release(demand, None if quantity is None else Decimal(quantity))
    _announce_freed(freed, reference=demand)
    return released


@atomic_with_retry
def stock_release_many(*, demands: list[str], reference: str = "", user=None) -> dict[str, Decimal]:
    """``stock_release`` of everything several demands hold (an order's lines when it is
    cancelled), as one change: ``stock.available`` is published once per warehouse, not per
    demand. Returns what each demand released."""
    out: dict[str, Decimal] = {}
    freed: dict[int, set[int]] = {}
    for demand in demands:
        out[demand], each = _release(demand, None)
        for warehouse_id, product_ids in each.items():
            freed.setdefault(warehouse_id, set()).update(product_ids)
    _announce_freed(freed, reference=reference)
    return out


def _release(demand: str, quantity: Decimal | None) -> tuple[Decimal, dict[int, set[int]]]:
    """Release ``quantity`` (None: all) of what ``demand`` holds; returns the quantity and the
    products freed by warehouse."""
    rows = list(Reservation.objects.select_for_update().filter(demand=demand, quantity__gt=0).order_by("-pk"))
    left = quantity
    released = ZERO
    freed: dict[int, set[int]] = {}
    for res in rows:
        if left is not None and left <= 0:
            break
        qty = res.quantity if left is None else min(res.quantity, left)
        StockLevel.objects.filter(**_level_key(res.product_id, res.warehouse_id, res.lot_id)).update(
            reserved=F("reserved") - qty
        )
        Reservation.objects.filter(pk=res.pk).update(quantity=F("quantity") - qty)
        released += qty
        freed.setdefault(res.warehouse_id, set()).add(res.product_id)
        if left is not None:
            left -= qty
    Reservation.objects.filter(demand=demand, quantity=0).delete()
    return released, freed


def _announce_freed(freed: dict[int, set[int]], *, reference: str) -> None:
    for warehouse_id, product_ids in sorted(freed.items()):
        stock_available_publish(
            product_ids=product_ids, warehouse_id=warehouse_id, reason="release", reference=reference
        )


@atomic_with_retry
def stock_consume(
    *,
    demand: str,
    warehouse: Warehouse,
    quantity: Decimal,
    lot: Lot | None = None,
    reference: str = "",
    user=None,
) -> StockMove:
    """Ship stock that ``demand`` holds in ``warehouse`` (and ``lot``): on-hand and reserved go
    down together and a shipment move is written. Shipping more than is held is refused."""
    qty = Decimal(quantity)
    if qty <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    res = (
        Reservation.objects.select_for_update()
        .filter(demand=demand, warehouse=warehouse, lot=lot, quantity__gte=qty)
        .first()
    )
    if res is None:
        raise ValidationError(
            {"quantity": _("More than is reserved for this line in this warehouse and lot.")}
        )
    key = _level_key(res.product_id, warehouse.pk, lot.pk if lot else None)
    updated = StockLevel.objects.filter(**key, reserved__gte=qty, on_hand__gte=qty).update(
        on_hand=F("on_hand") - qty, reserved=F("reserved") - qty
    )
    if not updated:
        raise ValidationError({"quantity": _("The stock level no longer holds this quantity.")})
    Reservation.objects.filter(pk=res.pk).update(quantity=F("quantity") - qty)
    Reservation.objects.filter(pk=res.pk, quantity=0).delete()
    move = _write_move(
        kind=StockMove.Kind.SHIPMENT,
        product_id=res.product_id,
        warehouse_id=warehouse.pk,
        lot_id=key["lot_id"],
        quantity=-qty,
        unit_cost=Product.objects.values_list("cost", flat=True).get(pk=res.product_id),
        reference=reference,
        user=user,
    )
    audit("stock.shipment", actor=user, obj=move, data={"quantity": str(qty), "reference": reference})
    return move


# --- reserving several demands at once ------------------------------------------------------


def _candidate_levels_for(product_ids: list[int], warehouse_ids: list[int] | None) -> dict[int, list[dict]]:
    """Levels with stock free to reserve of several products in active warehouses (those of
    ``warehouse_ids`` if given), keyed by product, each product's in the order to take them
    (``fefo_order``). One query."""
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
        f"AND w.is_active{where_wh}"
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


def _lock_levels(level_ids: list[int]) -> dict[int, Decimal]:
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


def _plan(wants: list[Decimal], candidates: list[list[dict]], available: dict[int, Decimal]):
    """Share ``available`` out over the demands in their order: (demand index, level, qty)."""
    plan = []
    left = dict(available)
    for i, want in enumerate(wants):
        for row in candidates[i]:
            if want <= 0:
                break
            take = min(want, left.get(row["pk"], ZERO))
            if take > 0:
                plan.append((i, row, take))
                left[row["pk"]] -= take
                want -= take
    return plan


def _write_reservations(demands: list[str], product_ids: list[int], plan) -> None:
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


def stock_reserve_many(
    *,
    demands: list[tuple[str, Product, Decimal]],
    warehouse_ids: list[int] | None = None,
    warehouse_ids_by_demand: list[list[int]] | None = None,
) -> dict[str, list[Allocation]]:
    """``stock_reserve`` (partial) for several demands at once, e.g. every line of an order:
    ``demands`` are (demand, product, base quantity), served in their order. Returns each
    demand's allocations. ``warehouse_ids`` (nearest first) applies to every demand;
    ``warehouse_ids_by_demand`` gives each demand its own (the lines of several orders, each
    order's customer somewhere else).

    A few statements whatever the number of demands: the candidate levels, a lock on the levels
    it plans to take from (primary-key order) with their availability as locked, the
    reservation rows and one conditional UPDATE of the levels. What the locked levels turn out
    not to hold is taken from the other candidates one by one, as ``stock_reserve`` does.
    Inside a transaction it joins it (no savepoint): the caller's transaction decides.
    """
    wants = []
    for _demand, product, quantity in demands:
        _check_product(product)
        wants.append(to_base_quantity(product=product, quantity=quantity))
    if warehouse_ids_by_demand is not None and len(warehouse_ids_by_demand) != len(demands):
        raise ValueError("warehouse_ids_by_demand needs one list per demand")
    args = (demands, wants, warehouse_ids, warehouse_ids_by_demand)
    if connection.in_atomic_block:
        with transaction.atomic(savepoint=False):
            return _reserve_many(*args)
    return atomic_with_retry(_reserve_many)(*args)


def _reserve_many(demands, wants, warehouse_ids, warehouse_ids_by_demand=None) -> dict[str, list[Allocation]]:
    names = [d[0] for d in demands]
    product_ids = [d[1].pk for d in demands]
    if warehouse_ids_by_demand is None:
        by_product = _candidate_levels_for(sorted(set(product_ids)), warehouse_ids)
        candidates = [by_product[pid] for pid in product_ids]
    else:
        every = sorted({int(w) for ids in warehouse_ids_by_demand for w in ids})
        by_product = _candidate_levels_for(sorted(set(product_ids)), every)
        today = timezone.localdate()
        candidates = [
            fefo_order(by_product[pid], warehouse_ids=ids, today=today)
            for pid, ids in zip(product_ids, warehouse_ids_by_demand, strict=True)
        ]
    seen = {row["pk"]: row["available"] for rows in candidates for row in rows}
    plan = _plan(wants, candidates, seen)
    result: dict[str, list[Allocation]] = {name: [] for name in names}
    if not plan:
        return result
    locked = _lock_levels(sorted({row["pk"] for _i, row, _q in plan}))
    if any(sum(q for _i, r, q in plan if r["pk"] == pk) > locked.get(pk, ZERO) for pk in locked):
        # Someone took stock meanwhile: share out what the locked levels really hold.
        plan = _plan(wants, [[r for r in rows if r["pk"] in locked] for rows in candidates], locked)
    if plan:
        _write_reservations(names, product_ids, plan)
    left = list(wants)
    for i, row, qty in plan:
        result[names[i]].append(Allocation(row["warehouse_id"], row["lot_id"], qty))
        left[i] -= qty
    for i, want in enumerate(left):
        for row in candidates[i]:
            if want <= 0:
                break
            if row["pk"] in locked:
                continue
            taken = _take(row["pk"], want, row["available"])
            if taken > 0:
                _add_reservation(names[i], product_ids[i], row["warehouse_id"], row["lot_id"], taken)
                result[names[i]].append(Allocation(row["warehouse_id"], row["lot_id"], taken))
                want -= taken
    dropped: dict[int, Decimal] = {}
    for name, product, _q in demands:
        dropped[product.pk] = dropped.get(product.pk, ZERO) + sum((a.quantity for a in result[name]), ZERO)
    for product in {d[1].pk: d[1] for d in demands}.values():
        _signal_low_stock(product, dropped[product.pk])
    return result
