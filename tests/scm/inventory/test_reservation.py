import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from scm.inventory import reservations, services
from scm.inventory.models import Product, Reservation, StockLevel
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory


@pytest.mark.django_db
def test_reserve_takes_warehouses_in_given_order_and_splits():
    product = ProductFactory()
    near, far = WarehouseFactory(code="SH"), WarehouseFactory(code="BJ")
    services.stock_receive(product=product, warehouse=near, quantity=3)
    services.stock_receive(product=product, warehouse=far, quantity=10)
    allocations = reservations.stock_reserve(
        product=product, quantity=Decimal(5), demand="line:1", warehouse_ids=[near.pk, far.pk]
    )
    assert [(a.warehouse_id, a.quantity) for a in allocations] == [(near.pk, 3), (far.pk, 2)]


@pytest.mark.django_db
def test_reserve_is_first_expiry_first_out_and_skips_expired_lots():
    product = ProductFactory(tracking=Product.Tracking.LOT)
    wh = WarehouseFactory()
    today = timezone.localdate()
    services.stock_receive(
        product=product, warehouse=wh, quantity=5, lot_number="LATE", expiry_date=today + timedelta(days=90)
    )
    services.stock_receive(
        product=product, warehouse=wh, quantity=5, lot_number="SOON", expiry_date=today + timedelta(days=10)
    )
    services.stock_receive(
        product=product, warehouse=wh, quantity=5, lot_number="GONE", expiry_date=today + timedelta(days=1)
    )
    product.lots.filter(number="GONE").update(expiry_date=today - timedelta(days=1))
    allocations = reservations.stock_reserve(product=product, quantity=Decimal(7), demand="line:2")
    numbers = [product.lots.get(pk=a.lot_id).number for a in allocations]
    assert numbers == ["SOON", "LATE"]


@pytest.mark.django_db
def test_box_of_24_reserves_24_base_units():
    unit = ProductUnitFactory(factor=Decimal(24))
    wh = WarehouseFactory()
    services.stock_receive(product=unit.product, warehouse=wh, quantity=2, unit=unit)
    base = services.to_base_quantity(product=unit.product, quantity=1, unit=unit)
    reservations.stock_reserve(product=unit.product, quantity=base, demand="line:3")
    assert StockLevel.objects.get(product=unit.product).reserved == 24


@pytest.mark.django_db
def test_release_gives_back_everything_the_demand_holds():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    reservations.stock_reserve(product=product, quantity=Decimal(4), demand="line:4")
    assert reservations.stock_release(demand="line:4") == 4
    assert StockLevel.objects.get(product=product).reserved == 0
    assert not Reservation.objects.filter(demand="line:4").exists()


@pytest.mark.django_db
def test_consume_more_than_reserved_is_refused_and_writes_nothing():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    reservations.stock_reserve(product=product, quantity=Decimal(2), demand="line:5")
    with pytest.raises(ValidationError) as err:
        reservations.stock_consume(demand="line:5", warehouse=wh, quantity=Decimal(3))
    assert "quantity" in err.value.message_dict
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (10, 2)


@pytest.mark.django_db
def test_all_or_nothing_reservation_refuses_when_short():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=1)
    with pytest.raises(ValidationError):
        reservations.stock_reserve(product=product, quantity=Decimal(2), demand="line:6", partial=False)
    assert StockLevel.objects.get(product=product).reserved == 0


@pytest.mark.many_connections
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_threads_reserving_the_last_20_units_never_oversell():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=20)
    results, errors = [], []
    barrier = threading.Barrier(32)

    def worker(i):
        try:
            barrier.wait()
            got = reservations.stock_reserve(
                product=product, quantity=Decimal(1), demand=f"t:{i}", partial=False
            )
            results.append(sum(a.quantity for a in got))
        except ValidationError:
            results.append(Decimal(0))
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 20
    assert results.count(Decimal(1)) == 20
    assert StockLevel.objects.get(product=product).reserved == 20
