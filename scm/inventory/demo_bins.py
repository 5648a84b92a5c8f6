"""Demo bins: 北京仓 works by bins, 广州仓 and 上海仓 keep their stock in one place (both modes
shown). Zone A holds the fast movers (office supplies, nearest the dock), zone B food and
cleaning, zone C electronics and clothing; each zone's walk snakes aisle by aisle
(``locations_admin.location_zone_create``). Once the stock history is written, 北京仓's stock
is put away, each product into its zone's next empty bin (all its lots together), except what
arrived last, left on the put-away screen. Deterministic and idempotent."""

from decimal import Decimal

from scm.inventory import locations, locations_admin
from scm.inventory.models import Location, LocationStock, StockLevel, Warehouse
from scm.inventory.putaway import in_bins_expression

BINS_WAREHOUSE = "BJ"
# zone, (aisles, shelves per aisle, bins per shelf), top-level categories kept there
ZONES = [
    ("A", (4, 3, 5), ["办公用品"]),
    ("B", (3, 3, 4), ["食品饮料", "清洁用品"]),
    ("C", (2, 3, 4), ["电子产品", "服装"]),
]
# Left waiting on the put-away screen: "just arrived".
NOT_PUT_AWAY = ("CL-MP-FL", "OF-ST-12", "EL-PH-STD")


def layout(warehouse: Warehouse, actor=None) -> int:
    """Make the zones' bins of ``warehouse`` unless it has bins already; the number made."""
    if Location.objects.filter(warehouse=warehouse).exists():
        return 0
    made = 0
    for zone, (aisles, shelves, bins), _categories in ZONES:
        made += len(
            locations_admin.location_zone_create(
                warehouse=warehouse, zone=zone, aisles=aisles, shelves=shelves, bins=bins, actor=actor
            )
        )
    return made


def _zone_of(product) -> str:
    category = product.category
    top = category.parent.name if category and category.parent else (category.name if category else "")
    return next((zone for zone, _size, names in ZONES if top in names), ZONES[-1][0])


def put_away(warehouse: Warehouse, user=None) -> int:
    """Put ``warehouse``'s stock not in a bin away: each product into the bin already holding
    it, else its zone's next empty bin in walk order (else any empty bin); the moves through
    ``locations.stock_relocate``. Products in ``NOT_PUT_AWAY`` stay waiting. Levels moved."""
    levels = list(
        StockLevel.objects.filter(warehouse=warehouse, on_hand__gt=0)
        .exclude(product__sku__in=NOT_PUT_AWAY)
        .select_related("product__category__parent", "lot")
        .annotate(in_bins=in_bins_expression())
        .order_by("product__sku", "lot__expiry_date", "lot__number", "pk")
    )
    holding = dict(
        LocationStock.objects.filter(location__warehouse=warehouse, on_hand__gt=0).values_list(
            "product_id", "location_id"
        )
    )
    used = set(holding.values())
    walk = list(Location.objects.filter(warehouse=warehouse, is_active=True).order_by("sequence", "code"))
    by_pk = {location.pk: location for location in walk}
    moved = 0
    for level in levels:
        waiting = level.on_hand - level.in_bins
        if waiting <= 0:
            continue
        target = by_pk.get(holding.get(level.product_id))
        if target is None:
            zone = _zone_of(level.product)
            free = [loc for loc in walk if loc.pk not in used]
            target = next((loc for loc in free if loc.zone == zone), free[0] if free else None)
            if target is None:
                break
            used.add(target.pk)
            holding[level.product_id] = target.pk
        locations.stock_relocate(
            product=level.product,
            warehouse=warehouse,
            quantity=Decimal(waiting),
            lot=level.lot,
            to_location=target,
            reference="DEMO-PUTAWAY",
            user=user,
        )
        moved += 1
    return moved
