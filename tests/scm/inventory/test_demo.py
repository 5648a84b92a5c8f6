import pytest

from integration.setup.demo import DemoContext, load_users, users_step
from scm.inventory import demo
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import CountSession, Product, Transfer, Warehouse

pytestmark = pytest.mark.django_db


def test_demo_builds_a_consistent_inventory_once():
    from scm.purchasing import demo as purchasing_demo

    ctx = DemoContext()
    users_step(ctx)
    load_users(ctx)
    demo.build(ctx)
    purchasing_demo.build(ctx)  # buys the stock, then runs the stock history
    assert set(Warehouse.objects.for_stock().values_list("code", flat=True)) == {"BJ", "SH", "GZ"}
    assert Product.objects.count() >= 55
    assert (
        Product.objects.filter(tracking="serial").exists()
        and Product.objects.filter(is_template=True).exists()
    )
    assert Transfer.objects.filter(state="in_transit").exists()
    assert CountSession.objects.filter(state="counting").count() == 1
    assert stock_differences() == []
    count = Product.objects.count()
    demo.build(ctx)
    assert Product.objects.count() == count
