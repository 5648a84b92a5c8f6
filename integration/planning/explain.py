"""A plan explained: what the product's planning page shows per warehouse — the chart's data
(the demand history day by day with its stock-out days, and the forecast ahead from
``forecast.project``, the one projection rule), the safety-stock, reorder-point and
order-up-to formulas with the plan's numbers filled in, the weekday factors, and the hand-set
values where there is no plan. Reads only; a fixed number of queries per product."""

import math
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from integration.planning import forecast
from integration.planning.models import DemandDay, Plan, PlanningSettings, PlanOverride
from integration.planning.warnings import warning_text
from scm.inventory.models import Product, StockLevel, Warehouse

MIN_FORECAST_DAYS = 28


def _num(value, places: int = 2) -> str:
    """A figure for the formula, rounded, without trailing zeros, in the reader's format."""
    amount = Decimal(str(round(float(value), places)))
    normal = amount.normalize()
    shown = max(0, -normal.as_tuple().exponent)
    return number_format(amount, shown, use_l10n=True, force_grouping=True)


def forecast_days(plan: Plan) -> int:
    """How far the chart looks ahead: four weeks, or the lead time and review period if longer."""
    return max(MIN_FORECAST_DAYS, math.ceil(float(plan.lead_time_days) + plan.review_days))


def history_end(plan: Plan):
    """The last day of the history the plan was computed from (the day before its run)."""
    return timezone.localdate(plan.computed_at) - timedelta(days=1)


def formula(plan: Plan) -> dict:
    """The plan's three formulas as text with its numbers filled in, and the computed figures
    (which the effective ones equal unless the plan is overridden or hand-set)."""
    L = float(plan.lead_time_days)
    sigma = float(plan.sigma)
    sigma_l = float(plan.lead_time_sigma)
    z = float(plan.z)
    d_l = float(plan.lead_time_demand)
    d_lr = float(plan.review_demand)
    d = d_l / L if L > 0 else 0.0
    ss = z * math.sqrt(max(L * sigma**2 + d**2 * sigma_l**2, 0.0))
    rop = d_l + ss
    out = d_lr + ss
    n = _num
    return {
        "d": d,
        "safety_stock": ss,
        "reorder_point": rop,
        "order_up_to": out,
        "d_text": f"d = D_L / L = {n(d_l)} / {n(L, 1)} = {n(d)}",
        "ss_text": (
            f"SS = z × √(L × σ² + d² × σ_L²) = {n(z, 4)} × √({n(L, 1)} × {n(sigma)}² + {n(d)}² × "
            f"{n(sigma_l, 1)}²) = {n(ss)}"
        ),
        "rop_text": f"ROP = D_L + SS = {n(d_l)} + {n(ss)} = {n(rop)}",
        "out_text": f"{_('Order-up-to level')} = D_(L+R) + SS = {n(d_lr)} + {n(ss)} = {n(out)}",
    }


def weekday_factors(plan: Plan) -> list[dict]:
    factors = plan.weekday_factors if isinstance(plan.weekday_factors, list) else []
    rows = []
    for i in range(7):
        try:
            value = float(factors[i])
        except (IndexError, TypeError, ValueError):
            value = 1.0
        rows.append({"day": WEEKDAYS_ABBR[i], "factor": _num(value)})
    return rows


def chart(plan: Plan, days: list, *, weeks: int) -> dict:
    """The chart's data for one plan (``days``: its warehouse's DemandDay rows, any order):
    history bars per day (stock-out days apart) from the first day with a record in the last
    ``weeks`` weeks, and the forecast line after the history."""
    end = history_end(plan)
    window = end - timedelta(days=weeks * 7 - 1)
    by_day = {row.day: row for row in days if window <= row.day <= end}
    start = min(by_day, default=end - timedelta(days=MIN_FORECAST_DAYS - 1))
    length = (end - start).days + 1
    labels, demand, stockout = [], [], []
    for i in range(length):
        day = start + timedelta(days=i)
        row = by_day.get(day)
        value = float(max(row.shipped - row.returned, 0)) if row else 0.0
        labels.append(day.isoformat())
        is_out = bool(row and row.stockout)
        demand.append(None if is_out else round(value, 3))
        stockout.append(round(value, 3) if is_out else None)
    ahead = forecast_days(plan)
    projected = forecast.project(
        float(plan.level),
        float(plan.trend),
        [float(f) for f in _factors(plan)],
        start=end + timedelta(days=1),
        days=ahead,
    )[0]
    forecast_line = [None] * length
    for i in range(ahead):
        labels.append((end + timedelta(days=i + 1)).isoformat())
        forecast_line.append(round(float(projected[i]), 3))
    pad = [None] * ahead
    return {
        "days": labels,
        "demand": demand + pad,
        "stockout": stockout + pad,
        "forecast": forecast_line,
        "today": (end + timedelta(days=1)).isoformat(),
        "labels": {
            "demand": _("Demand"),
            "stockout": _("Demand on stock-out days (left out)"),
            "forecast": _("Forecast"),
            "today": _("Today"),
        },
    }


def _factors(plan: Plan) -> list:
    factors = plan.weekday_factors if isinstance(plan.weekday_factors, list) else []
    out = []
    for i in range(7):
        try:
            out.append(float(factors[i]))
        except (IndexError, TypeError, ValueError):
            out.append(1.0)
    return out


def product_planning(product: Product) -> list[dict]:
    """Per stock warehouse (and any other with a plan): the plan, its override, the stock, the
    chart's data, the formulas, the weekday factors and the warnings; the hand-set values where
    there is no plan. Six queries whatever the number of warehouses."""
    plans = {
        p.warehouse_id: p
        for p in Plan.objects.filter(product=product).select_related("warehouse", "supplier")
    }
    overrides = {
        o.warehouse_id: o for o in PlanOverride.objects.filter(product=product).select_related("user")
    }
    warehouses = list(Warehouse.objects.filter(is_active=True, kind=Warehouse.Kind.STOCK).order_by("code"))
    known = {w.pk for w in warehouses}
    warehouses += [p.warehouse for p in plans.values() if p.warehouse_id not in known]
    stock = {
        row["warehouse_id"]: row
        for row in StockLevel.objects.filter(product=product)
        .values("warehouse_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    }
    history: dict = {}
    weeks = PlanningSettings.current().history_weeks
    if plans:
        first = min(history_end(p) for p in plans.values()) - timedelta(days=weeks * 7)
        for row in DemandDay.objects.filter(product=product, day__gte=first):
            history.setdefault(row.warehouse_id, []).append(row)
    hand_set = {
        "reorder_point": product.reorder_point,
        "order_up_to": product.reorder_point + product.reorder_quantity,
    }
    sections = []
    for warehouse in warehouses:
        plan = plans.get(warehouse.pk)
        levels = stock.get(warehouse.pk) or {}
        section = {
            "warehouse": warehouse,
            "plan": plan,
            "override": overrides.get(warehouse.pk),
            "on_hand": levels.get("on_hand") or Decimal(0),
            "reserved": levels.get("reserved") or Decimal(0),
            "hand_set": hand_set,
            "has_history": bool(plan and plan.history_days and plan.source != Plan.Source.HAND_SET),
        }
        if plan is not None:
            section.update(
                chart=chart(plan, history.get(warehouse.pk, []), weeks=weeks)
                if section["has_history"]
                else None,
                formula=formula(plan),
                factors=weekday_factors(plan),
                warnings=[warning_text(w) for w in plan.warnings or [] if isinstance(w, dict)],
                chart_id=f"plan-chart-{warehouse.pk}",
            )
        sections.append(section)
    return sections
