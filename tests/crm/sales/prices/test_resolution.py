"""The order in which a line's price is found (customer price list → group price list → buy X get
Y → list price), quantity breaks, and what orders and quotes record of it."""

from decimal import Decimal

import pytest

from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders.prices.models import PriceSource
from crm.sales.orders.prices.selectors import price_resolve
from tests.crm.sales.factories import CustomerFactory
from tests.crm.sales.prices.factories import CustomerGroupFactory, buy_get, days, price_list
from tests.integration.fulfilment.factories import receive
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return CustomerGroupFactory(code="KEY", name="重点客户")


@pytest.fixture
def customer(group, sales_user):
    return CustomerFactory(owner=sales_user, group=group, credit_limit=0)


@pytest.fixture
def product():
    return ProductFactory(list_price=Decimal("100.00"))


def resolved(customer, product, quantity="1", unit=None, on=None):
    return price_resolve(customer=customer, product=product, unit=unit, quantity=Decimal(quantity), on=on)


def test_without_lists_or_promotions_the_list_price_applies(customer, product):
    price = resolved(customer, product)
    assert (price.unit_price, price.source) == (Decimal("100.00"), PriceSource.LIST)


def test_a_customer_price_list_beats_the_group_list(customer, group, product):
    price_list(group=group, lines=[(product, "90")])
    own = price_list(customer=customer, lines=[(product, "85")])
    price = resolved(customer, product)
    assert (price.unit_price, price.source, price.price_list_id) == (
        Decimal("85.00"),
        PriceSource.CUSTOMER,
        own.pk,
    )


def test_a_group_price_list_beats_a_promotion(customer, group, product):
    buy_get(buy=product, buy_quantity=1, get=product, get_quantity=1)
    group_list = price_list(group=group, lines=[(product, "90")])
    price = resolved(customer, product, quantity="2")
    assert (price.unit_price, price.source, price.price_list_id) == (
        Decimal("90.00"),
        PriceSource.GROUP,
        group_list.pk,
    )
    assert price.promotion_id is None


def test_a_promotion_beats_the_list_price(customer, product):
    promotion = buy_get(buy=product, buy_quantity=1, get=product, get_quantity=1)
    price = resolved(customer, product, quantity="1")  # nothing bought yet: nothing given
    assert price.source == PriceSource.LIST
    price = resolved(customer, product, quantity="2")  # buy one, get one
    assert price.promotion_id == promotion.pk
    assert (price.promotion_quantity, price.promotion_unit_price) == (Decimal(1), Decimal("0.00"))


def test_the_list_of_another_group_does_not_apply(customer, product):
    price_list(group=CustomerGroupFactory(code="OTHER"), lines=[(product, "50")])
    assert resolved(customer, product).source == PriceSource.LIST


def test_an_expired_price_list_is_ignored(customer, product):
    price_list(customer=customer, lines=[(product, "80")], valid_from=days(-60), valid_until=days(-1))
    assert resolved(customer, product).source == PriceSource.LIST


def test_a_price_list_not_yet_valid_is_ignored(customer, product):
    price_list(customer=customer, lines=[(product, "80")], valid_from=days(3))
    assert resolved(customer, product).source == PriceSource.LIST


def test_a_price_list_applies_on_the_documents_date(customer, product):
    price_list(customer=customer, lines=[(product, "80")], valid_from=days(-60), valid_until=days(-30))
    assert resolved(customer, product, on=days(-40)).unit_price == Decimal("80.00")


def test_an_inactive_price_list_is_ignored(customer, product):
    price_list(customer=customer, lines=[(product, "80")], is_active=False)
    assert resolved(customer, product).source == PriceSource.LIST


@pytest.mark.parametrize(
    ("quantity", "price"),
    [("1", "95.00"), ("9", "95.00"), ("10", "90.00"), ("99", "90.00"), ("100", "80.00")],
)
def test_quantity_breaks_give_the_price_of_the_highest_break_reached(customer, product, quantity, price):
    price_list(customer=customer, lines=[(product, "95", 0), (product, "90", 10), (product, "80", 100)])
    assert resolved(customer, product, quantity=quantity).unit_price == Decimal(price)


def test_below_the_first_break_the_next_source_prices_the_line(customer, group, product):
    price_list(customer=customer, lines=[(product, "80", 50)])
    price_list(group=group, lines=[(product, "92")])
    assert resolved(customer, product, quantity="10").source == PriceSource.GROUP
    assert resolved(customer, product, quantity="50").source == PriceSource.CUSTOMER


def test_a_box_is_priced_by_the_lists_box_price_or_else_its_base_price_times_the_factor(customer, product):
    box = ProductUnitFactory(product=product, name="箱", factor=Decimal("12"))
    price_list(customer=customer, lines=[(product, "9", 0), (product, "8", 24)])
    # No box line: 12 × the base price; the breaks count base units (2 boxes = 24 pieces).
    assert resolved(customer, product, quantity="1", unit=box).unit_price == Decimal("108.00")
    assert resolved(customer, product, quantity="2", unit=box).unit_price == Decimal("96.00")


