"""The bad-input corpus of ``test_bad_input`` sent to every write endpoint of procure-to-pay
(suppliers and their products and prices, purchase orders and their actions, receipts with the
quality check and posting, bills, supplier payments and credit notes): each value is refused
with a 4xx naming the field, never a 500, and no row is written."""

import pytest
from rest_framework.test import APIClient

from finance.payables.models import Bill, BillLine, SupplierCreditNote, SupplierPayment
from scm.inventory.models import StockMove
from scm.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Supplier,
    SupplierContact,
    SupplierPrice,
    SupplierProduct,
)
from tests.factories import UserFactory
from tests.finance.payables.factories import received_order
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory, lot_product
from tests.scm.purchasing.factories import (
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
    open_purchase_order,
)

pytestmark = pytest.mark.django_db

NUMBERS = ["NaN", "Infinity", "-Infinity", "1e30", "1e16", "²", "abc", "0", "-1"]
IDS = ["²", "abc", "1.5", "99999999999999999999", "-1", "0", 1.5, 10**20, True]
DATES = ["2026-02-31", "9999-12-31", "31/12/2026", "0000-01-01"]
BIG = "x" * 100_000
WRITTEN = (
    Supplier,
    SupplierContact,
    SupplierProduct,
    SupplierPrice,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    StockMove,
    Bill,
    BillLine,
    SupplierPayment,
    SupplierCreditNote,
)


@pytest.fixture
def world(db):
    user = UserFactory(roles=["admin", "manager", "finance", "warehouse", "purchasing"])
    warehouse = WarehouseFactory()
    supplier = SupplierFactory(default_warehouse=warehouse)
    product = ProductFactory()
    item = SupplierProductFactory(supplier=supplier, product=product)
    price = SupplierPriceFactory(supplier_product=item)
    order = open_purchase_order(supplier=supplier, warehouse=warehouse, lines=[{"product": product}])
    received = received_order(supplier=supplier)
    lot_order = open_purchase_order(
        supplier=supplier, warehouse=warehouse, lines=[{"product": lot_product()}]
    )
    api = APIClient()
    api.force_authenticate(user)
    return {
        "user": user,
        "wh": warehouse,
        "supplier": supplier,
        "product": product,
        "item": item,
        "price": price,
        "order": order,
        "po_line": order.lines.get(),
        "received": received,
        "lot_order": lot_order,
        "received_line": received.lines.get(),
        "api": api,
    }


