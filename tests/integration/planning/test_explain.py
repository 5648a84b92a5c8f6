"""A plan explained (``integration.planning.explain``): the formulas with the plan's numbers and
the chart's data (history with its stock-out days apart, the forecast by the one projection)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from integration.planning import explain, forecast
from tests.integration.planning.factories import DemandDayFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def test_the_formula_fills_in_the_plans_numbers():
    plan = PlanFactory(
        lead_time_days=Decimal("7"),
        sigma=Decimal("3"),
        lead_time_sigma=Decimal("2"),
        z=Decimal("1.6449"),
        lead_time_demand=Decimal("70"),
        review_demand=Decimal("140"),
    )
    shown = explain.formula(plan)
    # d = 10; SS = 1.6449 × √(7 × 9 + 100 × 4) = 1.6449 × √463 = 35.39
    assert shown["safety_stock"] == pytest.approx(35.394, abs=1e-3)
    assert shown["ss_text"] == "SS = z × √(L × σ² + d² × σ_L²) = 1.6449 × √(7 × 3² + 10² × 2²) = 35.39"
    assert shown["rop_text"] == "ROP = D_L + SS = 70 + 35.39 = 105.39"
    assert shown["out_text"] == "Order-up-to level = D_(L+R) + SS = 140 + 35.39 = 175.39"


def test_the_chart_keeps_stockout_days_apart_and_projects_lead_time_and_review_ahead():
    plan = PlanFactory(lead_time_days=Decimal("30"), review_days=7, level=Decimal("4"), trend=Decimal("0.1"))
    end = explain.history_end(plan)
    days = [
        DemandDayFactory(
            product=plan.product, warehouse=plan.warehouse, day=end - timedelta(days=1), shipped=5
        ),
        DemandDayFactory(product=plan.product, warehouse=plan.warehouse, day=end, shipped=1, stockout=True),
    ]
    data = explain.chart(plan, days, weeks=26)
    assert data["demand"][:2] == [5.0, None] and data["stockout"][:2] == [None, 1.0]
    ahead = forecast.project(4, 0.1, [1] * 7, start=end + timedelta(days=1), days=37)[0]
    assert data["forecast"][2:] == pytest.approx(list(ahead), abs=1e-3)
    assert len(data["days"]) == 2 + 37 and data["days"][2] == (end + timedelta(days=1)).isoformat()
