"""Receiving pages and API: roles, the tablet flow, one-call receipts, fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from scm.inventory.models import StockLevel, Warehouse
from scm.purchasing import receiving
from scm.purchasing.models import PurchaseOrder, Receipt, SupplierReturn
from tests.scm.inventory.factories import ProductFactory, lot_product
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def product():
    return ProductFactory(barcode="6900000000099")


@pytest.fixture
def order(product):
    return open_purchase_order(lines=[{"product": product, "quantity": Decimal("10")}])


def posted_receipt(order, user, quantity="4", rejected=None):
    receipt = receiving.receipt_start(purchase_order=order, user=user)
    line = receiving.receipt_add_line(
        receipt=receipt, user=user, product=order.lines.get().product, quantity=quantity
    )
    results = (
        [{"line": line.pk, "rejected_quantity": rejected, "reject_reason": "damaged"}] if rejected else []
    )
    receiving.receipt_check(receipt=receipt, user=user, results=results)
    receiving.receipt_post(receipt=receipt, user=user)
    return receipt


def test_the_tablet_flow_receives_an_order(client, order, product, warehouse_user):
    client.force_login(warehouse_user)
    start = client.post(reverse("purchasing:receiving_tablet"), {"code": order.number})
    receipt = Receipt.objects.get()
    assert start.url == reverse("purchasing:receiving_tablet_count", args=[receipt.pk])
    page = client.get(start.url)
    assert page.status_code == 200 and b"data-scan-field" in page.content
    scan = client.post(
        reverse("purchasing:receiving_tablet_scan", args=[receipt.pk]),
        {"code": product.barcode, "quantity": "6"},
    )
    assert b'data-ok="1"' in scan.content
    line = receipt.lines.get()
    checked = client.post(
        reverse("purchasing:receiving_tablet_check", args=[receipt.pk]),
        {
            f"accepted_{line.pk}": "5",
            f"rejected_{line.pk}": "1",
            f"reason_{line.pk}": "torn",
            f"action_{line.pk}": "quarantine",
        },
    )
    assert checked.status_code == 302
    client.post(reverse("purchasing:receiving_tablet_post", args=[receipt.pk]))
    receipt.refresh_from_db()
    assert receipt.state == Receipt.State.POSTED
    assert StockLevel.objects.get(product=product, warehouse=order.warehouse).on_hand == 5


def test_a_refused_scan_says_why(client, order, warehouse_user):
    client.force_login(warehouse_user)
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    ProductFactory(barcode="NOT-ON-PO")
    response = client.post(
        reverse("purchasing:receiving_tablet_scan", args=[receipt.pk]), {"code": "NOT-ON-PO", "quantity": "1"}
    )
    assert b'data-ok="0"' in response.content
    assert f"is not on purchase order {order.number}".encode() in response.content


def test_an_unknown_order_number_is_told(client, warehouse_user):
    client.force_login(warehouse_user)
    response = client.post(reverse("purchasing:receiving_tablet"), {"code": "PO-NOPE"})
    assert b"No open purchase order PO-NOPE" in response.content
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("role,status", [("warehouse", 200), ("finance", 200), ("sales", 403)])
def test_receipt_pages_per_role(client, order, warehouse_user, user_with_role, role, status):
    receipt = posted_receipt(order, warehouse_user, rejected="1")
    client.force_login(user_with_role(role))
    for url in (
        reverse("purchasing:receipts"),
        reverse("purchasing:receipt_detail", args=[receipt.pk]),
        reverse("purchasing:quarantine"),
    ):
        assert client.get(url).status_code == status


def test_finance_may_not_use_the_tablet(client, finance_user):
    client.force_login(finance_user)
    assert client.get(reverse("purchasing:receiving_tablet")).status_code == 403


def test_the_receipt_list_costs_the_same_queries_for_one_or_many(client, warehouse_user, product):
    client.force_login(warehouse_user)
    url = reverse("purchasing:receipts")
    posted_receipt(open_purchase_order(lines=[{"product": product}]), warehouse_user)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _i in range(4):
        posted_receipt(open_purchase_order(lines=[{"product": ProductFactory()}]), warehouse_user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"state": "posted"})
    assert len(response.context["page_obj"]) == 5
    assert len(many) == len(one)


def test_the_quarantine_page_releases_and_returns(client, order, product, warehouse_user):
    posted_receipt(order, warehouse_user, quantity="10", rejected="4")
    level = StockLevel.objects.get(warehouse__kind=Warehouse.Kind.QUARANTINE)
    client.force_login(warehouse_user)
    page = client.get(reverse("purchasing:quarantine"))
    assert b'data-testid="quarantine-row"' in page.content
    client.post(reverse("purchasing:quarantine_action", args=[level.pk, "release"]), {"quantity": "1"})
    client.post(
        reverse("purchasing:quarantine_action", args=[level.pk, "return"]), {"quantity": "3", "reason": "bad"}
    )
    level.refresh_from_db()
    assert level.on_hand == 0
    assert StockLevel.objects.get(product=product, warehouse=order.warehouse).on_hand == 7
    assert SupplierReturn.objects.get().lines.get().quantity == 3


def test_stock_pages_show_quarantine(client, order, product, warehouse_user):
    posted_receipt(order, warehouse_user, quantity="10", rejected="4")
    client.force_login(warehouse_user)
    assert b'data-testid="quarantine-badge"' in client.get(reverse("inventory:stock")).content
    detail = client.get(reverse("inventory:product_detail", args=[product.pk]))
    assert b'data-testid="quarantine-row"' in detail.content


# --- API ------------------------------------------------------------------------------------


def test_api_receives_an_order_in_one_call(api_client, warehouse_user):
    product = lot_product()
    order = open_purchase_order(lines=[{"product": product, "quantity": Decimal("10")}])
    api_client.force_authenticate(warehouse_user)
    expiry = (timezone.localdate() + timedelta(days=200)).isoformat()
    response = api_client.post(
        "/api/v1/receipts/",
        {
            "purchase_order": order.pk,
            "lines": [
                {
                    "po_line": order.lines.get().pk,
                    "quantity": "10",
                    "lot_number": "L-API",
                    "expiry_date": expiry,
                    "accepted_quantity": "8",
                    "rejected_quantity": "2",
                    "reject_reason": "wet",
                    "reject_action": "return",
                }
            ],
            "post": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "posted" and body["number"].startswith("GR-")
    assert body["lines"][0]["accepted_quantity"] == "8.000"
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.PARTLY_RECEIVED
    assert SupplierReturn.objects.get().receipt_id == body["id"]


def test_api_refusal_names_the_field_and_writes_nothing(api_client, order, product, warehouse_user):
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        "/api/v1/receipts/",
        {"purchase_order": order.pk, "lines": [{"product": product.pk, "quantity": "99"}], "post": True},
        format="json",
    )
    assert response.status_code == 400
    assert "quantity" in response.json()
    assert not Receipt.objects.exists()


def test_api_check_and_post_actions(api_client, order, product, warehouse_user):
    api_client.force_authenticate(warehouse_user)
    created = api_client.post(
        "/api/v1/receipts/",
        {"purchase_order": order.pk, "lines": [{"product": product.pk, "quantity": "3"}]},
        format="json",
    ).json()
    assert created["state"] == "counting"
    line_id = created["lines"][0]["id"]
    checked = api_client.post(
        f"/api/v1/receipts/{created['id']}/check/",
        {"lines": [{"line": line_id, "accepted_quantity": "3"}]},
        format="json",
    )
    assert checked.json()["state"] == "checking"
    posted = api_client.post(f"/api/v1/receipts/{created['id']}/post/")
    assert posted.json()["state"] == "posted"
    again = api_client.post(f"/api/v1/receipts/{created['id']}/post/")
    assert again.status_code == 400 and "state" in again.json()


def test_api_finance_reads_but_may_not_receive(api_client, order, product, finance_user):
    api_client.force_authenticate(finance_user)
    assert api_client.get("/api/v1/receipts/").status_code == 200
    response = api_client.post("/api/v1/receipts/", {"purchase_order": order.pk}, format="json")
    assert response.status_code == 403


def test_api_list_costs_the_same_queries_for_one_or_many(api_client, warehouse_user, product):
    api_client.force_authenticate(warehouse_user)
    posted_receipt(open_purchase_order(lines=[{"product": product}]), warehouse_user)
    api_client.get("/api/v1/receipts/")
    with CaptureQueriesContext(connection) as one:
        api_client.get("/api/v1/receipts/")
    for _i in range(3):
        posted_receipt(open_purchase_order(lines=[{"product": ProductFactory()}]), warehouse_user)
    with CaptureQueriesContext(connection) as many:
        response = api_client.get("/api/v1/receipts/")
    assert response.json()["count"] == 4
    assert len(many) == len(one)


def test_receipts_are_in_the_openapi_schema(api_client, warehouse_user):
    api_client.force_authenticate(warehouse_user)
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/receipts/" in schema["paths"]
    assert "/api/v1/receipts/{id}/post/" in schema["paths"]


def test_the_receipt_page_shows_checks_returns_and_history(client, order, warehouse_user):
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    line = receiving.receipt_add_line(
        receipt=receipt, user=warehouse_user, product=order.lines.get().product, quantity="5"
    )
    receiving.receipt_check(
        receipt=receipt,
        user=warehouse_user,
        results=[
            {"line": line.pk, "rejected_quantity": "2", "reject_reason": "crushed", "reject_action": "return"}
        ],
    )
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    client.force_login(warehouse_user)
    page = client.get(reverse("purchasing:receipt_detail", args=[receipt.pk])).content.decode()
    assert "crushed" in page and SupplierReturn.objects.get().number in page
    assert f"Receipt {receipt.number} posted: 3 accepted, 2 rejected" in page


def test_the_quarantine_list_costs_the_same_queries_for_one_or_many(client, warehouse_user):
    client.force_login(warehouse_user)
    url = reverse("purchasing:quarantine")
    posted_receipt(open_purchase_order(lines=[{"product": ProductFactory()}]), warehouse_user, "5", "1")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _i in range(3):
        posted_receipt(open_purchase_order(lines=[{"product": ProductFactory()}]), warehouse_user, "5", "1")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page_obj"]) == 4
    assert len(many) == len(one)


def test_the_order_page_tells_its_receipts_in_words(client, order, warehouse_user, purchasing_user):
    receipt = posted_receipt(order, warehouse_user, rejected="1")
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_detail", args=[order.pk])).content.decode()
    assert f"Receipt {receipt.number} started" in page
    assert "%(" not in page
