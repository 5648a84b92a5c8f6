"""Put-away: which bin a received product should go to, and what has not been put away yet.

``put_away_suggestion`` is the one rule: a bin where the product already is (the same lot first),
else an empty bin of the product's zone — the zone holding most of its category in that
warehouse — else the first empty bin in walk order; none for a warehouse without locations (or
with every bin full). Receiving (the tablet and purchase receipts), the put-away screen and the
API ask it.
"""

from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Min, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce

from scm.inventory.models import Location, LocationStock, Lot, Product, StockLevel, Warehouse

ZERO = Decimal(0)
QTY = DecimalField(max_digits=18, decimal_places=3)


def _active_bins(warehouse_id: int):
    return Location.objects.filter(warehouse_id=warehouse_id, is_active=True)


def _walk(qs):
    return qs.order_by("sequence", "code", "pk")


def _empty_bins(warehouse_id: int):
    full = LocationStock.objects.filter(location__warehouse_id=warehouse_id, on_hand__gt=0).values(
        "location_id"
    )
    return _active_bins(warehouse_id).exclude(pk__in=full)


def _category_zones(warehouse_id: int, category_ids: set[int]) -> dict[int, str]:
    """Category → the zone where most of it is kept in the warehouse (by bins holding its
    products; ties: the zone first in walk order). One query."""
    if not category_ids:
        return {}
    rows = (
        LocationStock.objects.filter(
            location__warehouse_id=warehouse_id,
            location__is_active=True,
            product__category_id__in=category_ids,
            on_hand__gt=0,
        )
        .values("product__category_id", "location__zone")
        .annotate(n=Count("pk"), first=Min("location__sequence"))
        .order_by("product__category_id", "-n", "first", "location__zone")
    )
    zones: dict[int, str] = {}
    for row in rows:
        zones.setdefault(row["product__category_id"], row["location__zone"])
    return zones


def _first_empty_in(warehouse_id: int, zones: set[str]) -> dict[str, Location]:
    """Zone → its first empty bin in walk order (two queries)."""
    if not zones:
        return {}
    empty = _empty_bins(warehouse_id).filter(zone__in=zones)
    firsts = list(empty.values("zone").annotate(s=Min("sequence")).order_by())
    if not firsts:
        return {}
    at = Q()
    for row in firsts:
        at |= Q(zone=row["zone"], sequence=row["s"])
    found: dict[str, Location] = {}
    for location in _walk(empty.filter(at)):
        found.setdefault(location.zone, location)
    return found


def put_away_suggestions(*, warehouse: Warehouse, items) -> dict[tuple[int, int | None], Location | None]:
    """``put_away_suggestion`` for many ``items`` ((product, lot or None) pairs) at once:
    (product id, lot id) → the bin, or None. At most five queries whatever the number of items
    (a page of stock not put away asks for all its rows at once)."""
    items = [(product, lot) for product, lot in items]
    if not items:
        return {}
    holding = (
        LocationStock.objects.filter(
            location__warehouse_id=warehouse.pk,
            location__is_active=True,
            product_id__in={product.pk for product, _lot in items},
            on_hand__gt=0,
        )
        .select_related("location")
        .order_by("location__sequence", "location__code", "location_id", "pk")
    )
    any_lot: dict[int, Location] = {}
    same_lot: dict[tuple[int, int | None], Location] = {}
    for row in holding:
        any_lot.setdefault(row.product_id, row.location)
        same_lot.setdefault((row.product_id, row.lot_id), row.location)
    result: dict[tuple[int, int | None], Location | None] = {}
    waiting = []
    for product, lot in items:
        key = (product.pk, lot.pk if lot is not None else None)
        found = (same_lot.get(key) if lot is not None else None) or any_lot.get(product.pk)
        if found is not None:
            result[key] = found
        else:
            waiting.append((key, product))
    if not waiting:
        return result
    zone_of = _category_zones(warehouse.pk, {p.category_id for _k, p in waiting if p.category_id})
    first_in_zone = _first_empty_in(warehouse.pk, set(zone_of.values()))
    first = None
    if any(zone_of.get(p.category_id) not in first_in_zone for _k, p in waiting):
        first = _walk(_empty_bins(warehouse.pk)).first()
    for key, product in waiting:
        result[key] = first_in_zone.get(zone_of.get(product.category_id)) or first
    return result


def put_away_suggestion(*, warehouse: Warehouse, product: Product, lot: Lot | None = None) -> Location | None:
    """The bin to put ``product`` (``lot``) away into in ``warehouse`` (the module's rule)."""
    key = (product.pk, lot.pk if lot is not None else None)
    return put_away_suggestions(warehouse=warehouse, items=[(product, lot)])[key]


def _in_bins(*, lot: bool):
    key = {"location__warehouse_id": OuterRef("warehouse_id"), "product_id": OuterRef("product_id")}
    if lot:
        key["lot_id"] = OuterRef("lot_id")
    else:
        key["lot__isnull"] = True
    return LocationStock.objects.filter(**key).values("product_id").annotate(s=Sum("on_hand")).values("s")


def in_bins_expression():
    """Σ on hand in the bins of a ``StockLevel``'s warehouse of its product and lot (zero for a
    warehouse without bins): the rest of its on hand is not put away."""
    return Coalesce(
        Case(
            When(lot__isnull=True, then=Subquery(_in_bins(lot=False), output_field=QTY)),
            default=Subquery(_in_bins(lot=True), output_field=QTY),
            output_field=QTY,
        ),
        ZERO,
        output_field=QTY,
    )


def not_put_away(*, warehouse_id: int, search: str = ""):
    """Stock of a warehouse with bins that is in no bin yet (its implicit location): levels
    annotated with ``in_bins`` and ``to_put_away`` (on hand − in bins), biggest first, product
    and lot joined. One query per page."""
    qs = (
        StockLevel.objects.filter(warehouse_id=warehouse_id, on_hand__gt=0)
        .select_related("product", "lot")
        .annotate(in_bins=in_bins_expression())
        .annotate(to_put_away=F("on_hand") - F("in_bins"))
        .filter(to_put_away__gt=0)
        .order_by("product__sku", "lot__expiry_date", "lot__number", "pk")
    )
    if search:
        qs = qs.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search))
    return qs
