"""Pick lists follow the bins: lines in pick sequence (stock not put away last), a bin scan says
where product scans take from, shipping takes the goods out of the line's bin."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from integration.fulfilment import selectors, shipping
from integration.fulfilment.models import Shipment, ShipmentLine
from integration.fulfilment.walk import lines_for_display
from scm.inventory.models import LocationStock, StockLevel, StockMove
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import make_bin, pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, django_capture_on_commit_callbacks):
    wh = three_warehouses()
    sh = wh["SH"]
    bins = {
        "A-01": make_bin(sh, "A-01", 30),
        "B-07": make_bin(sh, "B-07", 10),
        "C-02": make_bin(sh, "C-02", 20),
    }
    customer = CustomerFactory(owner=sales_user)

    def order(*lines):
        return reserved_order(customer, sales_user, django_capture_on_commit_callbacks, *lines)

    return {"wh": wh, "sh": sh, "bins": bins, "order": order}


def walk(shipment):
    shipment = selectors.shipment_with_lines(pk=shipment.pk)
    return [
        (line.location.code if line.location else None, line.product.sku, line.quantity)
        for line in lines_for_display(list(shipment.lines.all()))
    ]


def test_pick_list_lines_follow_the_bins_pick_sequence_with_stock_not_put_away_last(world):
    bins = world["bins"]
    a = ProductFactory(sku="P-A", barcode="6900000002001")
    b = ProductFactory(sku="P-B", barcode="6900000002002")
    c = ProductFactory(sku="P-C", barcode="6900000002003")
    receive_into(a, world["sh"], 5, bins["A-01"])
    receive_into(b, world["sh"], 3, bins["C-02"])
    receive_into(b, world["sh"], 4, bins["B-07"])
    receive_into(c, world["sh"], 2)  # not put away
    shipment = pick_list(world["order"]((c, 2), (a, 1), (b, 5)), world["sh"])
    assert walk(shipment) == [("B-07", "P-B", 4), ("C-02", "P-B", 1), ("A-01", "P-A", 1), (None, "P-C", 2)]


def test_a_second_pick_list_is_sent_to_the_next_bin_not_to_what_the_first_takes(world):
    bins = world["bins"]
    product = ProductFactory(sku="P-X")
    receive_into(product, world["sh"], 3, bins["B-07"])
    receive_into(product, world["sh"], 3, bins["C-02"])
    first = pick_list(world["order"]((product, 3)), world["sh"])
    second = pick_list(world["order"]((product, 3)), world["sh"])
    assert walk(first) == [("B-07", "P-X", 3)]
    assert walk(second) == [("C-02", "P-X", 3)]


def test_a_bin_scan_then_the_product_picks_from_that_bin_and_shipping_takes_it_out_of_the_bin(
    world, django_capture_on_commit_callbacks
):
    bin_ = world["bins"]["B-07"]
    product = ProductFactory(barcode="6900000002010")
    receive_into(product, world["sh"], 5, bin_)
    shipment = pick_list(world["order"]((product, 2)), world["sh"])
    with translation.override("en"):
        answer = shipping.shipment_scan(shipment=shipment, code=bin_.barcode)
    assert "B-07" in answer.message and product.name in answer.message
    assert Shipment.objects.get(pk=shipment.pk).current_location_id == bin_.pk
    shipping.shipment_scan(shipment=shipment, code=product.barcode, quantity="2")
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF1")
    assert LocationStock.objects.get(location=bin_, product=product).on_hand == 3
    move = StockMove.objects.get(kind=StockMove.Kind.SHIPMENT)
    assert (move.location_id, move.quantity) == (bin_.pk, -2)


def test_a_product_in_a_bin_needs_its_bin_scanned_first_and_nothing_is_picked(world):
    bin_ = world["bins"]["B-07"]
    product = ProductFactory(barcode="6900000002011")
    receive_into(product, world["sh"], 5, bin_)
    shipment = pick_list(world["order"]((product, 2)), world["sh"])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code=product.barcode)
    assert "B-07" in exc.value.message_dict["code"][0]
    assert ShipmentLine.objects.get(shipment=shipment).picked_quantity == 0


def test_the_bin_code_typed_instead_of_its_barcode_is_the_same_bin(world):
    bin_ = world["bins"]["C-02"]
    product = ProductFactory(barcode="6900000002012")
    receive_into(product, world["sh"], 5, bin_)
    shipment = pick_list(world["order"]((product, 1)), world["sh"])
    shipping.shipment_scan(shipment=shipment, code="c-02")
    assert Shipment.objects.get(pk=shipment.pk).current_location_id == bin_.pk


def test_a_bin_of_another_warehouse_is_refused_by_name_and_nothing_changes(world):
    product = ProductFactory(barcode="6900000002013")
    receive_into(product, world["sh"], 5, world["bins"]["B-07"])
    elsewhere = make_bin(world["wh"]["BJ"], "Z-09", 1, barcode="BJ-Z-09")
    shipment = pick_list(world["order"]((product, 1)), world["sh"])
    shipping.shipment_scan(shipment=shipment, code=world["bins"]["B-07"].barcode)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code="BJ-Z-09")
    assert "another warehouse" in exc.value.message_dict["code"][0]
    assert Shipment.objects.get(pk=shipment.pk).current_location_id == world["bins"]["B-07"].pk
    assert elsewhere.pk


def test_an_unknown_code_in_a_warehouse_with_bins_says_no_product_lot_or_bin_has_it(world):
    product = ProductFactory(barcode="6900000002014")
    receive_into(product, world["sh"], 5, world["bins"]["B-07"])
    shipment = pick_list(world["order"]((product, 1)), world["sh"])
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code="X-99-NOPE")
    assert "no product, lot or bin" in exc.value.message_dict["code"][0]


def test_stock_not_put_away_is_picked_without_a_bin_scan(world, django_capture_on_commit_callbacks):
    product = ProductFactory(barcode="6900000002015")
    receive_into(product, world["sh"], 4)
    shipment = pick_list(world["order"]((product, 2)), world["sh"])
    shipping.shipment_scan(shipment=shipment, code=product.barcode)
    shipping.shipment_scan(shipment=shipment, code=product.barcode)
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF2")
    assert StockLevel.objects.get(product=product, warehouse=world["sh"]).on_hand == 2
