"""Replenishment planning's API: suggestions (accept, dismiss), plans, overrides, category
service levels and slow movers, with the pages' roles; bad input is a 400 naming the field."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from integration.planning.models import CategoryServiceLevel, Plan, PlanOverride, Suggestion
from scm.inventory.models import Transfer
from scm.purchasing.models import PurchaseOrder
from tests.integration.planning.factories import PlanFactory, SuggestionFactory
from tests.integration.planning.pages_world import purchase_suggestion, transfer_suggestion
from tests.scm.inventory.factories import CategoryFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/planning"


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_accepting_creates_orders_and_transfers_and_a_second_call_nothing(api_client, purchasing_user):
    purchase, transfer = purchase_suggestion(), transfer_suggestion()
    api_client.force_authenticate(purchasing_user)
    ids = {"ids": [purchase.pk, transfer.pk]}
    first = api_client.post(f"{BASE}/suggestions/accept/", ids, format="json").json()
    assert [o["number"] for o in first["purchase_orders"]] == [PurchaseOrder.objects.get().number]
    assert [t["number"] for t in first["transfers"]] == [Transfer.objects.get().number]
    second = api_client.post(f"{BASE}/suggestions/accept/", ids, format="json").json()
    assert second == {"purchase_orders": [], "transfers": [], "skipped": 2}
    assert PurchaseOrder.objects.count() == 1 and Transfer.objects.count() == 1


def test_dismissing_needs_a_reason(api_client, purchasing_user):
    suggestion = SuggestionFactory()
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        f"{BASE}/suggestions/dismiss/", {"ids": [suggestion.pk], "reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    assert Suggestion.objects.get().state == Suggestion.State.OPEN


def test_suggestions_filter_by_state_and_give_quantities_as_text(api_client, purchasing_user):
    open_one = SuggestionFactory()
    SuggestionFactory(state=Suggestion.State.DISMISSED)
    api_client.force_authenticate(purchasing_user)
    rows = api_client.get(f"{BASE}/suggestions/", {"state": "open"}).json()["results"]
    assert [r["id"] for r in rows] == [open_one.pk] and rows[0]["quantity"] == "48.000"


def test_the_warehouse_reads_plans_but_cannot_accept(api_client, warehouse_user):
    plan = PlanFactory()
    suggestion = purchase_suggestion()
    api_client.force_authenticate(warehouse_user)
    assert api_client.get(f"{BASE}/plans/", {"product": plan.product_id}).json()["count"] == 1
    response = api_client.post(f"{BASE}/suggestions/accept/", {"ids": [suggestion.pk]}, format="json")
    assert response.status_code == 403 and not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("point", "up_to", "field"),
    [
        ("-1", "10", "reorder_point"),
        ("1e30", "10", "reorder_point"),
        ("abc", "10", "reorder_point"),
        ("NaN", "10", "reorder_point"),
        ("20", "10", "order_up_to"),
    ],
)
def test_an_override_with_a_bad_number_is_a_400_naming_the_field(
    api_client, purchasing_user, point, up_to, field
):
    warehouse = WarehouseFactory()
    plan = PlanFactory(warehouse=warehouse)
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        f"{BASE}/overrides/",
        {"product": plan.product_id, "warehouse": warehouse.pk, "reorder_point": point, "order_up_to": up_to},
        format="json",
    )
    assert response.status_code == 400 and field in response.json()
    assert not PlanOverride.objects.exists()


def test_an_override_is_created_changed_and_deleted_through_the_services(api_client, purchasing_user):
    plan = PlanFactory()
    api_client.force_authenticate(purchasing_user)
    created = api_client.post(
        f"{BASE}/overrides/",
        {
            "product": plan.product_id,
            "warehouse": plan.warehouse_id,
            "reorder_point": "5",
            "order_up_to": "9",
        },
        format="json",
    ).json()
    assert created["order_up_to"] == "9.000"
    changed = api_client.put(
        f"{BASE}/overrides/{created['id']}/", {"reorder_point": "6", "order_up_to": "12"}, format="json"
    )
    assert changed.json()["reorder_point"] == "6.000"
    assert Plan.objects.get(product_id=plan.product_id).source == Plan.Source.OVERRIDE
    assert api_client.delete(f"{BASE}/overrides/{created['id']}/").status_code == 204
    # back to the computed plan: no history and no stock, so no plan at all
    assert not PlanOverride.objects.exists() and not Plan.objects.filter(product_id=plan.product_id).exists()


@pytest.mark.parametrize(("value", "status"), [("50", 400), ("100", 400), ("99.9", 200)])
def test_a_service_level_must_be_above_50_and_at_most_99_9(api_client, purchasing_user, value, status):
    category = CategoryFactory()
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        f"{BASE}/service-levels/set/", {"category": category.pk, "service_level": value}, format="json"
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["effective"] == "99.90"
        assert CategoryServiceLevel.objects.get().service_level == Decimal("99.9")
    else:
        assert "service_level" in response.json()


def test_slow_movers_hide_the_value_from_those_who_do_not_read_costs(
    api_client, manager_user, user_with_role
):
    from tests.integration.fulfilment.factories import receive
    from tests.scm.inventory.factories import ProductFactory

    receive(ProductFactory(cost=Decimal("2")), WarehouseFactory(), Decimal("10"))
    api_client.force_authenticate(manager_user)
    assert api_client.get(f"{BASE}/slow-movers/").json()["results"][0]["value"] == "20.00"


@pytest.mark.parametrize("path", ["suggestions/", "plans/"])
def test_the_api_lists_cost_the_same_queries_for_3_or_30_rows(api_client, manager_user, path):
    api_client.force_authenticate(manager_user)
    make = SuggestionFactory if path == "suggestions/" else PlanFactory
    for _ in range(3):
        make()
    api_client.get(f"{BASE}/{path}")
    with CaptureQueriesContext(connection) as few:
        api_client.get(f"{BASE}/{path}")
    for _ in range(27):
        make()
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get(f"{BASE}/{path}").json()["results"]) == 30
    assert len(many.captured_queries) == len(few.captured_queries)
