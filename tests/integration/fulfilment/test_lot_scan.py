"""Lot numbers are unique per product only: a lot scan names a lot of the product scanned next,
so two products on one pick list sharing a lot number are both picked from their own lot."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from integration.fulfilment import services, shipping
from integration.fulfilment.models import Shipment
from scm.inventory.models import Product
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

LOT = "2612BJ01324"


@pytest.fixture
def shared_lot(sales_user, django_capture_on_commit_callbacks):
    warehouse = three_warehouses()["SH"]
    expiry = timezone.localdate() + timedelta(days=200)
    a = ProductFactory(tracking=Product.Tracking.LOT, barcode="6900000001001")
    b = ProductFactory(tracking=Product.Tracking.LOT, barcode="6900000001002")
    receive(a, warehouse, 5, LOT, expiry)
    receive(b, warehouse, 5, LOT, expiry)
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (a, 1), (b, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    order.refresh_from_db()
    shipment = shipping.shipment_start(order=order, warehouse=warehouse)
    return {"shipment": shipment, "a": a, "b": b}


def picked(shipment):
    return {line.product_id: line.picked_quantity for line in shipment.lines.all()}


def test_two_products_sharing_a_lot_number_are_both_picked(shared_lot):
    shipment, a, b = shared_lot["shipment"], shared_lot["a"], shared_lot["b"]
    shipping.shipment_scan(shipment=shipment, code=LOT)
    shipping.shipment_scan(shipment=shipment, code=b.barcode)
    shipping.shipment_scan(shipment=shipment, code=LOT)
    shipping.shipment_scan(shipment=shipment, code=a.barcode)
    assert picked(shipment) == {a.pk: 1, b.pk: 1}


def test_a_shared_lot_number_waits_for_the_product_scan(shared_lot):
    shipment = shared_lot["shipment"]
    shipping.shipment_scan(shipment=shipment, code=LOT)
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert shipment.pending_lot == LOT
    assert shipment.scanned_lots == {}


def test_a_lot_number_of_one_product_on_the_list_resolves_at_once(
    sales_user, django_capture_on_commit_callbacks
):
    warehouse = three_warehouses()["SH"]
    product = ProductFactory(tracking=Product.Tracking.LOT, barcode="6900000001003")
    other = ProductFactory(tracking=Product.Tracking.LOT)
    receive(product, warehouse, 5, LOT, timezone.localdate() + timedelta(days=200))
    receive(other, warehouse, 5, LOT, timezone.localdate() + timedelta(days=200))
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (product, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    order.refresh_from_db()
    shipment = shipping.shipment_start(order=order, warehouse=warehouse)
    shipping.shipment_scan(shipment=shipment, code=LOT)
    assert Shipment.objects.get(pk=shipment.pk).pending_lot == ""
    shipping.shipment_scan(shipment=shipment, code=product.barcode)
    assert shipment.lines.get().picked_quantity == 1


def test_a_product_without_that_lot_on_the_list_is_refused_and_nothing_changes(
    shared_lot, sales_user, django_capture_on_commit_callbacks
):
    shipment = shared_lot["shipment"]
    stranger = ProductFactory(tracking=Product.Tracking.LOT, barcode="6900000001009")
    shipping.shipment_scan(shipment=shipment, code=LOT)
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code=stranger.barcode)
    assert "code" in exc.value.message_dict
    assert set(picked(shipment).values()) == {0}
    assert Shipment.objects.get(pk=shipment.pk).pending_lot == LOT
