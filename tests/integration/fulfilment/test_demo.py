from decimal import Decimal

import pytest

from crm.sales.models import SalesOrder
from integration.fulfilment import demo
from integration.fulfilment.models import Shipment
from integration.setup.demo import DemoContext
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


def demo_context():
    ctx = DemoContext()
    for role in ("sales", "warehouse", "finance", "manager", "purchasing"):
        ctx.users[role] = UserFactory(username=role, roles=[role])
    return ctx


def supplied(product, warehouse, ctx):
    """The product has a preferred supplier (the demo buys what its orders need from it)."""
    supplier = SupplierFactory(default_warehouse=warehouse, buyer=ctx.users["purchasing"])
    item = SupplierProductFactory(supplier=supplier, product=product)
    SupplierPriceFactory(supplier_product=item, unit_price=product.cost)
    return product


def test_demo_step_shows_every_order_state():
    ctx = demo_context()
    warehouses = three_warehouses()
    product = supplied(ProductFactory(), warehouses["SH"], ctx)
    for wh in warehouses.values():
        receive(product, wh, 40)
    rep = ctx.users["sales"]
    tight = CustomerFactory(owner=rep, credit_limit=Decimal("50.00"))
    others = [CustomerFactory(owner=rep) for _ in range(3)]
    for i in range(16):
        customer = tight if i == 1 else others[i % 3]
        make_order(customer, rep, (product, 110 if i == 9 else 4))  # the 10th finds stock short
    demo.build(ctx)
    states = set(SalesOrder.objects.values_list("state", flat=True))
    assert {
        "draft",
        "credit_hold",
        "partly_reserved",
        "invoiced",
        "paid",
        "partly_shipped",
        "cancelled",
    } <= states
    assert Shipment.objects.filter(state=Shipment.State.SHIPPED, invoice_id__isnull=False).exists()


def test_demo_step_creates_nothing_without_orders():
    ctx = demo_context()
    demo.build(ctx)
    assert not Shipment.objects.exists()
    assert "nothing" in ctx.log[-1]


def test_demo_step_shows_a_backorder_that_a_receipt_served():
    ctx = demo_context()
    warehouses = three_warehouses()
    product = supplied(ProductFactory(), warehouses["SH"], ctx)
    receive(product, warehouses["SH"], 40)
    rep = ctx.users["sales"]
    make_order(CustomerFactory(owner=rep), rep, (product, 4))
    demo.build(ctx)
    served = SalesOrder.objects.get(events__kind="backorder_served")
    assert served.state == SalesOrder.State.RESERVED
    assert served.lines.get().reserved_quantity == served.lines.get().base_quantity
    assert served.number in ctx.log[-1]
