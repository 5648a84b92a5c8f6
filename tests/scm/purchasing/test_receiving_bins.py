"""Purchase receipts in a warehouse with bins: a line names the bin its goods go into (scanned
on the tablet before or after the product, or given through the API) and posting puts the
accepted goods there; rejected goods still go to quarantine."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import LocationStock, StockLevel
from scm.purchasing import receiving
from scm.purchasing.models import Receipt, ReceiptLine
from tests.scm.inventory.bins_helpers import bin_at, held
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def product():
    return ProductFactory(barcode="6900000000011")


@pytest.fixture
def order(product):
    wh = WarehouseFactory(code="BJ")
    return open_purchase_order(warehouse=wh, lines=[{"product": product, "quantity": Decimal("10")}])


def test_posting_puts_the_accepted_goods_into_the_lines_bin(order, product, warehouse_user):
    a1 = bin_at(order.warehouse, "A", 1)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    line = receiving.receipt_add_line(
        receipt=receipt, user=warehouse_user, product=product, quantity=6, location=a1
    )
    receiving.receipt_check(
        receipt=receipt,
        user=warehouse_user,
        results=[{"line": line.pk, "rejected_quantity": "2", "reject_reason": "wet"}],
    )
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert held(a1, product) == 4
    assert StockLevel.objects.get(product=product, warehouse=order.warehouse).on_hand == 4
    assert stock_differences() == []


def test_a_line_without_a_bin_is_received_into_no_bin(order, product, warehouse_user):
    bin_at(order.warehouse, "A", 1)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity=3)
    receiving.receipt_check(receipt=receipt, user=warehouse_user)
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert StockLevel.objects.get(product=product).on_hand == 3
    assert not LocationStock.objects.exists()


def test_a_bin_of_another_warehouse_is_refused_on_the_line(order, product, warehouse_user):
    elsewhere = bin_at(WarehouseFactory(code="GZ"), "A", 1)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    with pytest.raises(ValidationError) as err:
        receiving.receipt_add_line(
            receipt=receipt, user=warehouse_user, product=product, quantity=1, location=elsewhere
        )
    assert "location" in err.value.message_dict
    assert not ReceiptLine.objects.exists()


def _scan(client, receipt, code, **extra):
    data = {"code": code, "quantity": "5", **extra}
    with translation.override("en"):
        url = reverse("purchasing:receiving_tablet_scan", args=[receipt.pk])
        return client.post(url, data).content.decode()


def test_the_tablet_waits_for_the_bin_then_puts_the_line_there(client, order, product, warehouse_user):
    a1 = bin_at(order.warehouse, "A", 1)
    client.force_login(warehouse_user)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    html = _scan(client, receipt, "6900000000011")
    assert 'data-testid="suggested-bin">A-01<' in html
    assert not ReceiptLine.objects.exists()
    html = _scan(client, receipt, "BJ-A-01")
    assert 'data-ok="1"' in html
    assert ReceiptLine.objects.get().location_id == a1.pk


def test_the_tablet_refuses_an_unknown_bin_and_adds_nothing(client, order, warehouse_user):
    bin_at(order.warehouse, "A", 1)
    client.force_login(warehouse_user)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    _scan(client, receipt, "6900000000011")
    html = _scan(client, receipt, "X-404")
    assert 'data-ok="0"' in html and "Unknown location" in html
    assert not ReceiptLine.objects.exists()


def test_without_bins_the_tablet_adds_the_line_at_once(client, product, warehouse_user):
    order = open_purchase_order(
        warehouse=WarehouseFactory(), lines=[{"product": product, "quantity": Decimal("10")}]
    )
    client.force_login(warehouse_user)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    _scan(client, receipt, "6900000000011")
    assert ReceiptLine.objects.get().location_id is None


def test_the_api_receives_a_line_into_its_bin(api_client, order, product, warehouse_user):
    a1 = bin_at(order.warehouse, "A", 1)
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        "/api/v1/receipts/",
        {
            "purchase_order": order.pk,
            "post": True,
            "lines": [{"product": product.pk, "quantity": "2", "location": a1.pk}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["location"] == a1.pk
    assert held(a1, product) == 2


@pytest.mark.parametrize("value", ["²", "abc", "1.5", -1])
def test_the_api_refuses_a_bad_location_id_naming_it(api_client, order, product, warehouse_user, value):
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        "/api/v1/receipts/",
        {"purchase_order": order.pk, "lines": [{"product": product.pk, "quantity": "2", "location": value}]},
        format="json",
    )
    assert response.status_code == 400 and "location" in response.content.decode()
    assert not Receipt.objects.exists()