def rows() -> dict:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def refused(response, field: str):
    """A 4xx that names ``field``."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    assert field in response.content.decode(), response.content[:500]


def _po(w, **line):
    return {"supplier": w["supplier"].pk, "lines": [{"product": w["product"].pk, "quantity": "5", **line}]}


def _receipt(w, **line):
    return {"purchase_order": w["order"].pk, "lines": [{"po_line": w["po_line"].pk, "quantity": "1", **line}]}


def _bill(w, **line):
    return {
        "supplier": w["supplier"].pk,
        "supplier_invoice_number": "INV-BAD",
        "lines": [{"description": "运输", "quantity": "1", "unit_price": "10", **line}],
    }


def _payment(w, **kw):
    return {"supplier": w["supplier"].pk, "amount": "10", "paid_at": "2026-03-01", **kw}


def _credit(w, **kw):
    return {"supplier": w["supplier"].pk, "amount": "10", "reason": "退货", **kw}


NUMBER_ENDPOINTS = {
    "supplier terms": (
        "/api/v1/suppliers/",
        lambda w, v: {"code": "NEW", "name": "新", "payment_terms_days": v},
        "payment_terms_days",
    ),
    "supplier product pack": (
        "/api/v1/supplier-products/",
        lambda w, v: {"supplier": w["supplier"].pk, "product": ProductFactory().pk, "pack_size": v},
        "pack_size",
    ),
    "supplier product moq": (
        "/api/v1/supplier-products/",
        lambda w, v: {"supplier": w["supplier"].pk, "product": ProductFactory().pk, "min_order_quantity": v},
        "min_order_quantity",
    ),
    "supplier product lead time": (
        "/api/v1/supplier-products/",
        lambda w, v: {"supplier": w["supplier"].pk, "product": ProductFactory().pk, "lead_time_days": v},
        "lead_time_days",
    ),
    "supplier price": (
        "/api/v1/supplier-prices/",
        lambda w, v: {"supplier_product": w["item"].pk, "min_quantity": "10", "unit_price": v},
        "unit_price",
    ),
    "supplier price break": (
        "/api/v1/supplier-prices/",
        lambda w, v: {"supplier_product": w["item"].pk, "min_quantity": v, "unit_price": "10"},
        "min_quantity",
    ),
    "po quantity": ("/api/v1/purchase-orders/", lambda w, v: _po(w, quantity=v), "quantity"),
    "po price": ("/api/v1/purchase-orders/", lambda w, v: _po(w, unit_price=v), "unit_price"),
    "receipt quantity": ("/api/v1/receipts/", lambda w, v: _receipt(w, quantity=v), "quantity"),
    "receipt accepted": (
        "/api/v1/receipts/",
        lambda w, v: _receipt(w, accepted_quantity=v),
        "accepted_quantity",
    ),
    "receipt accepted, posted": (
        "/api/v1/receipts/",
        lambda w, v: {**_receipt(w, accepted_quantity=v), "post": True},
        "accepted_quantity",
    ),
    "receipt rejected": (
        "/api/v1/receipts/",
        lambda w, v: _receipt(w, rejected_quantity=v, reject_reason="破损"),
        "rejected_quantity",
    ),
    "bill quantity": ("/api/v1/bills/", lambda w, v: _bill(w, quantity=v), "quantity"),
    "bill price": ("/api/v1/bills/", lambda w, v: _bill(w, unit_price=v), "unit_price"),
    "bill tax": ("/api/v1/bills/", lambda w, v: _bill(w, tax_rate=v), "tax_rate"),
    "payment amount": ("/api/v1/supplier-payments/", lambda w, v: _payment(w, amount=v), "amount"),
    "payment allocation": (
        "/api/v1/supplier-payments/",
        lambda w, v: _payment(w, allocations=[{"bill": w["bill"].pk, "amount": v}]),
        "allocations",
    ),
    "credit note amount": ("/api/v1/supplier-credit-notes/", lambda w, v: _credit(w, amount=v), "amount"),
}


# Where zero is a fair answer (paid on delivery, no minimum, same day, the price from the first unit).
# A price of 0 on an order or bill line is refused like a negative one (a bill or an order
# line of nothing is a mistake; a free sample is not bought).
ZERO_ALLOWED = {
    "receipt accepted",
    "receipt accepted, posted",
    "bill tax",
    "receipt rejected",
    "supplier terms",
    "supplier product moq",
    "supplier product lead time",
    "supplier price break",
}


@pytest.fixture
def with_bill(world):
    from tests.finance.payables.factories import service_bill

    world["bill"] = service_bill(world["supplier"], "100.00")
    return world


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("endpoint", list(NUMBER_ENDPOINTS))
def test_the_api_refuses_a_number_no_column_holds(with_bill, endpoint, value):
    url, body, field = NUMBER_ENDPOINTS[endpoint]
    if value == "0" and endpoint in ZERO_ALLOWED:
        pytest.skip("nothing, none or no days is a number this column may hold")
    payload = body(with_bill, value)
    before = rows()
    refused(with_bill["api"].post(url, payload, format="json"), field)
    assert rows() == before


# --- ids ------------------------------------------------------------------------------------


def _json_ids(w, v):
    return [
        ("/api/v1/supplier-contacts/", {"supplier": v, "name": "王"}, "supplier"),
        ("/api/v1/supplier-products/", {"supplier": v, "product": w["product"].pk}, "supplier"),
        ("/api/v1/supplier-products/", {"supplier": w["supplier"].pk, "product": v}, "product"),
        ("/api/v1/supplier-prices/", {"supplier_product": v, "unit_price": "1"}, "supplier_product"),
        ("/api/v1/suppliers/", {"code": "N1", "name": "新", "default_warehouse": v}, "default_warehouse"),
        ("/api/v1/suppliers/", {"code": "N1", "name": "新", "buyer": v}, "buyer"),
        ("/api/v1/purchase-orders/", {"supplier": v, "lines": []}, "supplier"),
        ("/api/v1/purchase-orders/", {**_po(w), "warehouse": v}, "warehouse"),
        ("/api/v1/purchase-orders/", _po(w, product=v), "product"),
        ("/api/v1/purchase-orders/", _po(w, unit=v), "unit"),
        ("/api/v1/receipts/", {"purchase_order": v}, "purchase_order"),
        ("/api/v1/receipts/", _receipt(w, po_line=v), "po_line"),
        (
            "/api/v1/receipts/",
            {"purchase_order": w["order"].pk, "lines": [{"product": v, "quantity": "1"}]},
            "product",
        ),
        ("/api/v1/bills/", {**_bill(w), "supplier": v}, "supplier"),
        ("/api/v1/bills/", _bill(w, po_line=v), "po_line"),
        ("/api/v1/bills/", {**_bill(w), "lines": [], "receipts": [v]}, "receipts"),
        ("/api/v1/supplier-payments/", _payment(w, supplier=v), "supplier"),
        ("/api/v1/supplier-payments/", _payment(w, allocations=[{"bill": v, "amount": "10"}]), "bill"),
        ("/api/v1/supplier-credit-notes/", _credit(w, supplier=v), "supplier"),
        ("/api/v1/supplier-credit-notes/", _credit(w, bill=v), "bill"),
    ]


@pytest.mark.parametrize("value", IDS)
def test_an_id_in_a_json_body_that_is_no_id_is_a_field_error(world, value):
    before = rows()
    for url, body, field in _json_ids(world, value):
        refused(world["api"].post(url, body, format="json"), field)
    assert rows() == before


def _path_ids(v):
    return [
        ("get", f"/api/v1/suppliers/{v}/"),
        ("get", f"/api/v1/suppliers/{v}/scorecard/"),
        ("patch", f"/api/v1/suppliers/{v}/"),
        ("patch", f"/api/v1/supplier-products/{v}/"),
        ("patch", f"/api/v1/supplier-prices/{v}/"),
        ("delete", f"/api/v1/supplier-prices/{v}/"),
        ("get", f"/api/v1/purchase-orders/{v}/"),
        ("patch", f"/api/v1/purchase-orders/{v}/"),
        ("get", f"/api/v1/purchase-orders/{v}/pdf/"),
        ("get", f"/api/v1/purchase-orders/{v}/timeline/"),
        *[
            ("post", f"/api/v1/purchase-orders/{v}/{a}/")
            for a in ("submit", "approve", "reject", "send", "cancel", "close")
        ],
        ("get", f"/api/v1/receipts/{v}/"),
        ("post", f"/api/v1/receipts/{v}/check/"),
        ("post", f"/api/v1/receipts/{v}/post/"),
        ("get", f"/api/v1/bills/{v}/"),
        ("post", f"/api/v1/bills/{v}/cancel/"),
        ("post", f"/api/v1/bills/{v}/accept-mismatch/"),
        ("get", f"/api/v1/supplier-payments/{v}/"),
        ("get", f"/api/v1/supplier-credit-notes/{v}/"),
        ("get", f"/api/v1/payables/{v}/statement/"),
    ]


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999", "-1", "999999"])
def test_an_id_in_an_api_path_that_is_no_id_is_not_found(world, value):
    before = rows()
    for method, url in _path_ids(value):
        response = getattr(world["api"], method)(url, {"reason": "x", "note": "x"}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert rows() == before


QUERY_IDS = {
    "suppliers": "/api/v1/suppliers/?buyer={v}",
    "supplier products": "/api/v1/supplier-products/?supplier={v}",
    "supplier prices": "/api/v1/supplier-prices/?supplier_product={v}",
    "purchase orders": "/api/v1/purchase-orders/?supplier={v}",
    "receipts": "/api/v1/receipts/?purchase_order={v}",
    "bills": "/api/v1/bills/?supplier={v}",
    "supplier payments": "/api/v1/supplier-payments/?supplier={v}",
    "credit notes": "/api/v1/supplier-credit-notes/?supplier={v}",
    "aging": "/api/v1/payables/aging/?supplier={v}",
}


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999", "-1"])
@pytest.mark.parametrize("where", list(QUERY_IDS))
def test_an_id_in_a_list_filter_that_is_no_id_is_no_server_error(world, where, value):
    response = world["api"].get(QUERY_IDS[where].format(v=value))
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])


# --- dates ----------------------------------------------------------------------------------

DATE_ENDPOINTS = {
    "po order date": ("/api/v1/purchase-orders/", lambda w, v: {**_po(w), "order_date": v}, "order_date"),
    "po expected date": ("/api/v1/purchase-orders/", lambda w, v: _po(w, expected_date=v), "expected_date"),
    "price valid from": (
        "/api/v1/supplier-prices/",
        lambda w, v: {
            "supplier_product": w["item"].pk,
            "min_quantity": "5",
            "unit_price": "1",
            "valid_from": v,
        },
        "valid_from",
    ),
    "price valid to": (
        "/api/v1/supplier-prices/",
        lambda w, v: {
            "supplier_product": w["item"].pk,
            "min_quantity": "5",
            "unit_price": "1",
            "valid_to": v,
        },
        "valid_to",
    ),
    "lot expiry": (
        "/api/v1/receipts/",
        lambda w, v: {
            "purchase_order": w["lot_order"].pk,
            "lines": [
                {
                    "po_line": w["lot_order"].lines.get().pk,
                    "quantity": "1",
                    "lot_number": "L1",
                    "expiry_date": v,
                }
            ],
        },
        "expiry_date",
    ),
    "bill issue date": ("/api/v1/bills/", lambda w, v: {**_bill(w), "issue_date": v}, "issue_date"),
    "payment date": ("/api/v1/supplier-payments/", lambda w, v: _payment(w, paid_at=v), "paid_at"),
    "credit note date": (
        "/api/v1/supplier-credit-notes/",
        lambda w, v: _credit(w, issue_date=v),
        "issue_date",
    ),
}


@pytest.mark.parametrize("value", DATES)
@pytest.mark.parametrize("endpoint", list(DATE_ENDPOINTS))
def test_the_api_refuses_a_date_no_document_can_have(world, endpoint, value):
    url, body, field = DATE_ENDPOINTS[endpoint]
    before = rows()
    refused(world["api"].post(url, body(world, value), format="json"), field)
    assert rows() == before


@pytest.mark.parametrize("value", DATES)
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/payables/aging/?as_of={v}", "as_of"),
        ("/api/v1/payables/{s}/statement/?date_from={v}", "date_from"),
        ("/api/v1/payables/{s}/statement/?date_to={v}", "date_to"),
        ("/api/v1/suppliers/{s}/scorecard/?since={v}", "since"),
    ],
)
def test_a_report_period_with_an_impossible_date_names_the_parameter(world, url, field, value):
    refused(world["api"].get(url.format(v=value, s=world["supplier"].pk)), field)


# --- long text ------------------------------------------------------------------------------

TEXT_ENDPOINTS = {
    "supplier name": ("/api/v1/suppliers/", lambda w: {"code": "N1", "name": BIG}, "name"),
    "supplier address": (
        "/api/v1/suppliers/",
        lambda w: {"code": "N1", "name": "新", "address": BIG},
        "address",
    ),
    "contact name": (
        "/api/v1/supplier-contacts/",
        lambda w: {"supplier": w["supplier"].pk, "name": BIG},
        "name",
    ),
    "supplier code": (
        "/api/v1/supplier-products/",
        lambda w: {"supplier": w["supplier"].pk, "product": ProductFactory().pk, "supplier_code": BIG},
        "supplier_code",
    ),
    "po reference": (
        "/api/v1/purchase-orders/",
        lambda w: {**_po(w), "supplier_reference": BIG},
        "supplier_reference",
    ),
    "delivery note": ("/api/v1/receipts/", lambda w: {**_receipt(w), "delivery_note": BIG}, "delivery_note"),
    "lot number": ("/api/v1/receipts/", lambda w: _receipt(w, lot_number=BIG), "lot_number"),
    "reject reason": (
        "/api/v1/receipts/",
        lambda w: _receipt(w, rejected_quantity="1", reject_reason=BIG),
        "reject_reason",
    ),
    "bill number": (
        "/api/v1/bills/",
        lambda w: {**_bill(w), "supplier_invoice_number": BIG},
        "supplier_invoice_number",
    ),
    "bill line": ("/api/v1/bills/", lambda w: _bill(w, description=BIG), "description"),
    "payment reference": ("/api/v1/supplier-payments/", lambda w: _payment(w, reference=BIG), "reference"),
    "payment method": ("/api/v1/supplier-payments/", lambda w: _payment(w, method=BIG), "method"),
    "credit note reason": ("/api/v1/supplier-credit-notes/", lambda w: _credit(w, reason=BIG), "reason"),
}


@pytest.mark.parametrize("endpoint", list(TEXT_ENDPOINTS))
def test_text_of_100k_characters_is_refused_naming_the_field(world, endpoint):
    url, body, field = TEXT_ENDPOINTS[endpoint]
    payload = body(world)
    before = rows()
    refused(world["api"].post(url, payload, format="json"), field)
    assert rows() == before


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("reject", {"reason": BIG}, "reason"),
        ("cancel", {"reason": BIG}, "reason"),
        ("close", {"reason": BIG}, "reason"),
    ],
)
def test_a_purchase_order_reason_of_100k_characters_is_refused(world, action, body, field):
    before = rows()
    url = f"/api/v1/purchase-orders/{world['order'].pk}/{action}/"
    refused(world["api"].post(url, body, format="json"), field)
    assert rows() == before


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def web(world):
    from django.test import Client

    client = Client()
    client.force_login(world["user"])
    return client


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999", "-1", "2026-02-31", "NaN"])
@pytest.mark.parametrize(
    "url",
    [
        "/purchasing/orders/?supplier={v}",
        "/purchasing/orders/?state={v}&owner={v}&warehouse={v}",
        "/purchasing/orders/new/?supplier={v}&product={v}&quantity={v}",
        "/purchasing/orders/line-fill/?supplier={v}&product={v}&quantity={v}",
        "/api/v1/inventory/products/picker/?q={v}",
        "/api/v1/suppliers/picker/?q={v}&inactive={v}",
        "/purchasing/suppliers/?buyer={v}&page={v}",
        "/purchasing/receipts/?supplier={v}&state={v}&purchase_order={v}",
        "/purchasing/quarantine/?warehouse={v}",
        "/purchasing/receiving/?warehouse={v}",
        "/finance/payables/bills/?supplier={v}&state={v}&page={v}",
        "/finance/payables/bills/new/?supplier={v}",
        "/finance/payables/bills/billable-lines/?supplier={v}",
        "/finance/payables/payments/?supplier={v}",
        "/finance/payables/payments/new/?supplier={v}",
        "/finance/payables/payments/payable-bills/?supplier={v}",
        "/finance/payables/aging/?as_of={v}&supplier={v}",
        "/finance/payables/suppliers/{s}/statement/?date_from={v}&date_to={v}",
    ],
)
def test_pages_read_a_bad_value_in_the_query_string_without_a_server_error(world, web, url, value):
    response = web.get(url.format(v=value, s=world["supplier"].pk))
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
@pytest.mark.parametrize(
    "action",
    [
        "GET /purchasing/orders/{p}/",
        "GET /purchasing/orders/{p}/pdf/",
        "POST /purchasing/orders/{p}/submit/",
        "POST /purchasing/orders/{p}/approve/",
        "POST /purchasing/orders/{p}/reject/",
        "POST /purchasing/orders/{p}/send/",
        "POST /purchasing/orders/{p}/cancel/",
        "POST /purchasing/orders/{p}/close/",
        "POST /purchasing/orders/{p}/lines/add/",
        "POST /purchasing/orders/{p}/lines/{p}/",
        "POST /purchasing/orders/{p}/lines/{p}/remove/",
        "GET /purchasing/suppliers/{p}/",
        "GET /purchasing/suppliers/{p}/edit/",
        "POST /purchasing/suppliers/{p}/active/",
        "GET /purchasing/suppliers/{p}/contacts/new/",
        "GET /purchasing/suppliers/{p}/products/new/",
        "GET /purchasing/suppliers/{p}/products/{p}/prices/new/",
        "GET /purchasing/receipts/{p}/",
        "GET /purchasing/receiving/{p}/",
        "POST /purchasing/receiving/{p}/scan/",
        "POST /purchasing/receiving/{p}/check/",
        "POST /purchasing/receiving/{p}/post/",
        "GET /finance/payables/bills/{p}/",
        "POST /finance/payables/bills/{p}/cancel/",
        "POST /finance/payables/bills/{p}/accept-mismatch/",
        "POST /finance/payables/bills/{p}/credit-note/",
        "GET /finance/payables/suppliers/{p}/statement/",
        "GET /finance/payables/suppliers/{p}/net/",
    ],
)
def test_a_page_action_on_a_record_that_does_not_exist_is_not_found(world, web, action, pk):
    method, url = action.split()
    before = rows()
    response = getattr(web, method.lower())(url.format(p=pk), {"reason": "x", "note": "x", "quantity": "1"})
    assert response.status_code == 404, (url, response.status_code)
    assert rows() == before


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
@pytest.mark.parametrize("action", ["release", "return"])
def test_a_quarantine_action_on_stock_no_longer_there_says_so(world, web, action, pk):
    # A row of the quarantine list acted on by someone else first: back to the list with the reason.
    before = rows()
    response = web.post(
        f"/purchasing/quarantine/{pk}/{action}/", {"quantity": "1", "reason": "x"}, follow=True
    )
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    assert rows() == before
