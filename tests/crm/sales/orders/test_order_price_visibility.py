"""The warehouse reads orders to pick and ship them, without their prices and amounts: the same
on the order pages and in the API. Sales, finance and managers read them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm.sales.orders import services as order_services
from tests.crm.sales.factories import CustomerFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

PRICE = Decimal("12345.67")


@pytest.fixture
def order(db):
    rep = UserFactory(roles=["sales"])
    return order_services.order_create(
        customer=CustomerFactory(owner=rep),
        owner=rep,
        lines=[{"product": ProductFactory(), "quantity": "1", "unit_price": str(PRICE)}],
    )


@pytest.mark.parametrize(("role", "sees"), [("warehouse", False), ("finance", True), ("manager", True)])
def test_order_api_shows_prices_only_to_roles_that_read_them(api_client, user_with_role, order, role, sees):
    api_client.force_authenticate(user_with_role(role))
    body = api_client.get(f"/api/v1/sales-orders/{order.pk}/").json()
    line = body["lines"][0]
    assert (body["total"] is not None) is sees
    assert (line["unit_price"] is not None) is sees and (line["net_amount"] is not None) is sees
    assert line["quantity"] is not None
    workflow = api_client.get(f"/api/v1/order-workflow/{order.pk}/").json()
    assert (workflow["total"] is not None) is sees


@pytest.mark.parametrize(("role", "sees"), [("warehouse", False), ("finance", True)])
def test_order_pages_show_prices_only_to_roles_that_read_them(client, user_with_role, order, role, sees):
    client.force_login(user_with_role(role))
    detail = client.get(reverse("sales:orders:order_detail", args=[order.pk])).content.decode()
    listing = client.get(reverse("sales:orders:order_list")).content.decode()
    assert ("12,345.67" in detail or "12345.67" in detail) is sees
    assert ('data-testid="order-total"' in detail) is sees
    assert ('data-testid="list-total"' in listing) is sees


def test_the_priced_confirmation_pdf_is_not_the_warehouses(client, user_with_role, order):
    client.force_login(user_with_role("warehouse"))
    assert client.get(reverse("sales:orders:order_pdf", args=[order.pk])).status_code == 403


def test_the_warehouse_cannot_sort_orders_by_their_hidden_total(api_client, user_with_role, order):
    rep = order.owner
    big = order_services.order_create(
        customer=order.customer, owner=rep, lines=[{"product": order.lines.first().product, "quantity": "9"}]
    )
    api_client.force_authenticate(user_with_role("warehouse"))
    by_total = api_client.get("/api/v1/sales-orders/", {"ordering": "-total"}).json()["results"]
    by_default = api_client.get("/api/v1/sales-orders/").json()["results"]
    assert [o["id"] for o in by_total] == [o["id"] for o in by_default]
    assert big.pk in [o["id"] for o in by_total]
