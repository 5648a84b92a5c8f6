"""Quarantine: stock that has not passed (or failed) the quality check is on hand but never
reserved, promised or shown as available, by any path."""

from decimal import Decimal

import pytest

from scm.inventory import selectors
from scm.inventory.models import Warehouse
from scm.inventory.quarantine import quarantine_levels, quarantine_of, quarantine_release, quarantine_return
from scm.inventory.reservations import stock_reserve, stock_reserve_many
from scm.inventory.services import stock_receive
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """A product with 5 units in a warehouse's quarantine and nothing elsewhere."""
    site = WarehouseFactory(code="SITE")
    product = ProductFactory()
    stock_receive(product=product, warehouse=quarantine_of(site), quantity=5, unit_cost=10)
    return product, site


def test_a_warehouse_gets_one_quarantine_on_demand():
    site = WarehouseFactory(code="SITE")
    first = quarantine_of(site)
    assert (first.kind, first.site, first.code) == (Warehouse.Kind.QUARANTINE, site, "SITE-QC")
    assert quarantine_of(site) == first
    assert quarantine_of(first) == first


def test_quarantine_is_never_reserved_by_stock_reserve(held):
    product, site = held
    assert stock_reserve(product=product, quantity=5, demand="d:1") == []
    holding = quarantine_of(site)
    assert stock_reserve(product=product, quantity=5, demand="d:2", warehouse_ids=[holding.pk]) == []


def test_quarantine_is_never_reserved_by_stock_reserve_many(held):
    product, site = held
    holding = quarantine_of(site)
    assert stock_reserve_many(demands=[("d:1", product, Decimal(5))]) == {"d:1": []}
    out = stock_reserve_many(demands=[("d:2", product, Decimal(5))], warehouse_ids_by_demand=[[holding.pk]])
    assert out == {"d:2": []}


def test_quarantine_is_not_available_to_promise_nor_a_warehouse_to_reserve_from(held):
    product, site = held
    holding = quarantine_of(site)
    assert holding.pk not in [w["pk"] for w in selectors.active_warehouses()]
    assert holding.pk not in selectors.warehouses_by_distance()
    assert all(row["warehouse"] != holding for row in selectors.available_to_promise(product_id=product.pk))
    assert selectors.available_total(product_id=product.pk) == 0
    listed = selectors.product_list().get(pk=product.pk)
    assert (listed.available_total, listed.quarantine_total) == (0, 5)
    level = selectors.stock_overview().get(product=product)
    assert (level.on_hand, level.available) == (5, 0)
    assert list(quarantine_levels(product_id=product.pk)) == [level]


def test_released_stock_becomes_reservable(held):
    product, site = held
    level = quarantine_levels(product_id=product.pk).get()
    quarantine_release(level_id=level.pk, quantity=3)
    allocations = stock_reserve(product=product, quantity=5, demand="d:1")
    assert [(a.warehouse_id, a.quantity) for a in allocations] == [(site.pk, 3)]


def test_goods_returned_from_quarantine_take_their_value_out_of_the_average_cost(held):
    """10 kept at 40 and 5 held at 10 average 30; once the 5 go back to the supplier at the 10
    paid for them, the 10 kept are worth 40 each again."""
    product, site = held
    stock_receive(product=product, warehouse=site, quantity=10, unit_cost=40)
    product.refresh_from_db()
    assert product.cost == Decimal("30.0000")
    level = quarantine_levels(product_id=product.pk).get()
    quarantine_return(level_id=level.pk, quantity=5, reason="broken", unit_cost=Decimal("10"))
    product.refresh_from_db()
    assert product.cost == Decimal("40.0000")


def test_goods_returned_at_the_average_cost_leave_it_as_it_is(held):
    product, _site = held
    level = quarantine_levels(product_id=product.pk).get()
    quarantine_return(level_id=level.pk, quantity=2, reason="broken")
    product.refresh_from_db()
    assert product.cost == Decimal("10.0000")