def test_a_lists_own_box_price_beats_the_base_price_times_the_factor(customer, product):
    box = ProductUnitFactory(product=product, name="箱", factor=Decimal("12"))
    price_list(customer=customer, lines=[(product, "9", 0), (product, "100", 0, box)])
    assert resolved(customer, product, quantity="1", unit=box).unit_price == Decimal("100.00")


def test_an_order_line_records_its_price_list_and_a_typed_price_stays_manual(customer, product, sales_user):
    own = price_list(customer=customer, lines=[(product, "85")])
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[
            {"product": product, "quantity": "2"},
            {"product": product, "quantity": "1", "unit_price": "70"},
        ],
    )
    first, second = order.lines.order_by("pk")
    assert (first.unit_price, first.price_source, first.price_list_id) == (
        Decimal("85.00"),
        "customer_list",
        own.pk,
    )
    assert (second.unit_price, second.price_source, second.price_list_id) == (
        Decimal("70.00"),
        "manual",
        None,
    )
    assert order.subtotal == Decimal("240.00")


def test_a_quote_line_records_its_source_and_the_order_keeps_it(customer, group, product, sales_user):
    group_list = price_list(group=group, lines=[(product, "90")])
    quote = quote_services.quote_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 3}]
    )
    line = quote.lines.get()
    assert (line.unit_price, line.price_source, line.price_list_id) == (
        Decimal("90.00"),
        "group_list",
        group_list.pk,
    )
    order = quote_services.quote_accept(quote=quote, user=sales_user)
    kept = order.lines.get()
    assert (kept.unit_price, kept.price_source, kept.price_list_id) == (
        Decimal("90.00"),
        "group_list",
        group_list.pk,
    )


def test_a_draft_orders_lines_are_priced_on_its_order_date(customer, product, sales_user):
    price_list(customer=customer, lines=[(product, "80")], valid_from=days(-60), valid_until=days(-30))
    order = order_services.order_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 1}], order_date=days(-40)
    )
    assert order.lines.get().unit_price == Decimal("80.00")
    order_services.order_update_lines(
        order=order, lines=[{"product": product, "quantity": 2}], user=sales_user
    )
    assert order.lines.get().unit_price == Decimal("80.00")


def test_another_customer_on_a_draft_order_prices_its_lines_again_keeping_typed_prices(
    customer, product, sales_user
):
    price_list(customer=customer, lines=[(product, "85")])
    other = CustomerFactory(owner=sales_user, credit_limit=0)
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[
            {"product": product, "quantity": "2"},
            {"product": product, "quantity": "1", "unit_price": "70"},
        ],
    )

    order_services.order_update(order=order, customer=other, user=sales_user)

    lines = [(line.unit_price, line.price_source) for line in order.lines.order_by("pk")]
    assert lines == [(Decimal("100.00"), "list"), (Decimal("70.00"), "manual")]
    assert order.subtotal == Decimal("270.00")


def test_another_customer_on_a_draft_quote_prices_its_lines_again(customer, product, sales_user):
    price_list(customer=customer, lines=[(product, "85")])
    other = CustomerFactory(owner=sales_user, credit_limit=0)
    quote = quote_services.quote_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 2}]
    )

    quote_services.quote_update(quote=quote, customer=other, user=sales_user)

    line = quote.lines.get()
    assert (line.unit_price, line.price_source, line.price_list_id) == (Decimal("100.00"), "list", None)


def test_resolving_many_lines_costs_the_same_queries_as_few(
    customer, group, sales_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.sales.orders.pricing import lines_price

    products = [ProductFactory() for _ in range(30)]
    receive(products[25], WarehouseFactory(), 5)
    price_list(
        customer=customer, lines=[(p, "50", 0) for p in products[:10]] + [(p, "40", 5) for p in products[:10]]
    )
    price_list(group=group, lines=[(p, "60") for p in products[10:20]])
    buy_get(buy=products[0], buy_quantity=2, get=products[25], get_quantity=1, stock_product=products[25])
    with CaptureQueriesContext(connection) as few:
        lines_price(
            [{"product": p.pk, "quantity": "6"} for p in [*products[:3], products[25]]], customer=customer
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        priced = lines_price([{"product": p.pk, "quantity": "6"} for p in products], customer=customer)
    assert {line.price_source for line in priced} == {"customer_list", "group_list", "list", "promotion"}


def test_the_order_and_quote_api_say_where_each_price_came_from(customer, product, sales_user, api_client):
    own = price_list(customer=customer, lines=[(product, "85")])
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[
            {"product": product, "quantity": "2"},
            {"product": product, "quantity": "1", "unit_price": "70"},
        ],
    )
    quote = quote_services.quote_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 1}]
    )
    api_client.force_authenticate(sales_user)

    order_lines = api_client.get(f"/api/v1/sales-orders/{order.pk}/").json()["lines"]
    quote_line = api_client.get(f"/api/v1/quotes/{quote.pk}/").json()["lines"][0]

    assert [(line["price_source"], line["price_list"]) for line in order_lines] == [
        ("customer_list", own.pk),
        ("manual", None),
    ]
    assert (quote_line["price_source"], quote_line["price_list"]) == ("customer_list", own.pk)
