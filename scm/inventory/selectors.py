"""Stock reads."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pagination import list_order
from core.roles import FINANCE, MANAGER, PURCHASING, has_role
from scm.inventory.holding import free_expression, held_expression
from scm.inventory.models import (
    CountLine,
    CountSession,
    Lot,
    Product,
    ProductUnit,
    Reservation,
    StockLevel,
    StockMove,
    Transfer,
    TransferLine,
    Warehouse,
)
from scm.inventory.promise import availability

ZERO = Decimal(0)
QTY = DecimalField(max_digits=18, decimal_places=3)
VALUE = DecimalField(max_digits=24, decimal_places=4)


def available_to_promise(*, product_id: int, warehouse_id: int | None = None) -> list[dict]:
    """Per active stock warehouse (or the one given): on hand, reserved, available (on hand −
    reserved of what is free to reserve: expired lots and lots on hold left out), held (on hand
    of lots on hold), incoming supplies with their dates, and the day one base unit could ship
    from there (``promise_date``, ``promise_source``: ``promise.promise_dates_many``'s rule,
    after the backorders waiting). Four queries."""
    return availability(product_ids=[product_id], warehouse_id=warehouse_id)[int(product_id)]


def held_for_demands(*, demands) -> dict[str, list[Reservation]]:
    """Where stock is held for each of ``demands`` (an order line's ``demand``): its reservations
    with their warehouse and lot, by warehouse code and expiry. One query."""
    held: dict[str, list[Reservation]] = {demand: [] for demand in demands}
    if not held:
        return held
    rows = (
        Reservation.objects.filter(demand__in=list(held), quantity__gt=0)
        .select_related("warehouse", "lot")
        .order_by("warehouse__code", "lot__expiry_date", "pk")
    )
    for row in rows:
        held[row.demand].append(row)
    return held


def available_at(*, product_id: int, warehouse_id: int, lot_id: int | None = None) -> Decimal:
    """What is free to reserve of a product in one warehouse (one lot, or all its unexpired
    lots): on hand − reserved, nothing of a lot on hold (``holding.free_level_q``)."""
    qs = StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
    if lot_id is not None:
        qs = qs.filter(lot_id=lot_id)
    else:
        today = timezone.localdate()
        qs = qs.filter(
            Q(lot__isnull=True) | Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=today)
        )
    return qs.aggregate(a=Sum(free_expression()))["a"] or ZERO


def available_total(*, product_id: int) -> Decimal:
    """What is free to reserve of a product in all warehouses (``holding.free_level_q``: no
    quarantine, no lot on hold)."""
    return available_totals(product_ids=[product_id])[int(product_id)]


def available_totals(*, product_ids) -> dict[int, Decimal]:
    """``available_total`` of several products in one query: product id → what is free to
    reserve in all warehouses (a product with no stock maps to zero)."""
    ids = {int(pk) for pk in product_ids}
    if not ids:
        return {}
    rows = (
        StockLevel.objects.filter(product_id__in=ids)
        .values("product_id")
        .annotate(a=Sum(free_expression()))
        .order_by()
    )
    totals = dict.fromkeys(ids, Decimal(0))
    totals.update({row["product_id"]: row["a"] or Decimal(0) for row in rows})
    return totals


def _distance_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def active_warehouses() -> list[dict]:
    """The active warehouses' ids and locations, by code (what ``warehouses_by_distance`` sorts);
    quarantines are not among them."""
    return list(Warehouse.objects.for_stock().order_by("code").values("pk", "latitude", "longitude"))


def warehouses_by_distance(
    *, latitude=None, longitude=None, warehouses: list[dict] | None = None
) -> list[int]:
    """Active warehouse ids, nearest first (great-circle distance); by code when the location is
    unknown. ``warehouses``: ``active_warehouses()`` as the caller already read it."""
    if warehouses is None:
        warehouses = active_warehouses()
    if latitude is None or longitude is None:
        return [w["pk"] for w in warehouses]

    def key(w):
        if w["latitude"] is None or w["longitude"] is None:
            return float("inf")
        return _distance_km(latitude, longitude, w["latitude"], w["longitude"])

    return [w["pk"] for w in sorted(warehouses, key=key)]


# --- scanning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    product: Product
    unit: ProductUnit | None
    lot: Lot | None

    @property
    def factor(self) -> Decimal:
        return self.unit.factor if self.unit is not None else Decimal(1)


def scan_lookup(*, code: str, field: str = "barcode") -> Scan:
    """What a scanned code is: a unit's barcode (a box: its factor in base units), a product's
    barcode or SKU, or a lot / serial number. Unknown codes are a field error."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({field: _("Scan or type a barcode.")})
    unit = ProductUnit.objects.select_related("product").filter(barcode=code).first()
    if unit is not None:
        return Scan(unit.product, unit, None)
    product = Product.objects.filter(Q(barcode=code) | Q(sku=code), is_template=False).first()
    if product is not None:
        return Scan(product, None, None)
    lots = list(Lot.objects.select_related("product").filter(number=code)[:2])
    if len(lots) == 1:
        return Scan(lots[0].product, None, lots[0])
    raise ValidationError({field: _("Unknown barcode: %(code)s") % {"code": code}})


# --- products and stock ---------------------------------------------------------------------


# The product list's sort keys and their columns: the name by its pinyin (indexed column).
PRODUCT_SORTS = {
    "sku": "sku",
    "name": "search_pinyin",
    "list_price": "list_price",
    "on_hand_total": "on_hand_total",
    "available_total": "available_total",
    "category__name": "category__name",
}


def product_list(
    *,
    search: str = "",
    category_id=None,
    brand_id=None,
    tracking: str = "",
    active=None,
    ordering: str = "sku",
    include_templates: bool = False,
):
    """Products with their stock totals (subqueries, so a page costs one query): on hand and
    reserved outside quarantine, available (free to reserve: ``holding.free_level_q``), what is
    held in quarantine and what is on hand of lots on hold."""
    levels = StockLevel.objects.filter(product=OuterRef("pk"))
    totals = levels.exclude(warehouse__kind=Warehouse.Kind.QUARANTINE).values("product")
    held = levels.filter(warehouse__kind=Warehouse.Kind.QUARANTINE).values("product")
    every = levels.values("product")
    qs = Product.objects.select_related("category", "brand").annotate(
        on_hand_total=Coalesce(
            Subquery(totals.annotate(s=Sum("on_hand")).values("s")), ZERO, output_field=QTY
        ),
        reserved_total=Coalesce(
            Subquery(totals.annotate(s=Sum("reserved")).values("s")), ZERO, output_field=QTY
        ),
        quarantine_total=Coalesce(
            Subquery(held.annotate(s=Sum("on_hand")).values("s")), ZERO, output_field=QTY
        ),
        on_hold_total=Coalesce(
            Subquery(every.annotate(s=Sum(held_expression())).values("s")), ZERO, output_field=QTY
        ),
        available_total=Coalesce(
            Subquery(every.annotate(s=Sum(free_expression())).values("s")), ZERO, output_field=QTY
        ),
    )
    if not include_templates:
        qs = qs.filter(is_template=False)
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search) | Q(barcode=search))
    if category_id:
        from scm.inventory.counts import category_ids
        from scm.inventory.models import Category

        category = Category.objects.filter(pk=category_id).first()
        if category is not None:
            qs = qs.filter(category_id__in=category_ids(category))
    if brand_id:
        qs = qs.filter(brand_id=brand_id)
    if tracking:
        qs = qs.filter(tracking=tracking)
    if active is not None:
        qs = qs.filter(is_active=active)
    return list_order(qs, ordering, PRODUCT_SORTS, "sku")


