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


def test_demo_picks_in_a_warehouse_with_bins_follow_them_and_a_batch_pick_is_under_way():
    from scm.inventory.management.commands.check_stock import stock_differences
    from scm.inventory.models import StockMove
    from tests.integration.fulfilment.picking_world import make_bin, receive_into

    ctx = demo_context()
    warehouses = three_warehouses()
    bj = warehouses["BJ"]
    product = supplied(ProductFactory(), bj, ctx)
    bins = [make_bin(bj, f"A-01-0{n}", n) for n in (1, 2)]
    receive_into(product, bj, 20, bins[0])
    receive_into(product, bj, 20, bins[1])
    receive(product, warehouses["SH"], 40)
    receive(product, warehouses["GZ"], 40)
    rep = ctx.users["sales"]
    beijing = [
        CustomerFactory(owner=rep, latitude=Decimal("39.9"), longitude=Decimal("116.4")) for _ in range(3)
    ]
    for i in range(16):
        make_order(beijing[i % 3], rep, (product, 110 if i == 9 else 4))
    demo.build(ctx)
    shipped = StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT, warehouse=bj)
    # Picked from the bins in pick sequence (stock received later, not put away, from the
    # warehouse's implicit location).
    assert shipped.filter(location=bins[0]).exists()
    assert Shipment.objects.filter(batch__warehouse=bj, state=Shipment.State.PICKING).count() >= 2
    assert stock_differences() == []
