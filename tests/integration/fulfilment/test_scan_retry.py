"""A scan and a short pick that meet a deadlock run again, whole, instead of answering the picker
409: what the first try wrote is undone and the retry applies the scan once."""

import pytest

from integration.fulfilment import scanning, short_picks
from integration.fulfilment.models import ShipmentLine, ShortPick
from scm.inventory.models import Reservation
from tests.deadlocks import deadlock_once
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import make_bin, pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

# Committed as in production: the services' own transactions retry only outside a test's.
pytestmark = pytest.mark.django_db(transaction=True)

BARCODE = "6900000007001"


def test_a_scan_that_meets_a_deadlock_is_run_again_and_picks_once(
    sales_user, monkeypatch, django_capture_on_commit_callbacks
):
    sh = three_warehouses()["SH"]
    product = ProductFactory(barcode=BARCODE)
    receive_into(product, sh, 10)
    order = reserved_order(
        CustomerFactory(owner=sales_user), sales_user, django_capture_on_commit_callbacks, (product, 5)
    )
    shipment = pick_list(order, sh)
    calls = deadlock_once(monkeypatch, scanning, "scan_apply")

    result = scanning.shipment_scan(shipment=shipment, code=BARCODE, quantity="3")

    assert len(calls) == 2
    assert result.quantity == 3
    assert ShipmentLine.objects.get(shipment=shipment).picked_quantity == 3


def test_a_short_pick_that_meets_a_deadlock_is_run_again_and_recorded_once(
    sales_user, monkeypatch, django_capture_on_commit_callbacks
):
    sh = three_warehouses()["SH"]
    first, second = make_bin(sh, "A-01", 10), make_bin(sh, "B-02", 20)
    product = ProductFactory(barcode=BARCODE)
    receive_into(product, sh, 4, first)
    receive_into(product, sh, 6, second)
    order = reserved_order(
        CustomerFactory(owner=sales_user), sales_user, django_capture_on_commit_callbacks, (product, 3)
    )
    shipment = pick_list(order, sh)
    line = ShipmentLine.objects.get(shipment=shipment, location=first)
    calls = deadlock_once(monkeypatch, short_picks, "_to_other_places")

    short_picks.short_pick_record(shipment_line=line, quantity="2")

    assert len(calls) == 2
    assert ShortPick.objects.count() == 1
    assert ShipmentLine.objects.get(shipment=shipment, location=first).quantity == 1
    assert ShipmentLine.objects.get(shipment=shipment, location=second).quantity == 2
    assert Reservation.objects.get().quantity == 3
