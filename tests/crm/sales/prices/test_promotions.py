"""Promotions on orders and quotes: the order discount over a threshold ("满 10,000 享 9 折"), buy
X get Y, their period, stock condition and customer group, and totals that stay consistent."""

from decimal import Decimal

import pytest

from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders.selectors import open_orders
from crm.sales.orders.states import order_transition
from tests.crm.sales.factories import CustomerFactory
from tests.crm.sales.prices.factories import CustomerGroupFactory, buy_get, days, order_discount
from tests.integration.fulfilment.factories import receive
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(sales_user):
    return CustomerFactory(owner=sales_user, credit_limit=0)


@pytest.fixture
def product():
    return ProductFactory(list_price=Decimal("1000.00"), tax_rate=Decimal("0.13"))


def order(customer, owner, *lines, **kwargs):
    """An order through the service; ``lines``: (product, quantity[, extra fields])."""
    rows = [
        {"product": product, "quantity": str(quantity), **(extra[0] if extra else {})}
        for product, quantity, *extra in lines
    ]
    return order_services.order_create(customer=customer, owner=owner, lines=rows, **kwargs)


def test_an_order_reaching_the_threshold_gets_the_discount(customer, product, sales_user):
    promotion = order_discount(threshold="10000", percent="10")
    placed = order(customer, sales_user, (product, 10))
    assert (placed.promotion_id, placed.promotion_discount) == (promotion.pk, Decimal("1000.00"))
    assert placed.subtotal == Decimal("9000.00")
    assert placed.tax_total == Decimal("1170.00")
    assert placed.total == Decimal("10170.00")


def test_an_order_below_the_threshold_gets_nothing(customer, product, sales_user):
    order_discount(threshold="10000", percent="10")
    placed = order(customer, sales_user, (product, 9))
    assert (placed.promotion_id, placed.promotion_discount, placed.subtotal) == (None, 0, Decimal("9000.00"))


def test_the_threshold_counts_the_net_after_line_discounts(customer, product, sales_user):
    order_discount(threshold="10000", percent="10")
    placed = order(customer, sales_user, (product, 10, {"discount_percent": "5"}))
    assert placed.promotion_id is None


def test_an_amount_off_is_taken_off_exactly_across_the_lines(customer, sales_user):
    order_discount(threshold="1000", percent=None, amount="100")
    products = [ProductFactory(list_price=Decimal(price)) for price in ("333.33", "333.33", "333.34")]
    placed = order(customer, sales_user, *[(p, 1) for p in products])
    shares = sorted(placed.lines.values_list("promotion_discount", flat=True))
    assert sum(shares) == Decimal("100.00") == placed.promotion_discount
    assert placed.subtotal == Decimal("900.00")


def test_the_lines_net_and_tax_add_up_to_the_orders_totals(customer, sales_user):
    order_discount(threshold="100", percent="7.5")
    products = [
        ProductFactory(list_price=Decimal(p), tax_rate=Decimal(t))
        for p, t in (("19.99", "0.13"), ("7.77", "0.09"), ("123.45", "0.06"))
    ]
    placed = order(customer, sales_user, *[(p, 3) for p in products])
    lines = list(placed.lines.all())
    assert placed.subtotal == sum(line.net_amount for line in lines)
    assert placed.tax_total == sum(line.tax_amount for line in lines)
    assert placed.total == placed.subtotal + placed.tax_total
    for line in lines:
        gross = (line.quantity * line.unit_price).quantize(Decimal("0.01"))
        assert line.net_amount == gross - line.promotion_discount
        assert line.tax_amount == (line.net_amount * line.tax_rate).quantize(Decimal("0.01"))


def test_the_credit_check_counts_the_order_after_its_promotion(customer, product, sales_user):
    order_discount(threshold="10000", percent="10")
    placed = order(customer, sales_user, (product, 10))
    order_transition(order=placed, to_state="confirmed", user=sales_user)
    assert open_orders(customer_id=customer.pk)["amount"] == placed.total == Decimal("10170.00")


def test_the_best_order_discount_wins(customer, product, sales_user):
    order_discount(threshold="5000", percent="5")
    better = order_discount(threshold="8000", percent=None, amount="800")
    placed = order(customer, sales_user, (product, 10))
    assert (placed.promotion_id, placed.promotion_discount) == (better.pk, Decimal("800.00"))


def test_a_promotion_outside_its_period_does_not_apply(customer, product, sales_user):
    order_discount(valid_from=days(-30), valid_until=days(-1))
    order_discount(valid_from=days(1), valid_until=days(30))
    assert order(customer, sales_user, (product, 20)).promotion_id is None


def test_a_promotion_applies_on_the_order_date_in_its_period(customer, product, sales_user):
    promotion = order_discount(valid_from=days(-30), valid_until=days(-10))
    assert order(customer, sales_user, (product, 20), order_date=days(-20)).promotion_id == promotion.pk


def test_an_inactive_promotion_does_not_apply(customer, product, sales_user):
    order_discount(is_active=False)
    assert order(customer, sales_user, (product, 20)).promotion_id is None


def test_a_promotion_for_a_group_applies_only_to_its_customers(customer, product, sales_user):
    group = CustomerGroupFactory(code="KEY")
    promotion = order_discount(group=group)
    assert order(customer, sales_user, (product, 20)).promotion_id is None
    member = CustomerFactory(owner=sales_user, group=group, credit_limit=0)
    assert order(member, sales_user, (product, 20)).promotion_id == promotion.pk


def test_a_stock_condition_holds_only_while_enough_is_available(customer, product, sales_user):
    featured = ProductFactory()
    promotion = order_discount(stock_product=featured, min_available="5")
    assert order(customer, sales_user, (product, 20)).promotion_id is None  # nothing in stock
    receive(featured, WarehouseFactory(), 4)
    assert order(customer, sales_user, (product, 20)).promotion_id is None  # 4 < 5
    receive(featured, WarehouseFactory(), 1)
    assert order(customer, sales_user, (product, 20)).promotion_id == promotion.pk


