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


def test_demo_beijing_works_by_bins_and_guangzhou_does_not():
    from scm.inventory import demo_bins, putaway
    from scm.inventory.models import Location, LocationStock
    from scm.purchasing import demo as purchasing_demo

    ctx = DemoContext()
    users_step(ctx)
    load_users(ctx)
    demo.build(ctx)
    purchasing_demo.build(ctx)
    bj, gz = Warehouse.objects.get(code="BJ"), Warehouse.objects.get(code="GZ")
    assert sorted(set(Location.objects.filter(warehouse=bj).values_list("zone", flat=True))) == [
        "A",
        "B",
        "C",
    ]
    assert not Location.objects.filter(warehouse=gz).exists()
    first = Location.objects.filter(warehouse=bj).order_by("sequence").first()
    assert first.code == "A-01-01-01"
    # The fast movers (office supplies) sit in zone A, nearest the dock; nothing else does.
    rows = LocationStock.objects.filter(on_hand__gt=0).values_list("product__sku", "location__zone")
    in_a = {sku for sku, zone in rows if zone == "A"}
    assert "OF-A4-70" in in_a and all(sku.startswith("OF-") for sku in in_a)
    assert {zone for _sku, zone in rows} == {"A", "B", "C"}
    waiting = {lv.product.sku for lv in putaway.not_put_away(warehouse_id=bj.pk)}
    assert waiting and waiting <= set(demo_bins.NOT_PUT_AWAY) | _received_after_put_away(bj)
    assert stock_differences() == []


def _received_after_put_away(warehouse) -> set[str]:
    from scm.inventory.models import StockMove

    last = StockMove.objects.filter(kind="relocation", reference="DEMO-PUTAWAY").order_by("-pk").first()
    return set(
        StockMove.objects.filter(warehouse=warehouse, pk__gt=last.pk).values_list("product__sku", flat=True)
    )
