"""Slow movers: products with stock that does not sell — no demand (a day that shipped some) in
the last ``PlanningSettings.slow_mover_days`` days, or more cover than
``slow_mover_cover_months`` (on hand ÷ the average daily demand of the plans' history: the sum
over warehouses of demand_total ÷ history_days). Biggest stock value first. One query for the
rows (the figures are subqueries), so a page costs the same whatever its length."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from integration.planning.models import DemandDay, Plan, PlanningSettings
from scm.inventory.models import Product, StockLevel, Warehouse

DAYS_PER_MONTH = 30
_Q = DecimalField(max_digits=24, decimal_places=6)


def _subquery_sum(qs, field):
    return Subquery(qs.values("product_id").annotate(total=Sum(field)).values("total")[:1], output_field=_Q)


def slow_movers(*, search: str = "", settings: PlanningSettings | None = None, today=None) -> QuerySet:
    """Products that are slow movers, annotated with ``on_hand`` (stock-kind warehouses),
    ``last_demand`` (the last day that shipped some), ``daily_demand`` and ``value``
    (on hand × average cost), by value, biggest first."""
    settings = settings or PlanningSettings.current()
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.slow_mover_days)
    cover_days = Decimal(settings.slow_mover_cover_months) * DAYS_PER_MONTH
    on_hand = _subquery_sum(
        StockLevel.objects.filter(product_id=OuterRef("pk"), warehouse__kind=Warehouse.Kind.STOCK),
        "on_hand",
    )
    last_demand = Subquery(
        DemandDay.objects.filter(product_id=OuterRef("pk"), shipped__gt=0)
        .values("product_id")
        .annotate(last=Max("day"))
        .values("last")[:1]
    )
    daily = _subquery_sum(
        Plan.objects.filter(product_id=OuterRef("pk"), history_days__gt=0).annotate(
            per_day=ExpressionWrapper(
                F("demand_total") * Value(Decimal("1.0")) / F("history_days"), output_field=_Q
            )
        ),
        "per_day",
    )
    qs = (
        Product.objects.filter(is_template=False)
        .annotate(
            on_hand=Coalesce(on_hand, Value(Decimal(0)), output_field=_Q),
            last_demand=last_demand,
            daily_demand=Coalesce(daily, Value(Decimal(0)), output_field=_Q),
        )
        .annotate(value=ExpressionWrapper(F("on_hand") * F("cost"), output_field=_Q))
        .filter(on_hand__gt=0)
        .filter(
            Q(last_demand__isnull=True)
            | Q(last_demand__lt=cutoff)
            | Q(daily_demand__gt=0, on_hand__gt=F("daily_demand") * Value(cover_days))
        )
    )
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    return qs.order_by("-value", "sku")


def cover_months(product) -> Decimal | None:
    """On hand ÷ daily demand in months (None: no demand, the cover is endless)."""
    daily = Decimal(product.daily_demand or 0)
    if daily <= 0:
        return None
    return (Decimal(product.on_hand) / daily / DAYS_PER_MONTH).quantize(Decimal("0.1"))
