"""How good the forecast is, on the company's own history: for every product × warehouse with
demand, the last ``holdout`` days are hidden, the forecast is fitted on the weeks before them
and compared with what was really shipped, next to the naive forecast (the average of the last
28 days that count, ``forecast.moving_average``). Errors over all series together:

- WAPE (weighted absolute percentage error) = Σ|forecast − actual| ÷ Σ actual, by day;
- bias = Σ(forecast − actual) ÷ Σ actual (positive: forecasts too high);
- error of the holdout's total per series (what a reorder point depends on) = Σ|Σforecast −
  Σactual| ÷ Σ actual.
"""

from datetime import date, timedelta

import numpy as np
from django.utils import timezone

from integration.planning import demand, forecast
from integration.planning.models import DemandDay, PlanningSettings


def _errors(predicted: np.ndarray, actual: np.ndarray, valid: np.ndarray) -> dict:
    total = float(np.where(valid, actual, 0).sum())
    if total <= 0:
        return {"wape": None, "bias": None, "total_error": None}
    diff = np.where(valid, predicted - actual, 0)
    return {
        "wape": float(np.abs(diff).sum()) / total,
        "bias": float(diff.sum()) / total,
        "total_error": float(np.abs(diff.sum(axis=1)).sum()) / total,
    }


def backtest(*, holdout: int = 28, weeks: int | None = None, today: date | None = None) -> dict:
    """The errors of the method and of the moving average over the hidden days (see the module)."""
    today = today or timezone.localdate()
    weeks = weeks or PlanningSettings.current().history_weeks
    days = weeks * 7
    cut = today - timedelta(days=holdout)
    first = cut - timedelta(days=days)
    product_ids = list(
        DemandDay.objects.filter(day__gte=first, day__lt=cut, shipped__gt=0)
        .values_list("product_id", flat=True)
        .distinct()
    )
    series, matrix, stockout = demand.history_matrix(product_ids, first=first, days=days + holdout)
    if not series:
        return {"series": 0}
    past, past_out = matrix[:, :days], stockout[:, :days]
    actual, valid = matrix[:, days:], ~stockout[:, days:]
    keep = past.sum(axis=1) > 0
    past, past_out, actual, valid = past[keep], past_out[keep], actual[keep], valid[keep]
    fit = forecast.fit(past, past_out, first)
    method = forecast.project(fit.level, fit.trend, fit.factors, start=cut, days=holdout)
    naive = np.repeat(forecast.moving_average(past, past_out)[:, None], holdout, axis=1)
    return {
        "series": int(keep.sum()),
        "holdout_days": holdout,
        "history_days": days,
        "method": _errors(method, actual, valid),
        "moving_average": _errors(naive, actual, valid),
    }
