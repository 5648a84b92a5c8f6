"""The backorder sweep looks for free stock by the one definition: a held lot is not free."""

from decimal import Decimal

import pytest

from integration.fulfilment.backorders import backorders_sweep
from integration.fulfilment.models import Backorder
from scm.inventory import holds
from tests.integration.aftersales.factories import confirmed, customer_of, received_lot
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


def test_the_sweep_finds_nothing_to_serve_next_to_a_held_lot(
    sales_user, warehouse_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    warehouses = three_warehouses()
    lot, _receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user, quantity="2")
    order = confirmed(customer_of(sales_user), sales_user, lot.product, 5, django_capture_on_commit_callbacks)
    assert Backorder.objects.get(order=order).quantity == 3
    with django_capture_on_commit_callbacks(execute=True):
        holds.lot_hold(lot=lot, reason="卡纸")
    with django_assert_num_queries(1):
        assert backorders_sweep() == Decimal(0)