def test_a_stock_condition_without_a_minimum_needs_something_available(customer, product, sales_user):
    featured = ProductFactory()
    order_discount(stock_product=featured)
    assert order(customer, sales_user, (product, 20)).promotion_id is None
    receive(featured, WarehouseFactory(), 1)
    assert order(customer, sales_user, (product, 20)).promotion_id is not None


# --- buy X get Y ------------------------------------------------------------------------------


def test_buying_x_gives_y_free(customer, product, sales_user):
    gift = ProductFactory(list_price=Decimal("50.00"))
    promotion = buy_get(buy=product, buy_quantity=10, get=gift, get_quantity=1)
    placed = order(customer, sales_user, (product, 20), (gift, 2))
    x, y = placed.lines.order_by("pk")
    assert (y.quantity, y.unit_price, y.net_amount) == (Decimal(2), Decimal("0.00"), Decimal("0.00"))
    assert (y.price_source, y.price_promotion_id) == ("promotion", promotion.pk)
    assert x.price_source == "list"


def test_y_beyond_what_x_earns_is_split_off_at_its_price(customer, product, sales_user):
    gift = ProductFactory(list_price=Decimal("50.00"))
    promotion = buy_get(buy=product, buy_quantity=10, get=gift, get_quantity=1, percent="50")
    placed = order(customer, sales_user, (product, 10), (gift, 3))
    lines = [
        (ln.product_id, ln.quantity, ln.unit_price, ln.price_source, ln.price_promotion_id)
        for ln in placed.lines.order_by("pk")
    ]
    assert lines == [
        (product.pk, Decimal(10), Decimal("1000.00"), "list", None),
        (gift.pk, Decimal(1), Decimal("25.00"), "promotion", promotion.pk),
        (gift.pk, Decimal(2), Decimal("50.00"), "list", None),
    ]
    assert placed.subtotal == Decimal("10125.00")


def test_buy_x_get_y_of_the_same_product_does_not_give_for_what_it_gives(customer, product, sales_user):
    buy_get(buy=product, buy_quantity=2, get=product, get_quantity=1)  # 买二送一
    placed = order(customer, sales_user, (product, 3))
    assert sorted((ln.quantity, ln.unit_price) for ln in placed.lines.all()) == [
        (Decimal(1), Decimal("0.00")),
        (Decimal(2), Decimal("1000.00")),
    ]
    placed = order(customer, sales_user, (product, 2))
    assert placed.lines.get().unit_price == Decimal("1000.00")


def test_whole_boxes_only_are_given(customer, product, sales_user):
    gift = ProductFactory(list_price=Decimal("5.00"))
    box = ProductUnitFactory(product=gift, name="箱", factor=Decimal("12"))
    buy_get(buy=product, buy_quantity=1, get=gift, get_quantity=12)
    placed = order(customer, sales_user, (product, 1), (gift, 1, {"unit": box}))
    assert placed.lines.get(product=gift).unit_price == Decimal("0.00")
    placed = order(customer, sales_user, (product, 1), (gift, 2, {"unit": box}))
    assert sorted(placed.lines.filter(product=gift).values_list("unit_price", flat=True)) == [
        Decimal("0.00"),
        Decimal("60.00"),
    ]


def test_buy_x_get_y_needs_its_stock_condition(customer, product, sales_user):
    gift = ProductFactory(list_price=Decimal("50.00"))
    buy_get(buy=product, buy_quantity=1, get=gift, get_quantity=1, stock_product=gift)
    assert order(customer, sales_user, (product, 1), (gift, 1)).lines.get(product=gift).price_source == "list"
    receive(gift, WarehouseFactory(), 3)
    assert (
        order(customer, sales_user, (product, 1), (gift, 1)).lines.get(product=gift).price_source
        == "promotion"
    )


def test_a_typed_price_for_y_stays_manual(customer, product, sales_user):
    gift = ProductFactory(list_price=Decimal("50.00"))
    buy_get(buy=product, buy_quantity=1, get=gift, get_quantity=1)
    placed = order(customer, sales_user, (product, 1), (gift, 1, {"unit_price": "45"}))
    assert placed.lines.get(product=gift).price_source == "manual"


def test_a_quote_keeps_its_promotion_when_accepted_after_the_promotion_ended(customer, product, sales_user):
    promotion = order_discount(valid_from=days(-5), valid_until=days(30))
    quote = quote_services.quote_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 10}]
    )
    assert (quote.promotion_id, quote.subtotal) == (promotion.pk, Decimal("9000.00"))
    promotion.is_active = False
    promotion.save()
    accepted = quote_services.quote_accept(quote=quote, user=sales_user)
    assert (accepted.promotion_id, accepted.promotion_discount, accepted.subtotal, accepted.total) == (
        promotion.pk,
        Decimal("1000.00"),
        quote.subtotal,
        quote.total,
    )


def test_a_shortened_line_keeps_its_share_of_the_promotion_in_proportion(customer, product, sales_user):
    order_discount(threshold="10000", percent="10")
    placed = order(customer, sales_user, (product, 10))
    line = placed.lines.get()
    order_services.order_line_reduce(line=line, quantity="5")
    placed.refresh_from_db()
    line.refresh_from_db()
    assert (line.promotion_discount, line.net_amount) == (Decimal("500.00"), Decimal("4500.00"))
    assert (placed.promotion_discount, placed.subtotal, placed.total) == (
        Decimal("500.00"),
        Decimal("4500.00"),
        Decimal("5085.00"),
    )
