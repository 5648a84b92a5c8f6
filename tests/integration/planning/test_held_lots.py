"""A lot on hold is on hand but not free: planning's position and free stock leave it out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integration.planning import netting
from scm.inventory import holds, services
from tests.scm.inventory.factories import WarehouseFactory, lot_product

pytestmark = pytest.mark.django_db


def test_a_held_lot_counts_neither_in_the_position_nor_as_free():
    product, wh = lot_product(), WarehouseFactory()
    expiry = timezone.localdate() + timedelta(days=300)
    for number, qty in (("GOOD", 4), ("BAD", 6)):
        services.stock_receive(
            product=product, warehouse=wh, quantity=qty, lot_number=number, expiry_date=expiry
        )
    holds.lot_hold(lot=product.lots.get(number="BAD"), reason="卡纸")
    f = netting.positions([product.pk])[(product.pk, wh.pk)]
    assert (f["on_hand"], f["held"], f["position"], f["free"]) == (10, 6, 4, 4)
