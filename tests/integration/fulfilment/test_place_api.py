"""``POST /api/v1/order-workflow/place/``: create and confirm an order in one call."""

from decimal import Decimal

import pytest

from core.events import names
from core.events.models import Event
from crm.sales.models import SalesOrder
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/order-workflow/place/"


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    product = ProductFactory(list_price=Decimal("10.00"))
    receive(product, warehouses["SH"], 50)
    customer = CustomerFactory(owner=sales_user)
    return {"product": product, "customer": customer, "rep": sales_user}


def _body(world, quantity="2", **extra):
    return {
        "customer": world["customer"].pk,
        "lines": [{"product": world["product"].pk, "quantity": quantity}],
        **extra,
    }


def test_placing_an_order_creates_it_confirmed_and_reserves_it(
    world, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, _body(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "confirmed"
    assert body["confirmed_at"]
    assert len(body["lines"]) == 1
    order = SalesOrder.objects.get(pk=body["id"])
    assert order.state == SalesOrder.State.RESERVED
    assert order.lines.get().reserved_quantity == Decimal("2")


def test_placing_an_order_publishes_order_confirmed_once(world, api_client):
    api_client.force_authenticate(world["rep"])
    order_id = api_client.post(URL, _body(world), format="json").json()["id"]
    assert Event.objects.filter(name=names.ORDER_CONFIRMED, payload__order_id=order_id).count() == 1


def test_placing_an_order_with_a_bad_quantity_names_the_field_and_writes_nothing(world, api_client):
    api_client.force_authenticate(world["rep"])
    response = api_client.post(URL, _body(world, quantity="-1"), format="json")
    assert response.status_code == 400
    assert "lines[0].quantity" in response.json()
    assert not SalesOrder.objects.exists()
    assert not Event.objects.filter(name=names.ORDER_CONFIRMED).exists()


def test_placing_an_order_over_the_credit_limit_leaves_it_on_credit_hold(world, api_client):
    world["customer"].credit_limit = Decimal("5.00")
    world["customer"].save()
    api_client.force_authenticate(world["rep"])
    response = api_client.post(URL, _body(world), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "credit_hold"
    assert not Event.objects.filter(name=names.ORDER_CONFIRMED).exists()


@pytest.mark.parametrize("role", ["warehouse", "finance"])
def test_roles_that_cannot_confirm_cannot_place_orders(world, api_client, role):
    api_client.force_authenticate(UserFactory(roles=[role]))
    assert api_client.post(URL, _body(world), format="json").status_code == 403
    assert not SalesOrder.objects.exists()
