"""The demand forecast: level, trend and weekday pattern, for every product × warehouse at once.

The method, as a planner would do it by hand on a spreadsheet, vectorised with numpy over all
series (one row per product × warehouse, one column per day of the last N weeks):

1. **Days that count.** A stock-out day (orders waited on backorder) says nothing about demand:
   it is left out, so lost sales are not read as low demand. A series that has sold on most days
   since its first sale in the window is new there: the days before that sale do not count
   (though its last four weeks always do); a lumpy one counts the whole window. Demand =
   shipped − returned, never below zero.
2. **Weekday factors.** The average demand of each weekday over the days that count, divided by
   the average of the seven (so the factors average 1): 1.5 on Saturday means Saturdays sell
   half as much again as an average day. A weekday with no day that counts has factor 1; with
   fewer than 56 days of sales the factors are pulled toward 1 in proportion (a few orders do
   not make a weekly pattern).
3. **Level and trend.** Demand divided by its weekday's factor is a line plus noise; the line is
   fitted by least squares over the days that count. The **trend** is its slope (units per day,
   per day) when it is clear of the noise (more than twice its standard error), else 0; the
   **level** is the line's value on the last day of the history.
4. **Spread.** σ, the standard deviation of the days that count around the fitted line (times
   their weekday factor): the demand's day-to-day variability that safety stock covers.
5. **Forecast** of day *h* after the history: max(level + trend × h, 0) × factor(weekday).

Quantities are floats here (statistics); the callers round what they store.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

WEEK = 7
# A new series counts at least its last MIN_DAYS days (four weeks), zeros included.
MIN_DAYS = 28
# A series that sold on at least this share of the days since its first sale is "new", not lumpy.
REGULAR_SHARE = 0.5
# Days with demand from which the weekday factors count in full.
SHRINK_DAYS = 56


@dataclass
class Fit:
    """One row per series."""

    level: np.ndarray  # per day, on the last day of the history
    trend: np.ndarray  # per day, per day
    factors: np.ndarray  # (n, 7): Monday first
    sigma: np.ndarray  # per day
    days: np.ndarray  # days that counted
    stockout_days: np.ndarray
    total: np.ndarray  # demand over the days that counted
    age: np.ndarray  # days since the first demand (or stock-out) in the window


def fit(demand: np.ndarray, stockout: np.ndarray, first_day: date) -> Fit:
    """Fit every row of ``demand`` (n × d, day 0 = ``first_day``); ``stockout`` (n × d, bool)
    marks the days left out."""
    demand = np.maximum(np.asarray(demand, dtype=np.float64), 0.0)
    n, d = demand.shape
    stockout = np.asarray(stockout, dtype=bool)
    # A series starts on its first day of demand (or stock-out) in the window, but no later
    # than MIN_DAYS before the window's end: a product new to the warehouse did not sell
    # nothing before it was there, and one recent sale must not stand for a whole rate.
    seen = (demand > 0) | stockout
    first_seen = np.where(seen.any(axis=1), seen.argmax(axis=1), d)
    # ... when it has sold on most days since (a new product); a lumpy one (a few big orders)
    # counts the whole window, or its first order would stand for a rate it never had.
    regular = (demand > 0).sum(axis=1) >= REGULAR_SHARE * np.maximum(d - first_seen, 1)
    start = np.where(regular, np.minimum(first_seen, max(d - MIN_DAYS, 0)), 0)
    valid = ~stockout & (np.arange(d)[None, :] >= start[:, None])
    weekday = (np.arange(d) + first_day.weekday()) % WEEK
    counts = valid.sum(axis=1).astype(np.float64)
    y = np.where(valid, demand, 0.0)

    # 2.–3. weekday factors, then the line through the deseasonalised days; twice, the second
    # time with the factors of the detrended days (a growing product's late weekdays would
    # otherwise look stronger than its early ones).
    onehot = (weekday[:, None] == np.arange(WEEK)[None, :]).astype(np.float64)  # d × 7
    wd_n = valid.astype(np.float64) @ onehot
    t = np.arange(d, dtype=np.float64)[None, :]
    ratio = y
    # Weekday factors count in full from SHRINK_DAYS days with demand; fewer pull them to 1.
    weight = np.minimum(((y > 0) & valid).sum(axis=1) / SHRINK_DAYS, 1.0)[:, None]
    for _pass in range(2):
        factors = 1.0 + weight * (_weekday_factors(ratio @ onehot, wd_n) - 1.0)
        f_day = factors[:, weekday]  # n × d
        # a factor of 0: that weekday never sells, its days say nothing about the line
        use = valid & (f_day > 0)
        intercept, trend, m = _line(np.where(use, y / np.where(f_day > 0, f_day, 1.0), 0.0), use, t)
        line = intercept[:, None] + trend[:, None] * t
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(valid & (line > 0), y / np.where(line > 0, line, 1.0), 0.0)
        wd_n = (valid & (line > 0)).astype(np.float64) @ onehot
    level = intercept + trend * (d - 1)
    # 4. spread around the line, back in demand units
    fitted = (intercept[:, None] + trend[:, None] * t) * f_day
    resid = np.where(use, y - fitted, 0.0)
    dof = np.maximum(m - 2, 1.0)
    sigma = np.where(m >= 3, np.sqrt((resid * resid).sum(axis=1) / dof), 0.0)
    return Fit(
        level=level,
        trend=trend,
        factors=factors,
        sigma=sigma,
        days=counts,
        stockout_days=stockout.sum(axis=1).astype(np.float64),
        total=y.sum(axis=1),
        age=(d - first_seen).astype(np.float64),
    )


def _weekday_factors(wd_sum: np.ndarray, wd_n: np.ndarray) -> np.ndarray:
    """Each weekday's average over the average of the seven (1 where a weekday has no day)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        wd_mean = np.where(wd_n > 0, wd_sum / np.maximum(wd_n, 1), np.nan)
        seen = ~np.isnan(wd_mean)
        mean_of_means = np.where(
            seen.any(axis=1), np.nansum(wd_mean, axis=1) / np.maximum(seen.sum(axis=1), 1), 0
        )
        return np.where(
            (mean_of_means[:, None] > 0) & seen,
            wd_mean / np.where(mean_of_means > 0, mean_of_means, 1)[:, None],
            1.0,
        )


