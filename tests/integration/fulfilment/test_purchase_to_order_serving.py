"""Purchase to order: goods bought for an order line serve that line first when they arrive,
and quarantined goods never serve a backorder."""

from decimal import Decimal

import pytest

from crm.sales.models import SalesOrder
from integration.fulfilment import services
from integration.fulfilment.backorders import backorders_serve
from integration.fulfilment.models import Backorder
from scm.inventory.quarantine import quarantine_of
from scm.inventory.services import stock_receive
from scm.purchasing import receiving
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    customer = CustomerFactory(owner=sales_user)
    ContactFactory(customer=customer)
    return {"wh": warehouses, "product": ProductFactory(), "customer": customer, "rep": sales_user}


def waiting(world, quantity, live):
    order = make_order(world["customer"], world["rep"], (world["product"], quantity))
    live(services.order_confirm, order=order, user=world["rep"])
    order.refresh_from_db()
    assert order.state == SalesOrder.State.CONFIRMED
    return order


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def test_the_line_bought_for_gets_the_receipt_before_earlier_orders(world, live, warehouse_user):
    earlier = waiting(world, 5, live)
    later = waiting(world, 5, live)
    order = open_purchase_order(
        lines=[{"product": world["product"], "quantity": Decimal(5), "demand": later.lines.get().demand}],
        warehouse=world["wh"]["SH"],
    )
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=world["product"], quantity="5")
    receiving.receipt_check(receipt=receipt, user=warehouse_user)
    live(receiving.receipt_post, receipt=receipt, user=warehouse_user)
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert later.lines.get().reserved_quantity == 5
    assert earlier.lines.get().reserved_quantity == 0
    assert Backorder.objects.get(line__order=earlier).quantity == 5


def test_the_rest_of_a_receipt_goes_to_the_backorder_rule(world, live, warehouse_user):
    earlier = waiting(world, 5, live)
    later = waiting(world, 5, live)
    order = open_purchase_order(
        lines=[{"product": world["product"], "quantity": Decimal(8), "demand": later.lines.get().demand}],
        warehouse=world["wh"]["SH"],
    )
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=world["product"], quantity="8")
    receiving.receipt_check(receipt=receipt, user=warehouse_user)
    live(receiving.receipt_post, receipt=receipt, user=warehouse_user)
    assert later.lines.get().reserved_quantity == 5
    assert earlier.lines.get().reserved_quantity == 3


def test_quarantined_stock_never_serves_a_backorder(world, live):
    order = waiting(world, 5, live)
    stock_receive(product=world["product"], warehouse=quarantine_of(world["wh"]["SH"]), quantity=5)
    served = backorders_serve(product_ids=[world["product"].pk])
    assert served.reserved == 0
    assert order.lines.get().reserved_quantity == 0
