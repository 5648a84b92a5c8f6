"""Holding stock for a demand (an order line, a transfer): reserve, release, and consume what
is held when it ships. Part of the stock services (``services``: the invariants stated there
hold here too).

Reserving never reads availability and writes it back: a conditional UPDATE
(``WHERE on_hand - reserved >= qty``) takes from one level, or the levels to take from are
locked first, in primary-key order, so concurrent reservations for the last units never oversell
and never wait on each other in a circle.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from scm.inventory import bins, holding
from scm.inventory.models import (
    Location,
    Lot,
    Product,
    ProductUnit,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
)
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
    for row in holding.candidate_levels(product.pk, warehouse_ids):
        if want <= 0:
            break
        # The demand's own row is written first and the shared level last, so the level's row
        # lock (the contended one) is held only from its UPDATE to the commit.
        seen = min(want, row["available"])
        if seen <= 0:
            continue
        holding.add_reservation(demand, product.pk, row["warehouse_id"], row["lot_id"], seen)
        taken = holding.take(row["pk"], want, seen)
        if taken != seen:
            holding.correct_reservation(demand, row["warehouse_id"], row["lot_id"], taken - seen)
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
def stock_release(
    *,
    demand: str,
    quantity: Decimal | None = None,
    user=None,
    warehouse: Warehouse | None = None,
    lot: Lot | None = None,
) -> Decimal:
    """Give back what ``demand`` holds (all of it, or ``quantity``, latest-expiry first).
    With ``warehouse``, only what it holds there in ``lot`` (None: the product's untracked
    level). Returns the quantity released. Locks the demand's reservations in primary-key order.
    What is released is free for others: ``stock.available`` is published for each warehouse
    it was held in."""
    where = None if warehouse is None else {"warehouse_id": warehouse.pk, "lot_id": lot.pk if lot else None}
    released, freed = _release(demand, None if quantity is None else Decimal(quantity), where)
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


def _release(
    demand: str, quantity: Decimal | None, where: dict | None = None
) -> tuple[Decimal, dict[int, set[int]]]:
    """Release ``quantity`` (None: all) of what ``demand`` holds (``where``: in one warehouse
    and lot only); returns the quantity and the products freed by warehouse."""
    rows = list(
        Reservation.objects.select_for_update()
        .filter(demand=demand, quantity__gt=0, **(where or {}))
        .order_by("-pk")
    )
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
    location: Location | None = None,
) -> StockMove:
    """Ship stock that ``demand`` holds in ``warehouse`` (and ``lot``): on-hand and reserved go
    down together and a shipment move is written. Shipping more than is held is refused. The
    goods leave the bin ``location`` when one is named, else the implicit location (which
    first takes what it lacks from the bins: ``bins.draw_to_implicit``)."""
    qty = Decimal(quantity)
    if qty <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    if location is not None:
        bins.check_location(location, warehouse)
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
    if location is None:
        bins.draw_to_implicit(base=qty, reference=reference, user=user, **key)
    updated = StockLevel.objects.filter(**key, reserved__gte=qty, on_hand__gte=qty).update(
        on_hand=F("on_hand") - qty, reserved=F("reserved") - qty
    )
    if not updated:
        raise ValidationError({"quantity": _("The stock level no longer holds this quantity.")})
    if location is not None:
        bins.bin_remove(location=location, product_id=res.product_id, lot_id=key["lot_id"], base=qty)
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
        location_id=location.pk if location else None,
    )
    audit("stock.shipment", actor=user, obj=move, data={"quantity": str(qty), "reference": reference})
    return move


# --- reserving several demands at once ------------------------------------------------------


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
        by_product = holding.candidate_levels_for(sorted(set(product_ids)), warehouse_ids)
        candidates = [by_product[pid] for pid in product_ids]
    else:
        every = sorted({int(w) for ids in warehouse_ids_by_demand for w in ids})
        by_product = holding.candidate_levels_for(sorted(set(product_ids)), every)
        today = timezone.localdate()
        candidates = [
            holding.fefo_order(by_product[pid], warehouse_ids=ids, today=today)
            for pid, ids in zip(product_ids, warehouse_ids_by_demand, strict=True)
        ]
    seen = {row["pk"]: row["available"] for rows in candidates for row in rows}
    plan = _plan(wants, candidates, seen)
    result: dict[str, list[Allocation]] = {name: [] for name in names}
    if not plan:
        return result
    locked = holding.lock_levels(sorted({row["pk"] for _i, row, _q in plan}))
    if any(sum(q for _i, r, q in plan if r["pk"] == pk) > locked.get(pk, ZERO) for pk in locked):
        # Someone took stock meanwhile: share out what the locked levels really hold.
        plan = _plan(wants, [[r for r in rows if r["pk"] in locked] for rows in candidates], locked)
    if plan:
        holding.write_reservations(names, product_ids, plan)
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
            taken = holding.take(row["pk"], want, row["available"])
            if taken > 0:
                holding.add_reservation(names[i], product_ids[i], row["warehouse_id"], row["lot_id"], taken)
                result[names[i]].append(Allocation(row["warehouse_id"], row["lot_id"], taken))
                want -= taken
    dropped: dict[int, Decimal] = {}
    for name, product, _q in demands:
        dropped[product.pk] = dropped.get(product.pk, ZERO) + sum((a.quantity for a in result[name]), ZERO)
    for product in {d[1].pk: d[1] for d in demands}.values():
        _signal_low_stock(product, dropped[product.pk])
    return result