def stock_by_warehouse(*, product_id: int) -> list[dict]:
    """On hand, reserved, available (free to reserve: ``holding.free_level_q``) and on hold per
    warehouse, all lots together (one query). A quarantine's stock and a held lot's are on hand
    but never available."""
    return list(
        StockLevel.objects.filter(product_id=product_id)
        .values("warehouse_id", "warehouse__code", "warehouse__name", "warehouse__kind")
        .annotate(
            total_on_hand=Sum("on_hand"),
            total_reserved=Sum("reserved"),
            total_available=Sum(free_expression()),
            total_held=Sum(held_expression()),
        )
        .order_by("warehouse__code")
    )


def stock_overview(*, warehouse_id=None, search: str = ""):
    """Stock levels with product, warehouse and lot, biggest first (one query per page). A
    quarantine's levels and a held lot's show as such, with nothing available."""
    qs = (
        StockLevel.objects.exclude(on_hand=0)
        .select_related("product", "warehouse", "lot")
        .annotate(
            available=free_expression(),
            value=ExpressionWrapper(F("on_hand") * F("product__cost"), output_field=VALUE),
        )
        .order_by("product__sku", "warehouse__code", "lot__expiry_date", "pk")
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if search:
        qs = qs.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search))
    return qs


def stock_valuation(*, warehouse_id=None) -> dict:
    """Value of stock at moving-average cost: per warehouse and the total (one query)."""
    qs = StockLevel.objects.exclude(on_hand=0)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    value = ExpressionWrapper(F("on_hand") * F("product__cost"), output_field=VALUE)
    rows = list(
        qs.values("warehouse_id", "warehouse__code", "warehouse__name")
        .annotate(value=Sum(value), quantity=Sum("on_hand"))
        .order_by("warehouse__code")
    )
    return {"warehouses": rows, "total": sum((r["value"] or ZERO for r in rows), ZERO)}