def _line(z: np.ndarray, use: np.ndarray, t: np.ndarray):
    """Least-squares line through the ``use`` days of every row: intercept, slope, days used."""
    m = use.sum(axis=1).astype(np.float64)
    m_safe = np.maximum(m, 1.0)
    t_mean = (use * t).sum(axis=1) / m_safe
    z_mean = z.sum(axis=1) / m_safe
    dt = np.where(use, t - t_mean[:, None], 0.0)
    sxx = (dt * dt).sum(axis=1)
    sxy = (dt * (z - z_mean[:, None])).sum(axis=1)
    slope = np.where((m >= 3) & (sxx > 0), sxy / np.where(sxx > 0, sxx, 1.0), 0.0)
    # A slope no clearer than twice its standard error is noise: the line is flat (the mean).
    resid = np.where(use, z - (z_mean - slope * t_mean)[:, None] - slope[:, None] * t, 0.0)
    spread = np.sqrt((resid * resid).sum(axis=1) / np.maximum(m - 2, 1.0))
    stderr = spread / np.sqrt(np.where(sxx > 0, sxx, np.inf))
    slope = np.where(np.abs(slope) > 2 * stderr, slope, 0.0)
    return z_mean - slope * t_mean, slope, m


def project(level, trend, factors, *, start: date, days: int) -> np.ndarray:
    """Forecast of ``days`` days from ``start`` (the day after the history) for every series:
    max(level + trend × h, 0) × factor(weekday), h = 1, 2, … (the one projection: plans,
    the planning page's chart and the backtest use it)."""
    level = np.atleast_1d(np.asarray(level, dtype=np.float64))
    trend = np.atleast_1d(np.asarray(trend, dtype=np.float64))
    factors = np.atleast_2d(np.asarray(factors, dtype=np.float64))
    h = np.arange(1, days + 1, dtype=np.float64)[None, :]
    weekday = (np.arange(days) + start.weekday()) % WEEK
    base = np.maximum(level[:, None] + trend[:, None] * h, 0.0)
    return base * factors[:, weekday]


def demand_over(forecast: np.ndarray, horizon) -> np.ndarray:
    """Demand over the next ``horizon`` days (a number or one per series, fractions allowed:
    the last day counts in part) from a forecast that is at least that long."""
    horizon = np.broadcast_to(np.asarray(horizon, dtype=np.float64), (forecast.shape[0],))
    cum = np.concatenate([np.zeros((forecast.shape[0], 1)), np.cumsum(forecast, axis=1)], axis=1)
    whole = np.clip(np.floor(horizon).astype(int), 0, forecast.shape[1])
    part = horizon - whole
    rows = np.arange(forecast.shape[0])
    nxt = np.clip(whole, 0, forecast.shape[1] - 1)
    return cum[rows, whole] + np.where(whole < forecast.shape[1], part * forecast[rows, nxt], 0.0)


def moving_average(demand: np.ndarray, stockout: np.ndarray, window: int = 28) -> np.ndarray:
    """The naive forecast the method is compared with: the average of the last ``window`` days
    that count, the same for every future day."""
    demand = np.maximum(np.asarray(demand, dtype=np.float64), 0.0)[:, -window:]
    valid = ~np.asarray(stockout, dtype=bool)[:, -window:]
    n = valid.sum(axis=1)
    return np.where(n > 0, np.where(valid, demand, 0).sum(axis=1) / np.maximum(n, 1), 0.0)


def day_range(first: date, days: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(days)]
