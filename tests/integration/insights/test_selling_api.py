from decimal import Decimal

import pytest
from django.utils import timezone

from integration.insights.models import CoPurchase
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/insights"


def test_cross_sell_suggestions_for_a_customer(api_client, selling_world):
    w = selling_world
    api_client.force_authenticate(w.rep)

    body = api_client.get(f"{BASE}/customers/{w.customer.pk}/cross-sell/").json()

    [row] = body["results"]
    assert (row["product"], row["sku"], row["available"], row["warehouse_name"]) == (
        w.toner.pk,
        "TN-226A",
        "20.000",
        "上海仓",
    )
    assert [b["sku"] for b in row["because"]] == ["PR-M405"]
    assert Decimal(row["confidence"]) == Decimal("0.6") and Decimal(row["lift"]) == Decimal("1.6")
    assert body["count"] == 1


@pytest.mark.parametrize("customer", ["other", "²", "99999999999999999999"])
def test_no_suggestions_for_a_customer_not_visible_or_not_one(api_client, selling_world, customer):
    w = selling_world
    api_client.force_authenticate(w.rep)
    ref = w.other.pk if customer == "other" else customer

    assert api_client.get(f"{BASE}/customers/{ref}/cross-sell/").status_code == 404


def test_the_co_purchase_rules_with_their_figures(api_client, selling_world, purchasing_user):
    w = selling_world
    api_client.force_authenticate(purchasing_user)

    body = api_client.get(f"{BASE}/co-purchases/", {"product_a": w.printer.pk}).json()

    [rule] = body["results"]
    assert (
        rule["product_b_sku"],
        rule["customers"],
        rule["customers_a"],
        rule["customers_b"],
        rule["rank"],
    ) == (
        "TN-226A",
        3,
        5,
        3,
        1,
    )
    assert (rule["support"], rule["confidence"], rule["lift"]) == ("0.375000", "0.600000", "1.6000")


@pytest.mark.parametrize("extra", [0, 30])
def test_co_purchases_take_a_fixed_number_of_queries(
    api_client, selling_world, manager_user, extra, django_assert_max_num_queries
):
    now = timezone.now()
    for _ in range(extra):
        a, b = ProductFactory(), ProductFactory()
        CoPurchase.objects.create(
            product_a=a,
            product_b=b,
            support=0,
            confidence=0,
            lift=1,
            customers=3,
            customers_a=3,
            customers_b=3,
            rank=1,
            refreshed_at=now,
        )
    api_client.force_authenticate(manager_user)

    with django_assert_max_num_queries(8):
        body = api_client.get(f"{BASE}/co-purchases/").json()

    assert body["count"] == 2 + extra


def test_purchase_cycles_follow_the_customers_record_rules(api_client, selling_world, manager_user):
    w = selling_world
    api_client.force_authenticate(w.rep)

    [cycle] = api_client.get(f"{BASE}/purchase-cycles/", {"show": "due"}).json()["results"]

    assert (cycle["customer"], cycle["product_sku"], cycle["kind"], cycle["interval_days"]) == (
        w.customer.pk,
        "PA-A4",
        "interval",
        42,
    )
    assert cycle["task"] is not None and cycle["last_quantity"] == "20.000"
    api_client.force_authenticate(manager_user)
    assert api_client.get(f"{BASE}/purchase-cycles/").json()["count"] == 2


def test_purchase_reminders_name_their_task(api_client, selling_world):
    w = selling_world
    api_client.force_authenticate(w.rep)

    [reminder] = api_client.get(f"{BASE}/purchase-reminders/").json()["results"]

    assert reminder["customer"] == w.customer.pk and reminder["task_owner"] == w.rep.pk
    assert "A4 复印纸" in reminder["task_subject"] and reminder["task_done_at"] is None
    assert api_client.get(f"{BASE}/purchase-reminders/{reminder['id']}/").status_code == 200
