"""The planning run: plans from the demand history, then suggestions from the plans.

``planning_run`` is the one entry point — nightly for every product (``tasks.planning_nightly``),
at once for the products of a shortage, and after an override. Per chunk of products:

1. the demand history of the last ``PlanningSettings.history_weeks`` weeks (up to yesterday) as
   matrices (``demand.history_matrix``), fitted at once (``forecast.fit``);
2. each product's supply (``supply.supplies_for``: best supplier, lead time L and spread σ_L)
   and service level (its category's, the parent's, or the default), z = Φ⁻¹(service level);
3. the plan of each product × warehouse, with d the forecast daily demand over the lead time:
   - D_L = forecast demand over the next L days, D_{L+R} over L + the review period R;
   - safety stock SS = z × √(L × σ² + d² × σ_L²);
   - reorder point = D_L + SS; order-up-to level = D_{L+R} + SS;
   - a product with no demand in the window anywhere falls back to its hand-set reorder point
     and quantity (order-up-to = point + quantity) at one warehouse (its supplier's delivery
     warehouse, else the first); an override replaces both numbers, marked as such;
4. the suggestions of the chunk's products (``netting.suggestions_refresh``).
"""

import json
import math
import time
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from statistics import NormalDist

import numpy as np
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.db import is_retryable
from integration.planning import demand, forecast, netting, supply, warnings
from integration.planning.models import (
    CategoryServiceLevel,
    DemandDay,
    Plan,
    PlanningSettings,
    PlanOverride,
    Suggestion,
)
from scm.inventory.models import Category, Product, StockLevel, Warehouse

CHUNK = 2000
RETRIES = 3
FIGURE = Decimal("0.0001")
QTY = Decimal("0.001")
# A first sale fewer days ago than this: the plan says its forecast is rough.
SHORT_HISTORY_DAYS = 28


def z_for(service_level: Decimal) -> float:
    """The safety factor of a service level in percent: the standard normal quantile."""
    return NormalDist().inv_cdf(float(service_level) / 100)


def service_levels(products, default: Decimal) -> dict[int, Decimal]:
    """Each product's service level: its category's own, else the nearest ancestor's, else
    ``default`` (two queries)."""
    own = dict(CategoryServiceLevel.objects.values_list("category_id", "service_level"))
    parents = dict(Category.objects.values_list("pk", "parent_id"))

    def level(category_id):
        seen = set()
        while category_id is not None and category_id not in seen:
            if category_id in own:
                return own[category_id]
            seen.add(category_id)
            category_id = parents.get(category_id)
        return default

    return {p.pk: level(p.category_id) for p in products}


def _quantity(value: float, divisible: bool) -> Decimal:
    """A planned quantity: up to whole units when the base unit cannot be split."""
    number = Decimal(repr(max(float(value), 0.0)))
    if not divisible:
        return number.to_integral_value(rounding=ROUND_CEILING)
    return number.quantize(QTY, rounding=ROUND_HALF_UP)


