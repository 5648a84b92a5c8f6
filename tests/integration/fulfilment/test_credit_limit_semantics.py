"""Confirmation and finance agree on a credit limit of 0: no limit set, never held, never over."""

from decimal import Decimal

import pytest

from crm.sales.models import SalesOrder
from finance import selectors as finance_selectors
from integration.fulfilment import services
from tests.finance.factories import make_invoice
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_customer_without_a_credit_limit_is_confirmed_whatever_it_owes(
    sales_user, django_capture_on_commit_callbacks
):
    warehouses = three_warehouses()
    product = ProductFactory(list_price=Decimal("100.00"))
    receive(product, warehouses["SH"], 10)
    customer = CustomerFactory(owner=sales_user, credit_limit=Decimal("0"))
    make_invoice(customer, "99999.00")
    order = make_order(customer, sales_user, (product, 5))
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_confirm(order=order, user=sales_user)
    assert order.state == SalesOrder.State.CONFIRMED
    exposure = finance_selectors.credit_exposure(customer=customer)
    assert exposure["over_limit"] is False
    assert exposure["limit"] is None


def test_a_small_limit_still_holds_and_shows_over_limit_in_finance(
    sales_user, django_capture_on_commit_callbacks
):
    warehouses = three_warehouses()
    product = ProductFactory(list_price=Decimal("100.00"))
    receive(product, warehouses["SH"], 10)
    customer = CustomerFactory(owner=sales_user, credit_limit=Decimal("0.01"))
    make_invoice(customer, "50.00")
    order = make_order(customer, sales_user, (product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_confirm(order=order, user=sales_user)
    assert order.state == SalesOrder.State.CREDIT_HOLD
    exposure = finance_selectors.credit_exposure(customer=customer)
    assert exposure["over_limit"] is True
