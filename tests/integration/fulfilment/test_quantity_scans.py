"""A scan may carry a quantity: typed with the scan, typed after it (×24), or a box barcode;
more than is left to pick is refused with a clear message and changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from integration.fulfilment import shipping
from integration.fulfilment.models import Shipment, ShipmentLine
from scm.inventory.models import ProductUnit
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

BARCODE = "6900000004001"


@pytest.fixture
def shipment(sales_user, django_capture_on_commit_callbacks):
    sh = three_warehouses()["SH"]
    product = ProductFactory(barcode=BARCODE, base_unit="个")
    ProductUnit.objects.create(product=product, name="箱", factor=24, barcode="6900000004024")
    receive_into(product, sh, 100)
    order = reserved_order(
        CustomerFactory(owner=sales_user), sales_user, django_capture_on_commit_callbacks, (product, 30)
    )
    return pick_list(order, sh)


def picked(shipment):
    return ShipmentLine.objects.get(shipment=shipment).picked_quantity


def test_a_quantity_typed_with_the_scan_picks_that_many(shipment):
    result = shipping.shipment_scan(shipment=shipment, code=BARCODE, quantity="24")
    assert result.quantity == 24 and picked(shipment) == 24


def test_a_quantity_typed_after_the_scan_says_how_many_that_scan_was(shipment):
    shipping.shipment_scan(shipment=shipment, code=BARCODE)
    shipping.shipment_scan(shipment=shipment, code="×24")
    assert picked(shipment) == 24


def test_typing_the_same_quantity_again_does_not_pick_twice(shipment):
    shipping.shipment_scan(shipment=shipment, code=BARCODE)
    shipping.shipment_scan(shipment=shipment, code="x24")
    shipping.shipment_scan(shipment=shipment, code="", quantity="24")
    assert picked(shipment) == 24


def test_a_box_barcode_picks_the_box_and_a_typed_quantity_counts_boxes(shipment):
    shipping.shipment_scan(shipment=shipment, code="6900000004024")
    assert picked(shipment) == 24
    with pytest.raises(ValidationError):
        shipping.shipment_scan(shipment=shipment, code="*2")  # 2 boxes = 48 > 30
    assert picked(shipment) == 24


def test_a_quantity_above_what_is_left_is_refused_by_name_and_nothing_is_picked(shipment):
    shipping.shipment_scan(shipment=shipment, code=BARCODE, quantity="20")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code=BARCODE, quantity="11")
    assert "10 个 left" in exc.value.message_dict["quantity"][0]
    assert picked(shipment) == 20
    assert Shipment.objects.get(pk=shipment.pk).last_scan["count"] == "20"


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "NaN", "1e30", "²", "2.5"])
def test_a_quantity_that_is_no_whole_positive_number_is_refused_and_nothing_is_picked(shipment, bad):
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code=BARCODE, quantity=bad)
    assert "quantity" in exc.value.message_dict
    assert picked(shipment) == 0


def test_a_typed_quantity_before_any_product_scan_asks_for_the_product(shipment):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code="×5")
    assert "Scan a product first" in exc.value.message_dict["code"][0]


def test_the_scan_page_posts_the_quantity_field(shipment, client, warehouse_user):
    client.force_login(warehouse_user)
    url = reverse("fulfilment:shipment-scan", args=[shipment.pk])
    answer = client.post(url, {"code": BARCODE, "quantity": "12"}, HTTP_HX_REQUEST="true")
    assert answer["X-Scan-Result"] == "ok"
    answer = client.post(url, {"code": "", "quantity": "30"}, HTTP_HX_REQUEST="true")
    assert answer["X-Scan-Result"] == "ok"
    assert picked(shipment) == Decimal(30)
