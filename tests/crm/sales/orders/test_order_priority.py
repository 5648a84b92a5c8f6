"""An order's priority (who is served first from stock that arrives) and its backordered
figures, on the form, the page and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.sales.models import SalesOrder
from crm.sales.orders import services as order_services
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_order_form_sets_the_priority(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    client.force_login(sales_user)
    data = {
        "customer": customer.pk,
        "priority": "urgent",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": ProductFactory().pk,
        "lines-0-quantity": "2",
    }
    assert client.post(reverse("sales:orders:order_create"), data).status_code == 302
    assert SalesOrder.objects.get().priority == SalesOrder.Priority.URGENT


def test_order_without_a_priority_is_normal(sales_user):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=[{"product": ProductFactory(), "quantity": 1}],
    )
    assert order.priority == SalesOrder.Priority.NORMAL


def test_unknown_priority_is_refused_naming_the_field(sales_user):
    with pytest.raises(ValidationError) as exc:
        order_services.order_create(
            customer=CustomerFactory(owner=sales_user),
            owner=sales_user,
            lines=[{"product": ProductFactory(), "quantity": 1}],
            priority="asap",
        )
    assert "priority" in exc.value.message_dict


def test_api_creates_and_changes_the_priority(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    body = {"customer": CustomerFactory(owner=sales_user).pk, "priority": "high"}
    body["lines"] = [{"product": ProductFactory().pk, "quantity": "1"}]
    response = api_client.post("/api/v1/sales-orders/", body, format="json")
    assert response.status_code == 201 and response.json()["priority"] == "high"
    order_id = response.json()["id"]
    response = api_client.patch(f"/api/v1/sales-orders/{order_id}/", {"priority": "urgent"}, format="json")
    assert response.status_code == 200 and response.json()["priority"] == "urgent"
    bad = api_client.patch(f"/api/v1/sales-orders/{order_id}/", {"priority": "asap"}, format="json")
    assert bad.status_code == 400 and "priority" in bad.json()


def test_order_api_shows_backordered_quantity_per_line_and_in_total(api_client, sales_user):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=[{"product": ProductFactory(), "quantity": 5}, {"product": ProductFactory(), "quantity": 3}],
    )
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.PARTLY_RESERVED)
    order.lines.filter(quantity=5).update(reserved_quantity=2)
    api_client.force_authenticate(sales_user)
    body = api_client.get(f"/api/v1/sales-orders/{order.pk}/").json()
    assert [line["backordered_quantity"] for line in body["lines"]] == ["3.000", "3.000"]
    assert body["backordered_quantity"] == "6.000"


def test_a_draft_has_nothing_on_backorder(api_client, sales_user):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=[{"product": ProductFactory(), "quantity": 5}],
    )
    api_client.force_authenticate(sales_user)
    assert api_client.get(f"/api/v1/sales-orders/{order.pk}/").json()["backordered_quantity"] == "0.000"


def test_order_page_shows_reserved_and_backordered_per_line_and_the_priority(client, sales_user):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=[{"product": ProductFactory(), "quantity": 5}],
        priority="high",
    )
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.PARTLY_RESERVED)
    order.lines.update(reserved_quantity=2)
    client.force_login(sales_user)
    page = client.get(f"/sales/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-progress="reserved">2<' in page
    assert 'data-progress="backordered">3<' in page
    assert 'data-testid="order-backordered">3<' in page
    assert 'data-testid="order-priority">High<' in page
