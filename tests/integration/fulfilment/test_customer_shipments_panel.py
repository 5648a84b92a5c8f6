"""The customer 360 "shipments" panel: recent shipments with carrier, tracking and state."""

import pytest
from django.urls import reverse

from crm.customers.panels import panels_for
from integration.fulfilment import services, shipping
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(sales_user, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 10)
    customer = CustomerFactory(owner=sales_user)
    order = make_order(customer, sales_user, (product, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    with django_capture_on_commit_callbacks(execute=True):
        shipment = shipping.shipment_ship(
            shipment=shipment,
            carrier="顺丰速运",
            tracking_number="SF123456789012",
            quantities={shipment.lines.get().pk: 2},
        )
    return {"customer": customer, "order": order, "shipment": shipment}


def _panel(customer, user):
    return next((p for p in panels_for(customer, user) if p["key"] == "shipments"), None)


def test_customer_page_shows_shipments_with_tracking_and_state(client, manager_user, shipped):
    client.force_login(manager_user)
    html = client.get(reverse("customers:detail", args=[shipped["customer"].pk])).content.decode()
    assert 'data-testid="panel-shipments"' in html
    assert shipped["shipment"].number in html
    assert "SF123456789012" in html
    assert reverse("fulfilment:shipment", args=[shipped["shipment"].pk]) in html


@pytest.mark.parametrize("role", ["sales", "manager", "warehouse", "service"])
def test_shipments_panel_is_shown_to_sales_manager_warehouse_and_service(role, shipped, sales_user):
    user = sales_user if role == "sales" else UserFactory(roles=[role])
    panel = _panel(shipped["customer"], user)
    assert [s.pk for s in panel["shipments"]] == [shipped["shipment"].pk]


def test_shipments_panel_is_not_shown_to_finance(finance_user, shipped):
    assert _panel(shipped["customer"], finance_user) is None


def test_another_rep_sees_no_shipments_of_orders_they_may_not_read(shipped):
    other = UserFactory(roles=["sales"])
    assert _panel(shipped["customer"], other)["shipments"] == []


def test_service_sees_shipments_without_a_link_to_the_shipment_page(shipped, service_user):
    panel = _panel(shipped["customer"], service_user)
    assert panel["can_open"] is False


def test_shipments_panel_reads_in_fixed_queries(shipped, manager_user, django_assert_num_queries):
    from integration.fulfilment.panels import shipments_panel_context

    with django_assert_num_queries(2):  # the user's roles, then the shipments
        context = shipments_panel_context(shipped["customer"], manager_user)
    assert context["shipments"][0].order.number == shipped["order"].number
