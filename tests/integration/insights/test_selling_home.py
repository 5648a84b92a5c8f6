"""The rep's home: "my customers due to buy", from the purchase cycles found at night."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from integration.insights import cycles
from tests.crm.sales.factories import CustomerFactory
from tests.factories import UserFactory
from tests.integration.insights.factories import TODAY, days_ago, every
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _home(client, user):
    """The home page as ``user`` sees it on the tests' today."""
    client.force_login(user)
    with time_machine.travel(
        datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    ):
        response = client.get(reverse("home"))
    return response


def _panel(response, key):
    panels = [p for group in response.context["today"]["groups"] for p in group["panels"]]
    return next(p for p in panels if p["key"] == key)


@pytest.fixture
def due_buyer():
    """A customer of one rep who buys toner every six weeks, due in twelve days."""
    toner = ProductFactory(name="硒鼓 CF226A", sku="TN-226A", base_unit="个")
    customer = CustomerFactory(name="华东精密制造有限公司")
    every(customer, toner, gaps=[42, 42, 42, 42], last=days_ago(30), quantity=4)
    cycles.cycles_refresh(today=TODAY)
    return customer


def test_a_rep_sees_the_customers_due_to_buy_on_the_home_page(client, due_buyer):
    response = _home(client, due_buyer.owner)

    panel = _panel(response, "insights.due_to_buy")
    assert panel["context"]["count"] == 1
    assert due_buyer.name in panel["html"]
    assert "硒鼓 CF226A" in panel["html"]


def test_another_reps_customer_is_not_due_on_my_home_page(client, due_buyer):
    other = UserFactory(roles=["sales"])

    response = _home(client, other)

    panel = _panel(response, "insights.due_to_buy")
    assert panel["context"]["count"] == 0
    assert due_buyer.name not in panel["html"]