def _figure(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(FIGURE, rounding=ROUND_HALF_UP)


def _plannable(product_ids=None):
    qs = Product.objects.filter(is_active=True, is_template=False)
    if product_ids is not None:
        qs = qs.filter(pk__in=list(product_ids))
    return qs


def _stock_pairs(product_ids) -> set[tuple[int, int]]:
    """Product × warehouse pairs that hold stock (stock warehouses only)."""
    return set(
        StockLevel.objects.filter(
            product_id__in=product_ids,
            on_hand__gt=0,
            warehouse__kind=Warehouse.Kind.STOCK,
            warehouse__is_active=True,
        )
        .values_list("product_id", "warehouse_id")
        .distinct()
    )


def plans_compute(
    products: list, *, today: date, settings: PlanningSettings, stock_warehouses: list[int]
) -> list:
    """The plans of ``products`` (not saved), one per product × warehouse with demand, stock, an
    override or a hand-set fallback."""
    ids = [p.pk for p in products]
    by_id = {p.pk: p for p in products}
    days = settings.history_weeks * 7
    first = today - timedelta(days=days)
    series, matrix, stockout = demand.history_matrix(ids, first=first, days=days)
    sold = matrix > 0
    last_idx = days - 1 - np.argmax(sold[:, ::-1], axis=1)
    last_in_window = {
        key: first + timedelta(days=int(last_idx[i])) for i, key in enumerate(series) if sold[i].any()
    }
    fit = forecast.fit(matrix, stockout, first) if series else None
    supplies = supply.supplies_for(ids, today=today, default_lead_time=settings.default_lead_time_days)
    levels = service_levels(products, settings.service_level)
    overrides = {(o.product_id, o.warehouse_id): o for o in PlanOverride.objects.filter(product_id__in=ids)}
    index = {key: i for i, key in enumerate(series)}
    demanded = {p for (p, _w), i in index.items() if fit is not None and fit.total[i] > 0}
    pairs = set(series) | _stock_pairs(ids) | set(overrides)
    fallback = {}
    for product in products:
        if product.pk not in demanded and product.reorder_point > 0 and stock_warehouses:
            sp = supplies[product.pk].supplier_product
            wh = sp.supplier.default_warehouse_id if sp is not None else None
            fallback[product.pk] = wh if wh in stock_warehouses else stock_warehouses[0]
            pairs.add((product.pk, fallback[product.pk]))
    pairs = sorted(pair for pair in pairs if pair[1] in set(stock_warehouses))
    if not pairs:
        return []
    n = len(pairs)
    rows = np.array([index.get(pair, -1) for pair in pairs])
    have = rows >= 0

    def take(values, default=0.0):
        out = np.full(n, default, dtype=np.float64)
        if fit is not None:
            out[have] = values[rows[have]]
        return out

    level, trend, sigma = (
        take(fit.level if fit else None),
        take(fit.trend if fit else None),
        take(fit.sigma if fit else None),
    )
    factors = np.ones((n, 7))
    if fit is not None:
        factors[have] = fit.factors[rows[have]]
    lead = np.array([supplies[p].lead_time for p, _w in pairs])
    lead_sigma = np.array([supplies[p].lead_time_sigma for p, _w in pairs])
    review = float(settings.review_days)
    horizon = int(math.ceil(float(lead.max()) + review)) + 1
    projected = forecast.project(level, trend, factors, start=today, days=horizon)
    d_l = forecast.demand_over(projected, lead)
    d_lr = forecast.demand_over(projected, lead + review)
    daily = np.where(lead > 0, d_l / np.maximum(lead, 1e-9), 0.0)
    z = np.array([z_for(levels[p]) for p, _w in pairs])
    safety = np.maximum(z, 0) * np.sqrt(lead * sigma**2 + daily**2 * lead_sigma**2)
    now = timezone.now()
    plans = []
    for i, (product_id, warehouse_id) in enumerate(pairs):
        product = by_id[product_id]
        div = product.base_unit_divisible
        s = supplies[product_id]
        r = rows[i]
        plan = Plan(
            product_id=product_id,
            warehouse_id=warehouse_id,
            computed_at=now,
            history_days=int(fit.days[r]) if r >= 0 else days,
            stockout_days=int(fit.stockout_days[r]) if r >= 0 else 0,
            demand_total=_quantity(fit.total[r], True) if r >= 0 else Decimal(0),
            level=_figure(level[i]),
            trend=_figure(trend[i]),
            weekday_factors=[round(float(f), 4) for f in factors[i]],
            sigma=_figure(sigma[i]),
            supplier_id=s.supplier_id,
            lead_time_days=Decimal(repr(s.lead_time)).quantize(Decimal("0.1")),
            lead_time_sigma=Decimal(repr(s.lead_time_sigma)).quantize(Decimal("0.1")),
            lead_time_source=s.source,
            service_level=levels[product_id],
            z=_figure(z[i]),
            review_days=settings.review_days,
            lead_time_demand=_quantity(d_l[i], True),
            review_demand=_quantity(d_lr[i], True),
            safety_stock=_quantity(safety[i], div),
            warnings=list(s.warnings),
        )
        plan.reorder_point = _quantity(d_l[i] + safety[i], div)
        plan.order_up_to = max(_quantity(d_lr[i] + safety[i], div), plan.reorder_point)
        if r >= 0 and fit.total[r] > 0 and fit.age[r] < SHORT_HISTORY_DAYS:
            plan.warnings.append(warnings.warning(warnings.SHORT_HISTORY, days=int(fit.age[r])))
        if r >= 0 and fit.stockout_days[r]:
            plan.warnings.append(warnings.warning(warnings.STOCKOUTS, days=int(fit.stockout_days[r])))
        if fallback.get(product_id) == warehouse_id:
            plan.source = Plan.Source.HAND_SET
            plan.warnings.append(warnings.warning(warnings.NO_HISTORY))
            plan.reorder_point = Decimal(product.reorder_point)
            plan.order_up_to = Decimal(product.reorder_point) + Decimal(product.reorder_quantity)
        override = overrides.get((product_id, warehouse_id))
        if override is not None:
            plan.source = Plan.Source.OVERRIDE
            plan.reorder_point, plan.order_up_to = override.reorder_point, override.order_up_to
        plans.append(plan)
    _last_demand(plans, last_in_window, first)
    return plans


def _last_demand(plans: list, last_in_window: dict, first: date) -> None:
    """Each plan's last day of demand: from the window's matrix, else (no demand in the window)
    the latest before it (one query, for those plans' products only)."""
    older = [p for p in plans if (p.product_id, p.warehouse_id) not in last_in_window]
    before = {}
    if older:
        before = {
            (r["product_id"], r["warehouse_id"]): r["last"]
            for r in DemandDay.objects.filter(
                product_id__in={p.product_id for p in older}, day__lt=first, shipped__gt=0
            )
            .values("product_id", "warehouse_id")
            .annotate(last=Max("day"))
        }
    for plan in plans:
        key = (plan.product_id, plan.warehouse_id)
        plan.last_demand_day = last_in_window.get(key) or before.get(key)


def _save_plans(ids: list[int], plans: list) -> None:
    keep = {(p.product_id, p.warehouse_id) for p in plans}
    stale = [
        pk
        for pk, product_id, warehouse_id in Plan.objects.filter(product_id__in=ids).values_list(
            "pk", "product_id", "warehouse_id"
        )
        if (product_id, warehouse_id) not in keep
    ]
    if stale:
        Plan.objects.filter(pk__in=stale).delete()
    _upsert(plans)


_COLUMNS = [f for f in Plan._meta.concrete_fields if f.name != "id"]


def _upsert(plans: list) -> None:
    """Insert or update the plans (``INSERT … ON CONFLICT (product, warehouse) DO UPDATE``, on
    PostgreSQL and SQLite alike), one statement executed for every row. Values go in as they
    are — the run's one time stamp prepared once, JSON as text — instead of through each
    field's preparation, which cost more than the planning itself."""
    if not plans:
        return
    table = connection.ops.quote_name(Plan._meta.db_table)
    names = [connection.ops.quote_name(f.column) for f in _COLUMNS]
    update = ", ".join(
        f"{n} = excluded.{n}"
        for f, n in zip(_COLUMNS, names, strict=True)
        if f.name not in {"product", "warehouse"}
    )
    stamps = {}

    def value(plan, field):
        raw = getattr(plan, field.attname)
        if isinstance(field, models.JSONField):
            return json.dumps(raw)
        if isinstance(field, models.DateTimeField):
            if raw not in stamps:
                stamps[raw] = field.get_db_prep_save(raw, connection)
            return stamps[raw]
        return raw

    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) "
            f"ON CONFLICT (product_id, warehouse_id) DO UPDATE SET {update}",
            [[value(plan, field) for field in _COLUMNS] for plan in plans],
        )


