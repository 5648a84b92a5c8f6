"""Reads of a warehouse's bins: the locations list, what a bin holds, and the per-bin
quantities the stock pages show beside a warehouse's levels. Each is a fixed number of queries
whatever the number of rows."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from scm.inventory.models import Location, LocationStock, StockLevel, StockMove, Warehouse

ZERO = Decimal(0)
QTY = DecimalField(max_digits=18, decimal_places=3)


def warehouses_with_bins() -> set[int]:
    """Ids of the warehouses that have at least one location (one query)."""
    return set(Location.objects.values_list("warehouse_id", flat=True).distinct().order_by())


def location_list(*, warehouse_id=None, zone: str = "", search: str = "", active=None):
    """Locations in walk order with what they hold: ``products`` (stock rows with something on
    hand) and ``quantity`` (their sum, base units). One query per page."""
    held = LocationStock.objects.filter(location_id=OuterRef("pk"), on_hand__gt=0).values("location_id")
    qs = (
        Location.objects.select_related("warehouse")
        .annotate(
            products=Coalesce(Subquery(held.annotate(n=Count("pk")).values("n")), 0),
            quantity=Coalesce(Subquery(held.annotate(s=Sum("on_hand")).values("s")), ZERO, output_field=QTY),
        )
        .order_by("warehouse__code", "sequence", "code", "pk")
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if zone:
        qs = qs.filter(zone=zone)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(barcode=search))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def zones(*, warehouse_id: int) -> list[str]:
    """The zones of a warehouse, in walk order of their first bin."""
    rows = (
        Location.objects.filter(warehouse_id=warehouse_id)
        .values("zone")
        .annotate(first=Min("sequence"))
        .order_by("first", "zone")
        .values_list("zone", flat=True)
    )
    return list(rows)


def location_contents(*, location_id: int):
    """What a bin holds, by product and lot (product, lot joined), nothing empty."""
    return (
        LocationStock.objects.filter(location_id=location_id, on_hand__gt=0)
        .select_related("product", "lot")
        .order_by("product__sku", "lot__expiry_date", "lot__number", "pk")
    )


def location_moves(*, location_id: int):
    """The ledger's moves through a bin, newest first."""
    return (
        StockMove.objects.filter(location_id=location_id)
        .select_related("product", "warehouse", "lot", "user", "location")
        .order_by("-created_at", "-pk")
    )


def bins_for_levels(levels) -> dict[tuple, list[LocationStock]]:
    """For stock levels (a page of them): (product, warehouse, lot) → the bins holding that key,
    in walk order. One query for the page, none when no level is in a warehouse with bins."""
    levels = list(levels)
    if not levels:
        return {}
    product_ids = {lv.product_id for lv in levels}
    warehouse_ids = {lv.warehouse_id for lv in levels}
    rows = (
        LocationStock.objects.filter(
            product_id__in=product_ids, location__warehouse_id__in=warehouse_ids, on_hand__gt=0
        )
        .select_related("location")
        .order_by("location__sequence", "location__code", "pk")
    )
    found = defaultdict(list)
    for row in rows:
        found[(row.product_id, row.location.warehouse_id, row.lot_id)].append(row)
    return found


def product_bin_stock(*, product_id: int) -> list[dict]:
    """Per warehouse with bins: the bins holding a product (walk order, lot joined) and what of
    it is not put away (on hand − in bins). Three queries."""
    with_bins = warehouses_with_bins()
    if not with_bins:
        return []
    rows = list(
        LocationStock.objects.filter(product_id=product_id, on_hand__gt=0)
        .select_related("location", "lot")
        .order_by("location__sequence", "location__code", "lot__number")[:500]
    )
    totals = dict(
        StockLevel.objects.filter(product_id=product_id, warehouse_id__in=with_bins)
        .values("warehouse_id")
        .annotate(s=Sum("on_hand"))
        .order_by()
        .values_list("warehouse_id", "s")
    )
    out = []
    for warehouse in Warehouse.objects.filter(pk__in=with_bins).order_by("code"):
        held = [row for row in rows if row.location.warehouse_id == warehouse.pk]
        on_hand = totals.get(warehouse.pk) or ZERO
        if not held and not on_hand:
            continue
        rest = on_hand - sum((row.on_hand for row in held), ZERO)
        out.append({"warehouse": warehouse, "bins": held, "not_put_away": rest})
    return out


def stock_warehouses() -> list[Warehouse]:
    return list(Warehouse.objects.for_stock().order_by("code"))