def movement_history(*, product_id=None, lot_id=None, warehouse_id=None):
    """Ledger moves, newest first."""
    qs = StockMove.objects.select_related("product", "warehouse", "lot", "user", "location")
    if product_id:
        qs = qs.filter(product_id=product_id)
    if lot_id:
        qs = qs.filter(lot_id=lot_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("-created_at", "-pk")


def lot_locations(*, lot_id: int) -> dict:
    """Where a lot is now: warehouses holding it, and transfers carrying it."""
    levels = list(
        StockLevel.objects.filter(lot_id=lot_id, on_hand__gt=0)
        .select_related("warehouse")
        .order_by("warehouse__code")
    )
    in_transit = list(
        TransferLine.objects.filter(lot_id=lot_id, transfer__state=Transfer.State.IN_TRANSIT).select_related(
            "transfer", "transfer__source", "transfer__destination"
        )
    )
    return {"levels": levels, "in_transit": in_transit}


def low_stock(*, warehouse_id=None):
    """Active products whose available stock is below their reorder point."""
    qs = product_list(active=True).filter(reorder_point__gt=0, available_total__lt=F("reorder_point"))
    return qs.order_by("available_total", "sku")


# Counts the warehouse still works on: counting, or approved and waiting to be posted.
OPEN_COUNT_STATES = (CountSession.State.COUNTING, CountSession.State.APPROVED)


def count_sessions(*, state: str = ""):
    """Counts, newest first (warehouse, category and who started each joined): all, those in
    ``state``, or ``"open"`` ones (``OPEN_COUNT_STATES``)."""
    qs = CountSession.objects.select_related("warehouse", "category", "created_by")
    if state == "open":
        qs = qs.filter(state__in=OPEN_COUNT_STATES)
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def count_report(*, session: CountSession) -> dict:
    """The variance report: each line's expected, counted, variance, its value and rate, and
    totals (net and absolute value, accuracy = lines without variance / lines)."""
    lines = list(
        CountLine.objects.filter(session=session)
        .select_related("product", "lot", "location")
        .order_by("location__sequence", "location__code", "product__sku", "lot__number", "pk")
    )
    rows, net, gross, exact = [], ZERO, ZERO, 0
    for line in lines:
        variance = line.variance
        value = (variance * line.unit_cost).quantize(Decimal("0.01")) if variance is not None else None
        base = line.expected if line.expected is not None else line.snapshot_on_hand
        rate = (
            (abs(variance) / base * 100).quantize(Decimal("0.1")) if variance is not None and base else None
        )
        if variance is not None:
            net += value
            gross += abs(value)
            exact += variance == 0
        rows.append({"line": line, "variance": variance, "value": value, "rate": rate})
    counted = sum(1 for r in rows if r["variance"] is not None)
    accuracy = (Decimal(exact) / counted * 100).quantize(Decimal("0.1")) if counted else None
    return {"rows": rows, "net_value": net, "gross_value": gross, "accuracy": accuracy, "lines": len(rows)}


# Who reads cost prices (a product's average cost, stock moves' unit costs, stock valuation):
# those who buy, account for and manage stock. Sales and service quote list prices, the
# warehouse counts units: neither has a reason to read what the company paid.
COST_READ_ROLES = (PURCHASING, FINANCE, MANAGER)


def can_see_cost(user) -> bool:
    """May ``user`` read cost prices? (Admins may.) Pages and API ask this one question."""
    return has_role(user, COST_READ_ROLES)
