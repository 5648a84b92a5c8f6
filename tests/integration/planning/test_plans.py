"""Plans from the demand history: safety stock and reorder point by the textbook formula, the
service level of the product's category, the lead time's source, the hand-set fallback and the
override."""

import math
from datetime import timedelta
from decimal import Decimal
from statistics import NormalDist

import pytest
from django.utils import timezone

from integration.planning import engine, supply
from integration.planning.models import CategoryServiceLevel, DemandDay, Plan
from tests.integration.fulfilment.factories import three_warehouses
from tests.integration.planning.factories import DemandDayFactory, PlanOverrideFactory
from tests.scm.inventory.factories import CategoryFactory, ProductFactory
from tests.scm.purchasing.factories import SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wh():
    return three_warehouses()


def _history(product, warehouse, quantities):
    """One demand day per quantity, the last one yesterday."""
    today = timezone.localdate()
    n = len(quantities)
    for i, q in enumerate(quantities):
        DemandDayFactory(product=product, warehouse=warehouse, day=today - timedelta(days=n - i), shipped=q)


def _plan(product, warehouse) -> Plan:
    return Plan.objects.get(product=product, warehouse=warehouse)


def test_safety_stock_and_reorder_point_follow_the_textbook_formula(wh, monkeypatch):
    product = ProductFactory()
    SupplierProductFactory(product=product, lead_time_days=7)
    monkeypatch.setattr(supply.scorecard, "actual_lead_days", lambda ids, since: {i: [5, 7, 9] for i in ids})
    _history(product, wh["GZ"], [8, 12] * 91)  # mean 10 a day, spread 2, 26 weeks
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    lead, lead_sigma = 7.0, math.sqrt(8 / 3)  # actual lead times 5, 7, 9 days
    assert (float(plan.lead_time_days), float(plan.lead_time_sigma)) == (7.0, round(lead_sigma, 1))
    assert plan.lead_time_source == Plan.LeadTimeSource.ACTUAL
    assert float(plan.sigma) == pytest.approx(2.0, rel=0.02)
    assert float(plan.lead_time_demand) == pytest.approx(70, rel=0.02)
    z = NormalDist().inv_cdf(0.95)
    expected_ss = z * math.sqrt(lead * 2.0**2 + 10.0**2 * lead_sigma**2)
    assert float(plan.safety_stock) == pytest.approx(expected_ss, rel=0.03)
    # whole pieces: the reorder point is D_L + SS rounded up
    assert plan.reorder_point == math.ceil(plan.lead_time_demand + Decimal(expected_ss))
    assert float(plan.order_up_to) == pytest.approx(140 + expected_ss, rel=0.03)  # 7 + 7 review days


def test_a_category_service_level_applies_to_its_subcategories(wh):
    parent = CategoryFactory()
    CategoryServiceLevel.objects.create(category=parent, service_level=Decimal("99"))
    product = ProductFactory(category=CategoryFactory(parent=parent))
    _history(product, wh["GZ"], [10] * 28)
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    assert plan.service_level == Decimal("99")
    assert float(plan.z) == pytest.approx(2.3263, abs=1e-4)


def test_the_default_service_level_is_95_percent(wh):
    product = ProductFactory()
    _history(product, wh["GZ"], [10] * 28)
    engine.planning_run(product_ids=[product.pk])
    assert _plan(product, wh["GZ"]).service_level == Decimal("95")


def test_a_supplier_stating_no_lead_time_gets_the_default_with_a_warning(wh):
    product = ProductFactory()
    SupplierProductFactory(product=product, lead_time_days=0)
    _history(product, wh["GZ"], [10] * 28)
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    assert (plan.lead_time_days, plan.lead_time_source) == (Decimal("14.0"), Plan.LeadTimeSource.DEFAULT)
    assert [w["key"] for w in plan.warnings] == ["no_lead_time"]


def test_the_stated_lead_time_is_used_until_there_are_enough_receipts(wh):
    product = ProductFactory()
    SupplierProductFactory(product=product, lead_time_days=12)
    _history(product, wh["GZ"], [10] * 28)
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    assert (plan.lead_time_days, plan.lead_time_source) == (Decimal("12.0"), Plan.LeadTimeSource.STATED)


def test_a_product_without_history_falls_back_to_its_hand_set_values_where_its_supplier_delivers(wh):
    product = ProductFactory(reorder_point=Decimal(10), reorder_quantity=Decimal(50))
    sp = SupplierProductFactory(product=product)
    sp.supplier.default_warehouse = wh["SH"]
    sp.supplier.save()
    engine.planning_run(product_ids=[product.pk])
    plan = Plan.objects.get(product=product)
    assert (plan.warehouse, plan.source) == (wh["SH"], Plan.Source.HAND_SET)
    assert (plan.reorder_point, plan.order_up_to) == (Decimal(10), Decimal(60))
    assert [w["key"] for w in plan.warnings] == ["no_history"]


def test_a_product_without_history_or_hand_set_values_has_no_plan(wh):
    product = ProductFactory()
    engine.planning_run(product_ids=[product.pk])
    assert not Plan.objects.filter(product=product).exists()


def test_an_override_replaces_the_computed_numbers_and_is_marked(wh):
    product = ProductFactory()
    _history(product, wh["GZ"], [10] * 28)
    PlanOverrideFactory(product=product, warehouse=wh["GZ"], reorder_point=Decimal(5), order_up_to=Decimal(9))
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    assert (plan.source, plan.reorder_point, plan.order_up_to) == (
        Plan.Source.OVERRIDE,
        Decimal(5),
        Decimal(9),
    )
    assert plan.lead_time_demand > 0  # the computed figures stay, to compare


def test_a_weekend_heavy_product_gets_its_weekend_factors(wh):
    product = ProductFactory()
    today = timezone.localdate()
    for back in range(1, 85):
        day = today - timedelta(days=back)
        DemandDayFactory(
            product=product, warehouse=wh["GZ"], day=day, shipped=15 if day.weekday() >= 5 else 10
        )
    engine.planning_run(product_ids=[product.pk])
    factors = _plan(product, wh["GZ"]).weekday_factors
    assert factors[5] / factors[0] == pytest.approx(1.5, rel=0.01)


def test_stock_out_days_are_counted_and_warned_about(wh):
    product = ProductFactory()
    _history(product, wh["GZ"], [10] * 28)
    stockout_day = timezone.localdate() - timedelta(days=10)
    DemandDay.objects.filter(day=stockout_day).update(shipped=0, stockout=True)
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    assert plan.stockout_days == 1
    assert float(plan.level) == pytest.approx(10)


def test_the_plans_are_computed_the_same_from_the_plain_and_the_fast_history_reads(wh):
    from integration.planning import demand

    product = ProductFactory()
    _history(product, wh["GZ"], [3, 0, 7] * 20)
    _history(product, wh["BJ"], [1] * 10)
    first = timezone.localdate() - timedelta(days=182)
    plain = demand._history_matrix_orm([product.pk], first=first, days=182)
    read = demand.history_matrix([product.pk], first=first, days=182)
    assert plain[0] == read[0]
    assert (plain[1] == read[1]).all() and (plain[2] == read[2]).all()


def test_a_short_history_is_warned_about(wh):
    product = ProductFactory()
    _history(product, wh["GZ"], [10] * 20)
    engine.planning_run(product_ids=[product.pk])
    plan = _plan(product, wh["GZ"])
    assert [w for w in plan.warnings if w["key"] == "short_history"] == [
        {"key": "short_history", "params": {"days": "20"}}
    ]
