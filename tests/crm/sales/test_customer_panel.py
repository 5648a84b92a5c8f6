from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from crm.customers import panels
from crm.sales.models import SalesOrder
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_orders_panel_shows_recent_orders_and_open_order_value(sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(list_price=Decimal("100.00"), tax_rate=Decimal("0"))
    orders = [
        order_services.order_create(
            customer=customer, owner=sales_user, lines=[{"product": product, "quantity": n}]
        )
        for n in (1, 2, 3)
    ]
    order_states.order_transition(order=orders[0], to_state=SalesOrder.State.CONFIRMED)
    order_states.order_transition(order=orders[1], to_state=SalesOrder.State.CONFIRMED)
    order_states.order_transition(order=orders[1], to_state=SalesOrder.State.CANCELLED)

    panel = next(p for p in panels.panels_for(customer, sales_user) if p["key"] == "orders")
    assert panel["open_order_value"] == Decimal(
        "100.00"
    )  # the confirmed one; draft and cancelled are not open
    assert [o.pk for o in panel["recent_orders"]] == [o.pk for o in reversed(orders)]
    request = RequestFactory().get("/")
    request.user = sales_user
    html = render_to_string(panel["template"], panel, request=request)
    assert orders[2].number in html and 'data-testid="open-order-value"' in html


def test_orders_panel_hidden_from_roles_without_order_access(service_user):
    customer = CustomerFactory()
    assert "orders" not in [p["key"] for p in panels.panels_for(customer, service_user)]
