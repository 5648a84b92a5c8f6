"""Inventory publishes ``stock.low`` when a reservation takes a product below its reorder point
(only at the crossing, so a product that stays low does not publish on every order)."""

from decimal import Decimal

import pytest

from integration.events.models import Event
from scm.inventory import services
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def low_events(product):
    return list(Event.objects.filter(name="stock.low", payload__product_id=product.pk))


@pytest.fixture
def stocked():
    product = ProductFactory(reorder_point=Decimal("10"))
    services.stock_receive(product=product, warehouse=WarehouseFactory(), quantity=15, reference="R1")
    return product


def test_reservation_that_crosses_the_reorder_point_publishes_stock_low(stocked):
    services.stock_reserve(product=stocked, quantity=Decimal("6"), demand="test:1")
    events = low_events(stocked)
    assert len(events) == 1
    payload = events[0].payload
    assert payload["product_id"] == stocked.pk
    assert (Decimal(payload["available"]), Decimal(payload["reorder_point"])) == (9, 10)


def test_reservation_that_stays_at_or_above_the_reorder_point_publishes_nothing(stocked):
    services.stock_reserve(product=stocked, quantity=Decimal("5"), demand="test:1")
    assert low_events(stocked) == []


def test_a_product_already_below_its_reorder_point_publishes_once(stocked):
    services.stock_reserve(product=stocked, quantity=Decimal("6"), demand="test:1")
    services.stock_reserve(product=stocked, quantity=Decimal("2"), demand="test:2")
    assert len(low_events(stocked)) == 1


def test_a_product_without_a_reorder_point_publishes_nothing():
    product = ProductFactory()
    services.stock_receive(product=product, warehouse=WarehouseFactory(), quantity=5, reference="R1")
    services.stock_reserve(product=product, quantity=Decimal("5"), demand="test:1")
    assert low_events(product) == []