def planning_run(
    product_ids=None, *, trigger: str = Suggestion.Trigger.MANUAL, today: date | None = None
) -> dict:
    """Plan ``product_ids`` (None: every active product) and refresh their suggestions; returns
    counts and the seconds it took. Each chunk of products is one transaction."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    settings = PlanningSettings.current()
    stock_warehouses = list(Warehouse.objects.for_stock().order_by("code").values_list("pk", flat=True))
    ids = list(_plannable(product_ids).order_by("pk").values_list("pk", flat=True))
    totals = {"products": len(ids), "plans": 0, "suggestions": 0, "expired": 0}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        products = list(
            Product.objects.filter(pk__in=chunk).only(
                "pk",
                "sku",
                "category_id",
                "base_unit_divisible",
                "reorder_point",
                "reorder_quantity",
                "tracking",
            )
        )
        for attempt in range(RETRIES):
            try:
                with transaction.atomic():
                    plans = plans_compute(
                        products, today=today, settings=settings, stock_warehouses=stock_warehouses
                    )
                    _save_plans(chunk, plans)
                    counts = netting.suggestions_refresh(chunk, trigger=trigger, today=today)
                break
            except DatabaseError as exc:
                # Two runs of one product at once (the nightly run and a shortage): the second to
                # write a new open suggestion meets the first's, or a deadlock; run the chunk
                # again, now seeing what the other wrote.
                if attempt == RETRIES - 1 or not (isinstance(exc, IntegrityError) or is_retryable(exc)):
                    raise
        totals["plans"] += len(plans)
        totals["suggestions"] += counts["open"]
        totals["expired"] += counts["expired"]
    if product_ids is None:
        # Products no longer planned (deactivated) keep no plan and no open suggestion.
        Plan.objects.filter(~Q(product_id__in=ids)).delete()
        totals["expired"] += netting.suggestions_expire_unplanned(ids)
    totals["seconds"] = round(time.perf_counter() - started, 3)
    return totals
