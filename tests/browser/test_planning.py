"""Replenishment planning in a real browser: the suggestions list and a product's planning page,
whose chart ECharts draws from the page's JSON (no inline script: the CSP holds)."""

import math
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planning_world():
    from integration.planning.models import DemandDay, Plan, Suggestion
    from integration.planning.warnings import STOCKOUTS, warning
    from tests.integration.planning.factories import PlanFactory, SuggestionFactory
    from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
    from tests.scm.purchasing.factories import SupplierFactory, SupplierProductFactory

    bj = WarehouseFactory(code="BJ", name="北京仓")
    sh = WarehouseFactory(code="SH", name="上海仓")
    supplier = SupplierFactory(name="上海申华贸易有限公司")
    water = ProductFactory(sku="WTR-550", name="矿泉水 550ml 整箱", base_unit="箱")
    tea = ProductFactory(sku="TEA-250", name="乌龙茶 250ml")
    sp = SupplierProductFactory(supplier=supplier, product=water, lead_time_days=5)
    end = timezone.localdate() - timedelta(days=1)
    rng = random.Random(7)
    weekday = [0.9, 0.95, 1.0, 1.0, 1.1, 1.4, 0.65]
    safety = Decimal(str(round(1.96 * math.sqrt(5 * 2.1**2 + 11.6**2 * 1.2**2), 3)))
    rows = []
    for i in range(182):
        day = end - timedelta(days=181 - i)
        base = (8 + i * 0.02) * weekday[day.weekday()]
        rows.append(
            DemandDay(
                product=water,
                warehouse=bj,
                day=day,
                shipped=Decimal(max(0, round(base + rng.gauss(0, 2)))),
                stockout=140 <= i <= 143,
            )
        )
    DemandDay.objects.bulk_create(rows)
    PlanFactory(
        product=water,
        warehouse=bj,
        supplier=supplier,
        history_days=178,
        stockout_days=4,
        demand_total=Decimal("1930"),
        last_demand_day=end,
        level=Decimal("11.62"),
        trend=Decimal("0.02"),
        weekday_factors=weekday,
        sigma=Decimal("2.1"),
        lead_time_days=Decimal("5"),
        lead_time_sigma=Decimal("1.2"),
        lead_time_source=Plan.LeadTimeSource.ACTUAL,
        service_level=Decimal("97.5"),
        z=Decimal("1.96"),
        lead_time_demand=Decimal("58"),
        review_demand=Decimal("140"),
        safety_stock=safety,
        reorder_point=Decimal("58") + safety,
        order_up_to=Decimal("140") + safety,
        warnings=[warning(STOCKOUTS, days=4)],
    )
    reasons = {
        "on_hand": "40",
        "reserved": "12",
        "incoming": "0",
        "backordered": "6",
        "position": "22",
        "reorder_point": "86",
        "order_up_to": "168",
        "net_need": "146",
        "short_orders": ["SO-2026-000123"],
    }
    SuggestionFactory(
        product=water,
        warehouse=bj,
        supplier=supplier,
        supplier_product=sp,
        quantity=Decimal("150"),
        order_quantity=Decimal("150"),
        reasons=reasons,
    )
    SuggestionFactory(
        kind=Suggestion.Kind.TRANSFER,
        product=tea,
        warehouse=sh,
        source_warehouse=bj,
        quantity=Decimal("24"),
        order_quantity=None,
        reasons={
            **reasons,
            "position": "3",
            "reorder_point": "10",
            "order_up_to": "27",
            "short_orders": [],
            "source_available": "80",
            "source_order_up_to": "50",
        },
    )
    return water


def test_the_suggestions_and_a_products_plan_with_its_chart(
    purchasing_user, planning_world, open_page, screenshot
):
    page = open_page(DESKTOP)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, purchasing_user.username)
    page.goto("/planning/suggestions/")
    assert page.locator("[data-suggestion]").count() == 2
    screenshot(page, "planning-suggestions")
    page.goto(f"/planning/products/{planning_world.pk}/")
    page.wait_for_selector(".plan-chart canvas")
    screenshot(page, "planning-product")
    assert errors == []
