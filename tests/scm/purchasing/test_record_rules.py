"""The record rules of procure-to-pay, on the pages and through the API alike: what each role
reads, what it may change, and that every write applies the rule its read does (a refused
write changes nothing)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from finance.payables.models import Bill
from scm.purchasing import orders
from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchasingSettings, Receipt
from tests.finance.payables.factories import bill_for, received_order
from tests.scm.purchasing.factories import open_purchase_order
from tests.scm.purchasing.orders_helpers import draft_order, supplier_with_product

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _state(order):
    order.refresh_from_db()
    return order.state, order.total, order.lines.count(), order.notes


@pytest.fixture
def other_buyers_draft(user_with_role):
    owner = user_with_role("purchasing")
    order, _product = draft_order(owner)
    return order


# --- a buyer and another buyer's order ---------------------------------------------------------


def test_a_buyer_reads_another_buyers_order_on_the_page_and_the_api(
    client, api_client, purchasing_user, other_buyers_draft
):
    client.force_login(purchasing_user)
    api_client.force_authenticate(purchasing_user)
    assert client.get(reverse("purchasing:order_detail", args=[other_buyers_draft.pk])).status_code == 200
    assert api_client.get(f"/api/v1/purchase-orders/{other_buyers_draft.pk}/").status_code == 200


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("patch", "", {"notes": "mine now"}),
        ("put", "", {"notes": "mine now", "lines": []}),
        ("post", "submit/", {}),
        ("post", "cancel/", {"reason": "no"}),
        ("post", "close/", {"reason": "no"}),
        ("post", "send/", {}),
    ],
)
def test_a_buyer_cannot_change_another_buyers_order_through_the_api(
    api_client, purchasing_user, other_buyers_draft, method, path, body
):
    before = _state(other_buyers_draft)
    api_client.force_authenticate(purchasing_user)
    url = f"/api/v1/purchase-orders/{other_buyers_draft.pk}/{path}"
    assert getattr(api_client, method)(url, body, format="json").status_code == 403
    assert _state(other_buyers_draft) == before


@pytest.mark.parametrize(
    "name,data",
    [
        ("purchasing:order_submit", {}),
        ("purchasing:order_cancel", {"reason": "no"}),
        ("purchasing:order_close", {"reason": "no"}),
        ("purchasing:order_send", {}),
        ("purchasing:order_line_add", {"product": "", "quantity": "1"}),
    ],
)
def test_a_buyer_cannot_change_another_buyers_order_on_the_page(
    client, purchasing_user, other_buyers_draft, name, data
):
    before = _state(other_buyers_draft)
    client.force_login(purchasing_user)
    if name == "purchasing:order_line_add":
        data = {**data, "product": other_buyers_draft.lines.get().product_id}
    assert client.post(reverse(name, args=[other_buyers_draft.pk]), data).status_code == 403
    assert _state(other_buyers_draft) == before


def test_a_buyer_cannot_change_or_remove_a_line_of_another_buyers_order(
    client, purchasing_user, other_buyers_draft
):
    line = other_buyers_draft.lines.get()
    before = _state(other_buyers_draft)
    client.force_login(purchasing_user)
    args = [other_buyers_draft.pk, line.pk]
    assert (
        client.post(reverse("purchasing:order_line_update", args=args), {"quantity": "99"}).status_code == 403
    )
    assert client.post(reverse("purchasing:order_line_remove", args=args)).status_code == 403
    assert _state(other_buyers_draft) == before


def test_a_manager_changes_any_buyers_order(api_client, manager_user, other_buyers_draft):
    api_client.force_authenticate(manager_user)
    response = api_client.patch(
        f"/api/v1/purchase-orders/{other_buyers_draft.pk}/", {"notes": "checked"}, format="json"
    )
    assert response.status_code == 200 and response.json()["notes"] == "checked"


# --- sales reads no purchasing ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "purchasing:order_list",
        "purchasing:supplier_list",
        "purchasing:receipts",
        "purchasing:quarantine",
        "purchasing:today",
        "finance:bill_list",
        "finance:supplier_payment_list",
        "finance:ap_aging",
    ],
)
def test_sales_reads_no_purchasing_page(client, sales_user, name):
    client.force_login(sales_user)
    assert client.get(reverse(name)).status_code == 403


def test_sales_reads_no_purchasing_record_page(client, sales_user):
    order = received_order()
    bill = bill_for(order)
    receipt = Receipt.objects.get()
    client.force_login(sales_user)
    for url in [
        reverse("purchasing:order_detail", args=[order.pk]),
        reverse("purchasing:supplier_detail", args=[order.supplier_id]),
        reverse("purchasing:receipt_detail", args=[receipt.pk]),
        reverse("finance:bill_detail", args=[bill.pk]),
    ]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/purchase-orders/",
        "/api/v1/suppliers/",
        "/api/v1/supplier-products/",
        "/api/v1/supplier-prices/",
        "/api/v1/supplier-contacts/",
        "/api/v1/receipts/",
        "/api/v1/bills/",
        "/api/v1/supplier-payments/",
        "/api/v1/supplier-credit-notes/",
        "/api/v1/payables/aging/",
    ],
)
def test_sales_reads_no_purchasing_api(api_client, sales_user, url):
    api_client.force_authenticate(sales_user)
    assert api_client.get(url).status_code == 403


def test_sales_writes_no_purchasing_record_through_the_api(api_client, sales_user):
    order = open_purchase_order()
    api_client.force_authenticate(sales_user)
    body = {"purchase_order": order.pk, "lines": [{"po_line": order.lines.get().pk, "quantity": "1"}]}
    assert api_client.post("/api/v1/receipts/", body, format="json").status_code == 403
    assert api_client.post(f"/api/v1/purchase-orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert not Receipt.objects.exists()
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.SENT


# --- the warehouse receives, and orders nothing ------------------------------------------------


def test_the_warehouse_receives_through_the_api(api_client, warehouse_user):
    order = open_purchase_order()
    api_client.force_authenticate(warehouse_user)
    body = {
        "purchase_order": order.pk,
        "lines": [{"po_line": order.lines.get().pk, "quantity": "1"}],
        "post": True,
    }
    assert api_client.post("/api/v1/receipts/", body, format="json").status_code == 201


def test_the_warehouse_creates_no_purchase_order(client, api_client, warehouse_user):
    supplier, product = supplier_with_product()
    api_client.force_authenticate(warehouse_user)
    body = {"supplier": supplier.pk, "lines": [{"product": product.pk, "quantity": "2"}]}
    assert api_client.post("/api/v1/purchase-orders/", body, format="json").status_code == 403
    client.force_login(warehouse_user)
    data = {"supplier": supplier.pk, "product": product.pk, "quantity": "2"}
    assert client.post(reverse("purchasing:order_create"), data).status_code == 403
    assert not PurchaseOrder.objects.exists()


def test_the_warehouse_changes_no_purchase_order(api_client, warehouse_user, other_buyers_draft):
    before = _state(other_buyers_draft)
    api_client.force_authenticate(warehouse_user)
    url = f"/api/v1/purchase-orders/{other_buyers_draft.pk}/"
    assert api_client.patch(url, {"notes": "x"}, format="json").status_code == 403
    assert api_client.post(url + "submit/").status_code == 403
    assert _state(other_buyers_draft) == before


# --- finance bills, and accepts no mismatch ----------------------------------------------------


def test_finance_bills_through_the_api(api_client, finance_user):
    order = received_order()
    api_client.force_authenticate(finance_user)
    body = {
        "supplier": order.supplier_id,
        "supplier_invoice_number": "FP-1",
        "lines": [{"po_line": order.lines.get().pk, "quantity": "10"}],
    }
    assert api_client.post("/api/v1/bills/", body, format="json").status_code == 201


def test_finance_accepts_no_mismatch_on_the_page_or_the_api(client, api_client, finance_user):
    bill = bill_for(received_order(), unit_price=D("70.00"))
    assert bill.state == Bill.State.ON_HOLD
    api_client.force_authenticate(finance_user)
    assert (
        api_client.post(
            f"/api/v1/bills/{bill.pk}/accept-mismatch/", {"note": "ok"}, format="json"
        ).status_code
        == 403
    )
    client.force_login(finance_user)
    assert (
        client.post(reverse("finance:bill_accept_mismatch", args=[bill.pk]), {"note": "ok"}).status_code
        == 403
    )
    bill.refresh_from_db()
    assert bill.state == Bill.State.ON_HOLD


def test_finance_creates_and_approves_no_purchase_order(api_client, finance_user, other_buyers_draft):
    api_client.force_authenticate(finance_user)
    assert api_client.get(f"/api/v1/purchase-orders/{other_buyers_draft.pk}/").status_code == 200
    assert api_client.post(f"/api/v1/purchase-orders/{other_buyers_draft.pk}/submit/").status_code == 403


# --- approval above the threshold --------------------------------------------------------------


@pytest.fixture
def waiting_order(purchasing_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": D("1000")})
    order, _product = draft_order(purchasing_user, quantity="100", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.TO_APPROVE
    return order


def test_the_buyer_cannot_approve_their_own_order_above_the_threshold(
    client, api_client, purchasing_user, waiting_order
):
    api_client.force_authenticate(purchasing_user)
    assert api_client.post(f"/api/v1/purchase-orders/{waiting_order.pk}/approve/").status_code == 403
    client.force_login(purchasing_user)
    assert client.post(reverse("purchasing:order_approve", args=[waiting_order.pk])).status_code == 403
    waiting_order.refresh_from_db()
    assert waiting_order.state == PurchaseOrder.State.TO_APPROVE


def test_the_buyer_cannot_send_an_order_waiting_for_approval(api_client, purchasing_user, waiting_order):
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(f"/api/v1/purchase-orders/{waiting_order.pk}/send/")
    assert response.status_code == 400 and "state" in response.json()
    waiting_order.refresh_from_db()
    assert waiting_order.state == PurchaseOrder.State.TO_APPROVE


def test_raising_a_waiting_order_sends_it_back_to_draft_not_to_the_manager(
    api_client, purchasing_user, waiting_order
):
    api_client.force_authenticate(purchasing_user)
    line = waiting_order.lines.get()
    body = {"lines": [{"product": line.product_id, "quantity": "100000"}]}
    assert (
        api_client.patch(f"/api/v1/purchase-orders/{waiting_order.pk}/", body, format="json").status_code
        == 200
    )
    waiting_order.refresh_from_db()
    assert waiting_order.state == PurchaseOrder.State.DRAFT


def test_a_manager_approves_above_the_threshold(api_client, manager_user, waiting_order):
    api_client.force_authenticate(manager_user)
    response = api_client.post(f"/api/v1/purchase-orders/{waiting_order.pk}/approve/")
    assert response.status_code == 200 and response.json()["state"] == "approved"


def test_an_order_within_the_threshold_is_approved_without_a_manager(api_client, purchasing_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": D("1000")})
    order, _product = draft_order(purchasing_user, quantity="2", price="50")
    api_client.force_authenticate(purchasing_user)
    assert api_client.post(f"/api/v1/purchase-orders/{order.pk}/submit/").json()["state"] == "approved"
    assert PurchaseOrderLine.objects.filter(order=order).count() == 1
