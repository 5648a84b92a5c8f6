"""The forecast recovers what made the history: level, trend and weekday pattern, with stock-out
days left out; its projection and the demand over a horizon."""

from datetime import date

import numpy as np
import pytest

from integration.planning import forecast

FIRST = date(2026, 6, 1)  # a Monday
DAYS = 182
PATTERN = np.array([0.8, 0.8, 0.9, 0.9, 1.0, 1.3, 1.3])  # weekend-heavy, averages 1


def _history(level0=20.0, slope=0.05, noise=0.0, seed=7):
    t = np.arange(DAYS)
    weekday = (t + FIRST.weekday()) % 7
    expected = (level0 + slope * t) * PATTERN[weekday]
    rng = np.random.default_rng(seed)
    return (expected + rng.normal(0, noise, DAYS) if noise else expected)[None, :]


def _fit(demand, stockout=None):
    stockout = np.zeros_like(demand, dtype=bool) if stockout is None else stockout
    return forecast.fit(demand, stockout, FIRST)


def test_an_exact_history_gives_back_its_level_trend_and_weekday_factors():
    fit = _fit(_history())
    assert fit.level[0] == pytest.approx(20 + 0.05 * (DAYS - 1), rel=1e-4)
    assert fit.trend[0] == pytest.approx(0.05, rel=1e-4)
    assert fit.factors[0] == pytest.approx(PATTERN, rel=1e-4)
    assert fit.sigma[0] == pytest.approx(0, abs=1e-3)


def test_a_noisy_history_is_recovered_within_five_percent():
    # Stated tolerance: level and weekday factors within 5 %, trend within 0.02 units/day, and
    # the spread within 5 % of the noise's standard deviation as drawn.
    noisy = _history(noise=2.0)
    fit = _fit(noisy)
    assert fit.level[0] == pytest.approx(29.05, rel=0.05)
    assert fit.trend[0] == pytest.approx(0.05, abs=0.02)
    assert fit.factors[0] == pytest.approx(PATTERN, rel=0.05)
    assert fit.sigma[0] == pytest.approx((noisy - _history()).std(), rel=0.05)


def test_stock_out_days_are_left_out_instead_of_read_as_low_demand():
    demand = _history(slope=0.0)
    stockout = np.zeros_like(demand, dtype=bool)
    demand[0, 150:170] = 0  # nothing shipped: there was nothing to ship
    stockout[0, 150:170] = True
    fit = _fit(demand, stockout)
    assert fit.level[0] == pytest.approx(20.0, rel=1e-6)
    assert fit.stockout_days[0] == 20
    assert _fit(demand).level[0] < 19  # the same zeros read as demand pull the level down


def test_a_series_without_demand_forecasts_nothing():
    fit = _fit(np.zeros((1, DAYS)))
    assert (fit.level[0], fit.trend[0], fit.sigma[0]) == (0, 0, 0)
    assert list(fit.factors[0]) == [1] * 7


def test_the_projection_applies_the_weekday_factors_to_the_line():
    projected = forecast.project([10.0], [1.0], [PATTERN], start=date(2026, 12, 5), days=3)  # Sat, Sun, Mon
    assert projected[0] == pytest.approx([11 * 1.3, 12 * 1.3, 13 * 0.8])


def test_a_falling_trend_never_forecasts_below_zero():
    assert forecast.project([2.0], [-1.0], [np.ones(7)], start=FIRST, days=4)[0].tolist() == [1, 0, 0, 0]


def test_demand_over_a_fractional_horizon_counts_the_last_day_in_part():
    projected = np.array([[10.0, 20.0, 30.0]])
    assert forecast.demand_over(projected, [1.5])[0] == pytest.approx(20.0)
    assert forecast.demand_over(projected, 3)[0] == pytest.approx(60.0)
