"""Credit exposure has one definition (``finance.selectors.credit_exposure`` over
``crm.sales.orders.selectors.open_orders``), and every place that shows or checks it gives the
same figures: the confirmation's credit check, the order form's customer info ("credit left"),
the customer 360 orders and balance panels and the receivables API.

The cases are those where the earlier copies disagreed: an order on credit hold (counted in full
by the order form, not by the credit check), a partly invoiced order whose invoice is not the
lines' share (the order form ignored invoicing, finance subtracted invoice totals), drafts and
cancelled orders, and receivables (left out of the order form's "credit left")."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.templatetags.tandem import money
from crm.customers import panels
from crm.sales.models import SalesOrder
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from finance import selectors as finance_selectors
from finance import services as finance_services
from integration.fulfilment import services
from tests.finance.factories import line, make_invoice
from tests.integration.fulfilment.factories import CustomerFactory, make_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

D = Decimal
S = SalesOrder.State
LIMIT = D("10000.00")


@pytest.fixture
def product():
    # 100.00 net + 13% tax: 113.00 a unit.
    return ProductFactory(list_price=D("100.00"), tax_rate=D("0.13"))


def _order_in(state, customer, rep, product, quantity):
    order = make_order(customer, rep, (product, quantity))
    path = {
        S.DRAFT: [],
        S.CONFIRMED: [S.CONFIRMED],
        S.CREDIT_HOLD: [S.CREDIT_HOLD],
        S.CANCELLED: [S.CONFIRMED, S.CANCELLED],
        S.PARTLY_SHIPPED: [S.CONFIRMED, S.PARTLY_SHIPPED],
    }[state]
    for target in path:
        order_states.order_transition(order=order, to_state=target)
    return order


def _held_order(customer, rep, product):
    _order_in(S.CONFIRMED, customer, rep, product, 1)
    _order_in(S.CREDIT_HOLD, customer, rep, product, 2)
    return {"open_orders": D("113.00"), "receivables": D("0.00")}


def _partly_invoiced_order(customer, rep, product):
    order = _order_in(S.PARTLY_SHIPPED, customer, rep, product, 3)
    order_line = order.lines.get()
    order_services.order_line_progress(line_id=order_line.pk, shipped=1, invoiced=1)
    # The invoice of the first unit carries freight: it is not the line's share of the order.
    finance_services.invoice_create(
        customer=customer, lines=[line("100.00", tax_rate="0.13"), line("20.00")], sales_order=order
    )
    return {"open_orders": D("226.00"), "receivables": D("133.00")}


def _drafts_and_cancelled(customer, rep, product):
    _order_in(S.DRAFT, customer, rep, product, 5)
    _order_in(S.CANCELLED, customer, rep, product, 4)
    _order_in(S.CONFIRMED, customer, rep, product, 2)
    return {"open_orders": D("226.00"), "receivables": D("0.00")}


def _receivables_and_an_order(customer, rep, product):
    make_invoice(customer, "500.00")
    _order_in(S.CONFIRMED, customer, rep, product, 1)
    return {"open_orders": D("113.00"), "receivables": D("500.00")}


CASES = {
    "order on credit hold": _held_order,
    "partly invoiced order": _partly_invoiced_order,
    "drafts and cancelled orders": _drafts_and_cancelled,
    "receivables": _receivables_and_an_order,
}


# --- the callers, each giving (open orders, receivables or None, credit left or None) ---------


def _confirm_check(world):
    draft = make_order(world["customer"], world["rep"], (world["product"], 1))
    check = services.credit_needed(order=draft)
    return check["open_orders"], check["receivables"], check["available"] + draft.total


def _order_form(world, client):
    client.force_login(world["rep"])
    with translation.override("en"):
        html = client.get(
            reverse("sales:orders:customer_info"), {"customer": world["customer"].pk}
        ).content.decode()

    def shown(testid):
        return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)

    return shown("customer-open-orders"), shown("customer-receivables"), shown("customer-credit-left")


def _orders_panel(world):
    panel = next(p for p in panels.panels_for(world["customer"], world["rep"]) if p["key"] == "orders")
    return panel["open_order_value"], None, None


def _balance_panel(world):
    panel = next(p for p in panels.panels_for(world["customer"], world["rep"]) if p["key"] == "balance")
    exposure = panel["exposure"]
    return exposure["open_orders"], exposure["receivables"], exposure["available"]


def _receivables_api(world, api_client):
    api_client.force_authenticate(world["rep"])
    exposure = api_client.get(f"/api/v1/receivables/{world['customer'].pk}/balance/").json()["exposure"]
    return tuple(D(str(exposure[key])) for key in ("open_orders", "receivables", "available"))


CALLERS = {
    "confirmation's credit check": lambda world, client, api_client: _confirm_check(world),
    "order form's customer info": lambda world, client, api_client: _order_form(world, client),
    "customer 360 orders panel": lambda world, client, api_client: _orders_panel(world),
    "customer 360 balance panel": lambda world, client, api_client: _balance_panel(world),
    "receivables API": lambda world, client, api_client: _receivables_api(world, api_client),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_gives_the_one_credit_exposure(case, caller, sales_user, product, client, api_client):
    customer = CustomerFactory(owner=sales_user, credit_limit=LIMIT)
    expected = CASES[case](customer, sales_user, product)
    expected["available"] = LIMIT - expected["open_orders"] - expected["receivables"]
    world = {"customer": customer, "rep": sales_user, "product": product}

    got = CALLERS[caller](world, client, api_client)

    if caller == "order form's customer info":  # a page: the figures as shown
        with translation.override("en"):
            expected = {key: money(value) for key, value in expected.items()}
    assert got[0] == expected["open_orders"]
    if got[1] is not None:
        assert got[1] == expected["receivables"]
    if got[2] is not None:
        assert got[2] == expected["available"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("room", [D("0.00"), D("-0.01")])
def test_confirmation_holds_exactly_when_the_exposure_passes_the_limit(case, room, sales_user, product):
    customer = CustomerFactory(owner=sales_user, credit_limit=LIMIT)
    expected = CASES[case](customer, sales_user, product)
    order = make_order(customer, sales_user, (product, 1))
    # The limit the credit check must find just reached (room 0) or just passed (room −0.01).
    customer.credit_limit = expected["open_orders"] + expected["receivables"] + order.total + room
    customer.save(update_fields=["credit_limit"])
    order.customer = customer

    order = services.order_confirm(order=order, user=sales_user)

    assert order.state == (S.CONFIRMED if room >= 0 else S.CREDIT_HOLD)


def test_an_order_on_credit_hold_counts_once_released(sales_user, manager_user, product):
    customer = CustomerFactory(owner=sales_user, credit_limit=D("100.00"))
    order = services.order_confirm(order=make_order(customer, sales_user, (product, 1)), user=sales_user)
    assert order.state == S.CREDIT_HOLD
    assert order_selectors.open_orders(customer_id=customer.pk) == {"amount": D("0.00"), "count": 0}

    services.order_release_hold(order=order, user=manager_user)

    assert order_selectors.open_orders(customer_id=customer.pk) == {"amount": D("113.00"), "count": 1}
    assert finance_selectors.credit_exposure(customer=customer)["over_limit"] is True


def test_open_orders_cost_one_query_whatever_the_number_of_orders(
    sales_user, product, django_assert_num_queries
):
    customer = CustomerFactory(owner=sales_user)
    for quantity in range(1, 6):
        _order_in(S.CONFIRMED, customer, sales_user, product, quantity)
    with django_assert_num_queries(1):
        figures = order_selectors.open_orders(customer_id=customer.pk)
    assert figures == {"amount": D("1695.00"), "count": 5}
