"""The demo's prices step: a customer group with its price list, a customer's breaks, the two
promotions valid now, and a quote and an order of this week that use them."""

from decimal import Decimal

import pytest
from django.db import transaction

from crm.customers.models import Customer
from crm.sales.models import PriceList, Promotion, Quote, SalesOrder
from crm.sales.orders.prices.demo import build
from integration.setup.demo import DemoContext, demo_load

# One worker builds the module's fixture once (``--dist loadgroup``).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-prices")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The steps the prices step builds on, and it, loaded once for this module inside a
    transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(only=["users", "inventory", "purchasing", "customers", "prices"])
        transaction.set_rollback(True)


def test_the_demo_puts_key_customers_in_a_group_with_its_price_list(demo):
    members = Customer.objects.filter(group__code="KEY")
    assert members.count() >= 2
    lists = PriceList.objects.order_by("pk")
    assert [(pl.group_id is not None, pl.customer_id is not None) for pl in lists] == [
        (True, False),
        (False, True),
    ]
    assert lists[1].customer.group.code == "KEY"


def test_the_demo_quote_is_priced_at_the_framework_breaks(demo):
    quote = Quote.objects.get(notes="按框架协议分档价格报价。")
    prices = {line.product.sku: (line.unit_price, line.price_source) for line in quote.lines.all()}
    assert prices == {
        "OF-A4-70": (Decimal("20.90"), "customer_list"),
        "OF-A4-80": (Decimal("26.00"), "customer_list"),
    }


def test_the_demo_order_gets_the_order_discount_and_the_gift(demo):
    order = SalesOrder.objects.get(notes="重点客户季度采购，参加满减活动。")
    assert order.promotion.name == "满 10,000 享 9 折" and order.promotion_discount > 0
    sources = {line.product.sku: line.price_source for line in order.lines.all()}
    assert sources == {
        "EL-MS-M330": "group_list",
        "EL-KB-K380": "group_list",
        "OF-A4-70": "group_list",
        "OF-GP-05B": "promotion",
    }
    assert order.lines.get(product__sku="OF-GP-05B").net_amount == 0
    assert Promotion.objects.filter(valid_until__gte=order.order_date).count() == 2


def test_the_step_adds_nothing_without_a_manager():
    before = (PriceList.objects.count(), Promotion.objects.count())
    ctx = DemoContext(users={})
    build(ctx)
    assert (PriceList.objects.count(), Promotion.objects.count()) == before
    assert ctx.log == ["prices: no demo products or customers, nothing to add"]
