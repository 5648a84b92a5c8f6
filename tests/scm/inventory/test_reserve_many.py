"""stock_reserve_many: every demand of an order reserved in a few statements, with the same
results and the same invariant as stock_reserve one by one."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scm.inventory import reservations, services
from scm.inventory.models import Product, Reservation, StockLevel
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory


def _sum(allocations):
    return sum((a.quantity for a in allocations), Decimal(0))


@pytest.mark.django_db
def test_reserve_many_splits_each_demand_over_the_warehouses_in_order():
    a, b = ProductFactory(), ProductFactory()
    near, far = WarehouseFactory(code="SH"), WarehouseFactory(code="BJ")
    services.stock_receive(product=a, warehouse=near, quantity=3)
    services.stock_receive(product=a, warehouse=far, quantity=10)
    services.stock_receive(product=b, warehouse=near, quantity=10)
    result = reservations.stock_reserve_many(
        demands=[("line:1", a, Decimal(5)), ("line:2", b, Decimal(4))], warehouse_ids=[near.pk, far.pk]
    )
    assert [(x.warehouse_id, x.quantity) for x in result["line:1"]] == [(near.pk, 3), (far.pk, 2)]
    assert [(x.warehouse_id, x.quantity) for x in result["line:2"]] == [(near.pk, 4)]
    assert Reservation.objects.get(demand="line:1", warehouse=far).quantity == 2
    assert StockLevel.objects.get(product=b, warehouse=near).reserved == 4


@pytest.mark.django_db
def test_reserve_many_gives_each_demand_its_own_warehouse_order_lots_first_expiry_first_out():
    product = ProductFactory(tracking=Product.Tracking.LOT)
    north, south = WarehouseFactory(code="BJ"), WarehouseFactory(code="GZ")
    today = timezone.localdate()
    for wh, number, days in ((north, "N-LATE", 90), (north, "N-SOON", 10), (south, "S-ONLY", 30)):
        services.stock_receive(
            product=product,
            warehouse=wh,
            quantity=2,
            lot_number=number,
            expiry_date=today + timedelta(days=days),
        )
    result = reservations.stock_reserve_many(
        demands=[("line:1", product, Decimal(3)), ("line:2", product, Decimal(3))],
        warehouse_ids_by_demand=[[south.pk, north.pk], [north.pk, south.pk]],
    )
    lots = {lot.pk: lot.number for lot in product.lots.all()}
    assert [(lots[a.lot_id], a.quantity) for a in result["line:1"]] == [("S-ONLY", 2), ("N-SOON", 1)]
    assert [(lots[a.lot_id], a.quantity) for a in result["line:2"]] == [("N-SOON", 1), ("N-LATE", 2)]


@pytest.mark.django_db
def test_reserve_many_holds_what_there_is_and_reports_the_rest_short():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    result = reservations.stock_reserve_many(
        demands=[("line:1", product, Decimal(3)), ("line:2", product, Decimal(4))]
    )
    assert (_sum(result["line:1"]), _sum(result["line:2"])) == (3, 2)
    assert StockLevel.objects.get(product=product).reserved == 5


@pytest.mark.django_db
def test_reserve_many_is_first_expiry_first_out_and_skips_expired_lots():
    product = ProductFactory(tracking=Product.Tracking.LOT)
    wh = WarehouseFactory()
    today = timezone.localdate()
    for number, days in (("LATE", 90), ("SOON", 10), ("GONE", 1)):
        expiry = today + timedelta(days=days)
        services.stock_receive(
            product=product, warehouse=wh, quantity=5, lot_number=number, expiry_date=expiry
        )
    product.lots.filter(number="GONE").update(expiry_date=today - timedelta(days=1))
    result = reservations.stock_reserve_many(demands=[("line:1", product, Decimal(7))])
    assert [product.lots.get(pk=a.lot_id).number for a in result["line:1"]] == ["SOON", "LATE"]
    assert Reservation.objects.filter(demand="line:1").count() == 2


@pytest.mark.django_db
def test_reserve_many_adds_to_what_a_demand_already_holds():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    reservations.stock_reserve(product=product, quantity=Decimal(2), demand="line:1")
    reservations.stock_reserve_many(demands=[("line:1", product, Decimal(3))])
    assert Reservation.objects.get(demand="line:1").quantity == 5
    assert StockLevel.objects.get(product=product).reserved == 5


@pytest.mark.django_db
def test_reserve_many_costs_the_same_statements_for_six_demands_as_for_two():
    wh = WarehouseFactory()
    products = [ProductFactory() for _ in range(6)]
    for product in products:
        services.stock_receive(product=product, warehouse=wh, quantity=10)
    counts = []
    for n in (2, 6):
        with CaptureQueriesContext(connection) as q:
            demands = [(f"n{n}:{i}", p, Decimal(1)) for i, p in enumerate(products[:n])]
            reservations.stock_reserve_many(demands=demands)
        counts.append(len(q))
    assert counts[0] == counts[1]


@pytest.mark.many_connections
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_16_orders_of_two_lines_reserving_the_last_units_never_oversell():
    a, b = ProductFactory(), ProductFactory()
    wh, other = WarehouseFactory(), WarehouseFactory()
    services.stock_receive(product=a, warehouse=wh, quantity=10)
    services.stock_receive(product=b, warehouse=wh, quantity=6)
    services.stock_receive(product=b, warehouse=other, quantity=4)
    got, errors = [], []
    barrier = threading.Barrier(16)

    def worker(i):
        try:
            barrier.wait()
            # Lines in either order: the levels are locked in one order whatever the lines' order.
            lines = [(f"o{i}:a", a, Decimal(1)), (f"o{i}:b", b, Decimal(1))]
            result = reservations.stock_reserve_many(demands=lines if i % 2 else lines[::-1])
            got.append(sum(_sum(v) for v in result.values()))
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(got) == 20
    assert StockLevel.objects.get(product=a).reserved == 10
    assert sum(StockLevel.objects.filter(product=b).values_list("reserved", flat=True)) == 10
    assert sum(Reservation.objects.values_list("quantity", flat=True)) == 20
