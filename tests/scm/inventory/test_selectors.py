from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from scm.inventory import reservations, selectors, services
from scm.inventory.models import IncomingSupply, Lot
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory, lot_product

pytestmark = pytest.mark.django_db


def test_atp_for_one_warehouse_has_on_hand_minus_reserved_and_incoming_dates():
    product = ProductFactory()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=10)
    services.stock_receive(product=product, warehouse=b, quantity=7)
    reservations.stock_reserve(product=product, quantity=3, demand="d", warehouse_ids=[a.pk])
    when = timezone.localdate() + timedelta(days=5)
    IncomingSupply.objects.create(
        reference="PO-1", product=product, warehouse=a, quantity=20, expected_date=when
    )
    [row] = selectors.available_to_promise(product_id=product.pk, warehouse_id=a.pk)
    assert (row["on_hand"], row["reserved"], row["available"]) == (10, 3, 7)
    assert row["incoming"] == [{"quantity": 20, "expected_date": when}]


def test_valuation_is_on_hand_times_average_cost():
    product, wh = ProductFactory(cost=Decimal("0")), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=4, unit_cost="2.50")
    assert selectors.stock_valuation()["total"] == Decimal("10")


def test_low_stock_lists_products_below_their_reorder_point():
    low, fine = ProductFactory(reorder_point=10), ProductFactory(reorder_point=2)
    wh = WarehouseFactory()
    services.stock_receive(product=low, warehouse=wh, quantity=5)
    services.stock_receive(product=fine, warehouse=wh, quantity=5)
    assert list(selectors.low_stock()) == [low]


def test_movement_history_per_lot():
    product, wh = lot_product(), WarehouseFactory()
    exp = timezone.localdate() + timedelta(days=30)
    services.stock_receive(product=product, warehouse=wh, quantity=5, lot_number="L1", expiry_date=exp)
    services.stock_receive(product=product, warehouse=wh, quantity=5, lot_number="L2", expiry_date=exp)
    lot = Lot.objects.get(number="L1")
    assert [m.lot_id for m in selectors.movement_history(lot_id=lot.pk)] == [lot.pk]


def test_product_list_totals_stock_across_warehouses():
    product = ProductFactory()
    services.stock_receive(product=product, warehouse=WarehouseFactory(code="A"), quantity=3)
    services.stock_receive(product=product, warehouse=WarehouseFactory(code="B"), quantity=4)
    row = selectors.product_list().get(pk=product.pk)
    assert (row.on_hand_total, row.available_total) == (7, 7)
