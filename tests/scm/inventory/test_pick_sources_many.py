"""``pick_sources_many`` (one query for many products) gives each product what ``pick_sources``
gives it alone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from scm.inventory import locations, services
from scm.inventory.models import Location, Lot, Product
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_many_products_at_once_are_split_as_each_alone(django_assert_num_queries):
    wh = WarehouseFactory()
    bins = [Location.objects.create(warehouse=wh, code=f"A-{n}", zone="A", sequence=10 - n) for n in range(4)]
    plain, tracked = ProductFactory(), ProductFactory(tracking=Product.Tracking.LOT)
    services.stock_receive(product=plain, warehouse=wh, quantity=5, location=bins[0])
    services.stock_receive(product=plain, warehouse=wh, quantity=4, location=bins[3])
    services.stock_receive(
        product=tracked,
        warehouse=wh,
        quantity=6,
        location=bins[1],
        lot_number="L1",
        expiry_date=timezone.localdate() + timedelta(days=90),
    )
    lot = Lot.objects.get(number="L1")
    wants = {(plain.pk, None): Decimal(12), (tracked.pk, lot.pk): Decimal(2)}
    planned = {(plain.pk, None): {bins[3].pk: Decimal(1)}}
    with django_assert_num_queries(1):
        many = locations.pick_sources_many(warehouse_id=wh.pk, wants=wants, planned=planned)
    for (product_id, lot_id), quantity in wants.items():
        assert many[(product_id, lot_id)] == locations.pick_sources(
            warehouse_id=wh.pk,
            product_id=product_id,
            lot_id=lot_id,
            quantity=quantity,
            planned=planned.get((product_id, lot_id)),
        )
    assert [(loc.code if loc else None, q) for loc, q in many[(plain.pk, None)]] == [
        ("A-3", 3),
        ("A-0", 5),
        (None, 4),
    ]
