"""Bins: finding one by what was scanned, where to pick a quantity from, and moving stock
between bins (put-away). What the bins hold moves with the ledger in ``bins``; a warehouse
without locations keeps everything in its implicit location, as before bins existed."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from scm.inventory import bins
from scm.inventory.lots import lot_for_outgoing
from scm.inventory.models import (
    Location,
    LocationStock,
    Lot,
    Product,
    ProductUnit,
    StockLevel,
    StockMove,
    Warehouse,
)
from scm.inventory.services import _check_warehouse, plain_qty, to_base_quantity

ZERO = Decimal("0")
has_locations = bins.has_locations


def location_for_scan(*, warehouse: Warehouse, code: str, field: str = "location") -> Location:
    """The bin of ``warehouse`` whose barcode or code was scanned or typed. A bin of another
    warehouse, an unknown code and a bin no longer used are refused with a message naming
    ``field``."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({field: _("Scan or type a location.")})
    if len(code) > 64:
        raise ValidationError({field: _("Unknown location %(code)s.") % {"code": code[:64]}})
    found = list(
        Location.objects.filter(Q(barcode=code) | Q(code__iexact=code))
        .select_related("warehouse")
        .order_by("pk")[:20]
    )
    here = [loc for loc in found if loc.warehouse_id == warehouse.pk]
    if not here:
        if found:
            raise ValidationError(
                {
                    field: _("Location %(code)s belongs to another warehouse (%(warehouse)s).")
                    % {"code": found[0].code, "warehouse": found[0].warehouse}
                }
            )
        raise ValidationError({field: _("Unknown location %(code)s.") % {"code": code}})
    location = next((loc for loc in here if loc.barcode == code), here[0])
    bins.check_location(location, warehouse, field=field)
    return location


def implicit_quantity(*, product_id: int, warehouse_id: int, lot_id: int | None) -> Decimal:
    """On hand of a product (and lot) in the warehouse that is in no bin (not put away)."""
    on_hand = (
        StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id, lot_id=lot_id)
        .values_list("on_hand", flat=True)
        .first()
    ) or ZERO
    return on_hand - bins.bins_total(product_id=product_id, warehouse_id=warehouse_id, lot_id=lot_id)


def pick_sources(
    *,
    warehouse_id: int,
    product_id: int,
    lot_id: int | None,
    quantity: Decimal,
    planned: dict[int, Decimal] | None = None,
) -> list[tuple[Location | None, Decimal]]:
    """Where to pick ``quantity`` of a product (and lot) in a warehouse: from the bins holding
    it in pick-sequence order, less what ``planned`` (location id → quantity) already sends
    pickers to take there and what pickers reported not found there (until it is counted);
    whatever the bins cannot give comes from the implicit location (None). A warehouse without
    bins: everything from the implicit location. One query."""
    key = (product_id, lot_id)
    return pick_sources_many(
        warehouse_id=warehouse_id, wants={key: Decimal(quantity)}, planned={key: planned or {}}
    )[key]


def pick_sources_many(
    *,
    warehouse_id: int,
    wants: dict[tuple[int, int | None], Decimal],
    planned: dict[tuple[int, int | None], dict[int, Decimal]] | None = None,
) -> dict[tuple[int, int | None], list[tuple[Location | None, Decimal]]]:
    """``pick_sources`` of several products (and lots) of one warehouse at once: ``wants`` is
    (product id, lot id) → quantity, ``planned`` the same key → what open picks already take per
    location. One query whatever the number of products (a batch pick of fifty orders)."""
    planned = planned or {}
    rows: dict[tuple, list[LocationStock]] = {}
    if wants:
        lots = {lot_id for _p, lot_id in wants}
        lot_q = Q(lot_id__in=[lot for lot in lots if lot is not None])
        if None in lots:
            lot_q |= Q(lot__isnull=True)
        for row in (
            LocationStock.objects.filter(
                lot_q,
                location__warehouse_id=warehouse_id,
                location__is_active=True,
                product_id__in={product_id for product_id, _l in wants},
                on_hand__gt=0,
            )
            .select_related("location")
            .order_by("location__sequence", "location__code")
        ):
            rows.setdefault((row.product_id, row.lot_id), []).append(row)
    out = {}
    for key, quantity in wants.items():
        taken = planned.get(key) or {}
        left = Decimal(quantity)
        sources: list[tuple[Location | None, Decimal]] = []
        for row in rows.get(key, ()):
            if left <= 0:
                break
            free = row.pickable - taken.get(row.location_id, ZERO)
            if free <= 0:
                continue
            take = min(free, left)
            sources.append((row.location, take))
            left -= take
        if left > 0:
            sources.append((None, left))
        out[key] = sources
    return out


@atomic_with_retry
def stock_relocate(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity,
    to_location: Location | None,
    from_location: Location | None = None,
    lot: Lot | None = None,
    unit: ProductUnit | None = None,
    reference: str = "",
    user=None,
) -> tuple[StockMove, StockMove]:
    """Move stock inside a warehouse: put away (from the implicit location, ``from_location``
    None) into a bin, or from one bin to another, or back out of a bin (``to_location`` None).
    Reserved stock may move: reservations hold the warehouse, not a bin. Two relocation moves,
    netting to zero for the warehouse."""
    _check_warehouse(warehouse)
    if from_location is None and to_location is None:
        raise ValidationError({"to_location": _("Choose the location to move the stock to.")})
    if from_location is not None:
        bins.check_location(from_location, warehouse, field="from_location")
    if to_location is not None:
        bins.check_location(to_location, warehouse, field="to_location")
    if from_location is not None and to_location is not None and from_location.pk == to_location.pk:
        raise ValidationError({"to_location": _("The stock is already in this location.")})
    base = to_base_quantity(product=product, quantity=quantity, unit=unit)
    lot = lot_for_outgoing(product=product, lot=lot)
    lot_id = lot.pk if lot else None
    if from_location is None:
        # Lock the level (before any bin row, as every stock service does) and check that the
        # implicit location holds what leaves it.
        level = (
            StockLevel.objects.select_for_update()
            .filter(product_id=product.pk, warehouse_id=warehouse.pk, lot_id=lot_id)
            .values_list("on_hand", flat=True)
            .first()
        ) or ZERO
        free = level - bins.bins_total(product_id=product.pk, warehouse_id=warehouse.pk, lot_id=lot_id)
        if free < base:
            raise ValidationError(
                {
                    "quantity": _("Only %(free)s of this is waiting to be put away.")
                    % {"free": plain_qty(max(free, ZERO))}
                }
            )
    moves = bins.relocate(
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        lot_id=lot_id,
        base=base,
        from_location=from_location,
        to_location=to_location,
        reference=reference,
        user=user,
    )
    audit(
        "stock.relocation",
        actor=user,
        obj=moves[1],
        data={
            "quantity": str(base),
            "from": from_location.code if from_location else "",
            "to": to_location.code if to_location else "",
        },
    )
    return moves
