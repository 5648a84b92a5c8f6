"""Scans a tablet may send twice (queued while offline, or sent again when the answer was lost):
with the same ``Idempotency-Key`` a scan is applied once and the repeat gets the first answer
(core.idempotency.idempotent_post on every scan endpoint)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from core.models import IdempotencyKey
from integration.fulfilment import services, shipping
from scm.inventory import counts, transfers
from scm.inventory import services as stock
from scm.inventory.models import StockLevel
from scm.purchasing import receiving
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db

BARCODE = "6900000000109"


@pytest.fixture
def pick_list(sales_user, django_capture_on_commit_callbacks):
    warehouse = three_warehouses()["SH"]
    product = ProductFactory(barcode=BARCODE, name="保温杯 500ml")
    receive(product, warehouse, 20)
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (product, 5))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    return shipping.shipment_start(order=order, warehouse=warehouse)


@pytest.fixture
def picker(warehouse_user):
    client = Client()
    client.force_login(warehouse_user)
    return client


def scan(client, url, key=None, **fields):
    headers = {"HX-Request": "true"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, fields, headers=headers)


def picked(pick_list):
    return pick_list.lines.get().picked_quantity


def test_a_pick_scan_sent_twice_with_one_key_is_applied_once(picker, pick_list):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    first = scan(picker, url, key="scan-1", code=BARCODE)
    second = scan(picker, url, key="scan-1", code=BARCODE)
    assert picked(pick_list) == 1
    assert second.status_code == first.status_code == 200


def test_the_repeat_gets_the_first_answer_with_the_views_headers(picker, pick_list):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    first = scan(picker, url, key="scan-1", code="NOT-A-CODE")
    second = scan(picker, url, key="scan-1", code="NOT-A-CODE")
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert second["X-Scan-Result"] == first["X-Scan-Result"] == "error"
    assert second["Content-Type"] == first["Content-Type"]


def test_scans_with_their_own_keys_are_each_applied(picker, pick_list):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    for key in ("a", "b", "c"):
        scan(picker, url, key=key, code=BARCODE)
    assert picked(pick_list) == 3


def test_scans_without_a_key_are_each_applied(picker, pick_list):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    scan(picker, url, code=BARCODE)
    scan(picker, url, code=BARCODE)
    assert picked(pick_list) == 2
    assert not IdempotencyKey.objects.exists()


def test_the_csrf_field_of_another_rendering_is_the_same_scan(picker, pick_list):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    scan(picker, url, key="k", code=BARCODE, csrfmiddlewaretoken="a" * 64)
    second = scan(picker, url, key="k", code=BARCODE, csrfmiddlewaretoken="b" * 64)
    assert second["Idempotent-Replayed"] == "true"
    assert picked(pick_list) == 1


def test_a_key_used_for_another_code_is_refused_with_422(picker, pick_list):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    scan(picker, url, key="k", code=BARCODE)
    other = scan(picker, url, key="k", code="6900000000110")
    assert other.status_code == 422
    assert picked(pick_list) == 1


@pytest.mark.parametrize("key", ["", "k" * 300, "键"])
def test_a_key_that_is_not_printable_ascii_is_refused_with_400(picker, pick_list, key):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    response = scan(picker, url, key=key, code=BARCODE)
    assert response.status_code == 400
    assert picked(pick_list) == 0


def test_keys_are_per_user(picker, pick_list, user_with_role):
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    other = Client()
    other.force_login(user_with_role("warehouse"))
    scan(picker, url, key="k", code=BARCODE)
    scan(other, url, key="k", code=BARCODE)
    assert picked(pick_list) == 2


def test_a_role_that_may_not_scan_claims_no_key(pick_list, sales_user):
    client = Client()
    client.force_login(sales_user)
    url = reverse("fulfilment:shipment-scan", args=[pick_list.pk])
    assert scan(client, url, key="k", code=BARCODE).status_code == 403
    assert not IdempotencyKey.objects.exists()


# --- the other scan endpoints -----------------------------------------------------------------


def test_a_receiving_scan_sent_twice_is_counted_once(picker, warehouse_user):
    product = ProductFactory(barcode=BARCODE)
    order = open_purchase_order(lines=[{"product": product, "quantity": Decimal("24")}])
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    url = reverse("purchasing:receiving_tablet_scan", args=[receipt.pk])
    scan(picker, url, key="k", code=BARCODE, quantity="6")
    second = scan(picker, url, key="k", code=BARCODE, quantity="6")
    assert second["Idempotent-Replayed"] == "true"
    assert [line.quantity for line in receipt.lines.all()] == [6]


def test_a_receive_scan_sent_twice_receives_once(picker):
    product, warehouse = ProductFactory(barcode=BARCODE), WarehouseFactory()
    url = reverse("inventory:tablet_receive_scan")
    for _ in range(2):
        scan(picker, url, key="k", code=BARCODE, warehouse=warehouse.pk, quantity="2")
    assert StockLevel.objects.get(product=product).on_hand == 2


def test_a_transfer_scan_sent_twice_adds_once(picker):
    product = ProductFactory(barcode=BARCODE)
    source, destination = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    stock.stock_receive(product=product, warehouse=source, quantity=10)
    transfer = transfers.transfer_create(source=source, destination=destination)
    url = reverse("inventory:tablet_transfer_scan", args=[transfer.pk])
    for _ in range(2):
        scan(picker, url, key="k", code=BARCODE)
    assert transfer.lines.get().quantity == 1


def test_a_count_scan_sent_twice_counts_once(picker):
    product, warehouse = ProductFactory(barcode=BARCODE), WarehouseFactory()
    stock.stock_receive(product=product, warehouse=warehouse, quantity=7)
    session = counts.count_start(warehouse=warehouse)
    url = reverse("inventory:tablet_count_scan", args=[session.pk])
    for _ in range(2):
        scan(picker, url, key="k", code=BARCODE)
    assert session.lines.get().counted == 1
