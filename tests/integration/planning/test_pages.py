"""Replenishment planning's pages: suggestions (accept, dismiss, run), plans, a product's
planning page with its overrides, slow movers, service levels, settings, and the buyers' home
panel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from integration.planning.models import CategoryServiceLevel, Plan, PlanningSettings, PlanOverride, Suggestion
from scm.inventory.models import Transfer
from scm.purchasing.models import PurchaseOrder
from tests.integration.planning.factories import DemandDayFactory, PlanFactory, SuggestionFactory
from tests.integration.planning.pages_world import purchase_suggestion, transfer_suggestion
from tests.scm.inventory.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_accepting_on_the_page_creates_orders_and_transfers_and_a_second_click_nothing(
    client, purchasing_user
):
    purchase, transfer = purchase_suggestion(), transfer_suggestion()
    client.force_login(purchasing_user)
    data = {"ids": [purchase.pk, transfer.pk]}
    first = client.post(reverse("planning:suggestions_accept"), data, follow=True)
    order, moved = PurchaseOrder.objects.get(), Transfer.objects.get()
    assert reverse("purchasing:order_detail", args=[order.pk]).encode() in first.content
    assert reverse("inventory:transfer_detail", args=[moved.pk]).encode() in first.content
    client.post(reverse("planning:suggestions_accept"), data)
    assert PurchaseOrder.objects.count() == 1 and Transfer.objects.count() == 1


def test_dismissing_without_a_reason_is_refused_next_to_the_field(client, purchasing_user):
    suggestion = SuggestionFactory()
    client.force_login(purchasing_user)
    page = client.post(reverse("planning:suggestions_dismiss"), {"ids": [suggestion.pk], "reason": " "})
    assert page.status_code == 400
    assert b'data-field-error="reason"' in page.content
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.OPEN


def test_a_dismissed_suggestion_shows_who_and_why_under_its_state(client, purchasing_user):
    suggestion = SuggestionFactory()
    client.force_login(purchasing_user)
    client.post(reverse("planning:suggestions_dismiss"), {"ids": [suggestion.pk], "reason": "Discontinued"})
    page = client.get(reverse("planning:suggestions"), {"state": "dismissed"})
    assert b"Discontinued" in page.content and suggestion.product.sku.encode() in page.content


def test_run_planning_now_queues_the_nightly_run(client, purchasing_user, monkeypatch):
    from integration.planning import tasks

    queued = []
    monkeypatch.setattr(
        tasks, "planning_nightly", type("T", (), {"delay": lambda: queued.append(1)}), raising=False
    )
    client.force_login(purchasing_user)
    page = client.post(reverse("planning:run"), follow=True)
    assert queued == [1] and b"Planning is running" in page.content


@pytest.mark.parametrize(
    ("point", "up_to", "field"),
    [
        ("-1", "10", "reorder_point"),
        ("1e30", "10", "reorder_point"),
        ("abc", "10", "reorder_point"),
        ("20", "10", "order_up_to"),
    ],
)
def test_the_override_form_refuses_bad_numbers_naming_the_field(client, purchasing_user, point, up_to, field):
    plan = PlanFactory()
    client.force_login(purchasing_user)
    page = client.post(
        reverse("planning:override_set", args=[plan.product_id, plan.warehouse_id]),
        {"reorder_point": point, "order_up_to": up_to},
    )
    assert page.status_code == 400
    assert f'data-field-error="{field}"'.encode() in page.content
    assert not PlanOverride.objects.exists()


def test_an_override_is_saved_and_replans_the_product(client, purchasing_user):
    plan = PlanFactory()
    client.force_login(purchasing_user)
    client.post(
        reverse("planning:override_set", args=[plan.product_id, plan.warehouse_id]),
        {"reorder_point": "30", "order_up_to": "90", "note": "Promotion"},
    )
    override = PlanOverride.objects.get()
    assert (override.reorder_point, override.order_up_to) == (Decimal("30"), Decimal("90"))
    plan.refresh_from_db()
    assert (plan.source, plan.reorder_point) == (Plan.Source.OVERRIDE, Decimal("30"))


@pytest.mark.parametrize(("value", "saved"), [("50", False), ("100", False), ("99.9", True)])
def test_a_category_service_level_must_be_above_50_and_at_most_99_9(client, purchasing_user, value, saved):
    category = CategoryFactory()
    client.force_login(purchasing_user)
    page = client.post(reverse("planning:service_level_set", args=[category.pk]), {"service_level": value})
    assert CategoryServiceLevel.objects.filter(category=category).exists() is saved
    if not saved:
        assert page.status_code == 400 and b'data-field-error="service_level"' in page.content


def test_a_subcategory_without_its_own_level_shows_its_parents(client, purchasing_user):
    parent = CategoryFactory(name="Drinks")
    CategoryFactory(name="Tea", parent=parent)
    CategoryServiceLevel.objects.create(category=parent, service_level=Decimal("98.5"))
    client.force_login(purchasing_user)
    page = client.get(reverse("planning:service_levels"))
    assert page.content.count(b"98.5 %") == 2 and b"from Drinks" in page.content


def test_the_settings_name_a_wrong_field(client, manager_user):
    client.force_login(manager_user)
    values = {
        "service_level": "95",
        "review_days": "0",
        "history_weeks": "26",
        "default_lead_time_days": "14",
        "slow_mover_days": "90",
        "slow_mover_cover_months": "6",
    }
    page = client.post(reverse("planning:settings"), values)
    assert page.status_code == 400 and b'data-field-error="review_days"' in page.content
    assert PlanningSettings.current().review_days == 7


def test_a_product_without_a_plan_says_there_is_no_history_and_shows_the_hand_set_values(
    client, purchasing_user
):
    WarehouseFactory()
    product = ProductFactory(reorder_point=Decimal("12"), reorder_quantity=Decimal("30"))
    client.force_login(purchasing_user)
    page = client.get(reverse("planning:product", args=[product.pk]))
    text = page.content.decode()
    assert "no sales history" in text
    assert 'data-testid="hand-set"' in text and ">12 pcs<" in text and ">42 pcs<" in text


def test_a_product_with_a_plan_shows_the_formula_with_its_numbers_and_the_chart_data(client, purchasing_user):
    plan = PlanFactory(lead_time_sigma=Decimal("2"))
    DemandDayFactory(product=plan.product, warehouse=plan.warehouse, stockout=True)
    client.force_login(purchasing_user)
    page = client.get(reverse("planning:product", args=[plan.product_id]))
    text = page.content.decode()
    assert "ROP = D_L + SS = 70 + " in text
    assert f'id="plan-chart-{plan.warehouse_id}"' in text and "vendor/echarts/echarts.min.js" in text


def test_the_warehouse_reads_a_products_plan_but_cannot_accept(client, warehouse_user):
    plan = PlanFactory()
    suggestion = purchase_suggestion(product=plan.product, warehouse=plan.warehouse)
    client.force_login(warehouse_user)
    page = client.get(reverse("planning:product", args=[plan.product_id]))
    assert page.status_code == 200 and b'data-testid="override-form"' not in page.content
    assert client.post(reverse("planning:suggestions_accept"), {"ids": [suggestion.pk]}).status_code == 403
    assert not PurchaseOrder.objects.exists()


def test_the_buyers_home_shows_the_open_suggestions_first(client, purchasing_user):
    shown = SuggestionFactory()
    SuggestionFactory(state=Suggestion.State.DISMISSED)
    client.force_login(purchasing_user)
    text = client.get(reverse("home")).content.decode()
    assert 'data-testid="today-suggestions"' in text and shown.product.sku in text
    assert text.index('data-panel="planning.suggestions"') < text.index('data-panel="purchasing.overdue"')
    assert "All open suggestions (1)" in text


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _suggestions(n):
    warehouse = WarehouseFactory()
    for _ in range(n):
        SuggestionFactory(warehouse=warehouse, reasons={"position": "3", "short_orders": ["SO-1"]})


def _plans(n):
    warehouse = WarehouseFactory()
    for _ in range(n):
        PlanFactory(warehouse=warehouse)


def _slow(n):
    from tests.integration.fulfilment.factories import receive

    warehouse = WarehouseFactory()
    for _ in range(n):
        receive(ProductFactory(), warehouse, Decimal("5"))


@pytest.mark.parametrize(
    ("url_name", "make", "params"),
    [
        ("planning:suggestions", _suggestions, "?state=all"),
        ("planning:plans", _plans, ""),
        ("planning:slow_movers", _slow, ""),
    ],
)
def test_the_lists_cost_the_same_queries_for_3_or_30_rows(client, manager_user, url_name, make, params):
    client.force_login(manager_user)
    url = reverse(url_name) + params
    make(3)
    few = _queries(client, url)
    make(27)
    assert _queries(client, url) == few


def test_a_product_without_recent_demand_is_a_slow_mover_by_value(client, purchasing_user):
    from tests.integration.fulfilment.factories import receive

    warehouse = WarehouseFactory()
    stale, selling, cheap = (
        ProductFactory(cost=Decimal("10")),
        ProductFactory(),
        ProductFactory(cost=Decimal("1")),
    )
    for product in (stale, selling, cheap):
        receive(product, warehouse, Decimal("50"))
    DemandDayFactory(product=stale, warehouse=warehouse, day=timezone.localdate() - timedelta(days=200))
    DemandDayFactory(product=selling, warehouse=warehouse)
    Plan.objects.create(
        product=selling, warehouse=warehouse, computed_at=timezone.now(), history_days=100, demand_total=100
    )
    client.force_login(purchasing_user)
    text = client.get(reverse("planning:slow_movers")).content.decode()
    assert stale.sku in text and cheap.sku in text and selling.sku not in text
    assert text.index(stale.sku) < text.index(cheap.sku)


def test_slow_movers_export_as_a_spreadsheet(client, purchasing_user):
    from tests.integration.fulfilment.factories import receive

    product = ProductFactory()
    receive(product, WarehouseFactory(), Decimal("5"))
    client.force_login(purchasing_user)
    response = client.get(reverse("planning:slow_movers"), {"export": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="slow-movers.csv"'
    assert product.sku in response.content.decode("utf-8-sig")
