"""A corpus of bad input posted to every form and endpoint where numbers, ids, dates and long
text enter: each is refused with a 4xx (or, on a form page, the form again) naming the field,
never a 500, and no row is written. The parsers behind it are one of each kind:
``core.money.decimal_input``, ``core.sql.as_id`` and ``core.dates.date_input``."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from crm.customers.models import Customer
from crm.sales.models import Activity, PipelineStage, Quote, SalesOrder
from finance.models import CreditNote, Invoice, Payment
from scm.inventory.models import Product, StockMove
from tests.factories import UserFactory
from tests.finance.factories import make_invoice
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

NUMBERS = ["NaN", "Infinity", "-Infinity", "1e30", "1e16", "²", "abc"]
IDS = ["²", "abc", "1.5", "99999999999999999999", "-1", "0"]
DATES = ["2026-02-31", "9999-12-31", "31/12/2026"]
BIG = "x" * 100_000
WRITTEN = (
    SalesOrder,
    Quote,
    Payment,
    Invoice,
    CreditNote,
    StockMove,
    Product,
    Customer,
    PipelineStage,
    Activity,
)


@pytest.fixture
def world(db):
    user = UserFactory(roles=["admin", "manager", "sales", "finance", "warehouse", "purchasing"])
    warehouses = three_warehouses()
    product = ProductFactory(barcode="6900000000109")
    receive(product, warehouses["SH"], 50)
    customer = CustomerFactory(owner=user)
    ContactFactory(customer=customer)
    order = make_order(customer, user, (product, 2))
    invoice = make_invoice(customer)
    api = APIClient()
    api.force_authenticate(user)
    web = Client()
    web.force_login(user)
    return {
        "user": user,
        "wh": warehouses["SH"],
        "product": product,
        "customer": customer,
        "order": order,
        "invoice": invoice,
        "api": api,
        "web": web,
    }


def rows() -> dict:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def refused(response, field: str):
    """A 4xx that names ``field``."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    assert field in response.content.decode(), response.content[:500]


def line(w, **kwargs):
    return {"product": w["product"].pk, "quantity": "1", **kwargs}


def form_lines(w, **kwargs):
    data = {
        "customer": w["customer"].pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": w["product"].pk,
        "lines-0-quantity": "1",
    }
    data.update(kwargs)
    return data


# --- numbers --------------------------------------------------------------------------------

NUMBER_ENDPOINTS = {
    "order quantity": (
        "/api/v1/sales-orders/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, quantity=v)]},
        "lines[0].quantity",
    ),
    "order price": (
        "/api/v1/sales-orders/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, unit_price=v)]},
        "lines[0].unit_price",
    ),
    "order discount": (
        "/api/v1/sales-orders/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, discount_percent=v)]},
        "lines[0].discount_percent",
    ),
    "quote quantity": (
        "/api/v1/quotes/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, quantity=v)]},
        "lines[0].quantity",
    ),
    "quote price": (
        "/api/v1/quotes/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, unit_price=v)]},
        "lines[0].unit_price",
    ),
    "quote discount": (
        "/api/v1/quotes/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, discount_percent=v)]},
        "lines[0].discount_percent",
    ),
    "place quantity": (
        "/api/v1/order-workflow/place/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, quantity=v)]},
        "lines[0].quantity",
    ),
    "place price": (
        "/api/v1/order-workflow/place/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, unit_price=v)]},
        "lines[0].unit_price",
    ),
    "place discount": (
        "/api/v1/order-workflow/place/",
        lambda w, v: {"customer": w["customer"].pk, "lines": [line(w, discount_percent=v)]},
        "lines[0].discount_percent",
    ),
    "payment amount": (
        "/api/v1/payments/",
        lambda w, v: {"customer": w["customer"].pk, "amount": v, "paid_at": "2026-01-05"},
        "amount",
    ),
    "payment allocation": (
        "/api/v1/payments/",
        lambda w, v: {
            "customer": w["customer"].pk,
            "amount": "10",
            "paid_at": "2026-01-05",
            "allocations": [{"invoice": w["invoice"].pk, "amount": v}],
        },
        "amount",
    ),
    "invoice quantity": (
        "/api/v1/invoices/",
        lambda w, v: {
            "customer": w["customer"].pk,
            "lines": [{"description": "货物", "quantity": v, "unit_price": "1"}],
        },
        "quantity",
    ),
    "invoice price": (
        "/api/v1/invoices/",
        lambda w, v: {
            "customer": w["customer"].pk,
            "lines": [{"description": "货物", "quantity": "1", "unit_price": v}],
        },
        "unit_price",
    ),
    "credit note price": (
        "/api/v1/credit-notes/",
        lambda w, v: {
            "invoice": w["invoice"].pk,
            "reason": "破损",
            "lines": [{"description": "货物", "quantity": "1", "unit_price": v}],
        },
        "unit_price",
    ),
    "receipt quantity": (
        "/api/v1/inventory/receipts/",
        lambda w, v: {"product": w["product"].pk, "warehouse": w["wh"].pk, "quantity": v},
        "quantity",
    ),
    "adjustment quantity": (
        "/api/v1/inventory/adjustments/",
        lambda w, v: {"product": w["product"].pk, "warehouse": w["wh"].pk, "quantity": v, "reason": "盘点"},
        "quantity",
    ),
    "product list price": (
        "/api/v1/inventory/products/",
        lambda w, v: {"sku": "NEW-1", "name": "新品", "list_price": v},
        "list_price",
    ),
    "unit factor": (
        "/api/v1/inventory/units/",
        lambda w, v: {"product": w["product"].pk, "name": "箱", "factor": v},
        "factor",
    ),
    "product tax rate": (
        "/api/v1/inventory/products/",
        lambda w, v: {"sku": "NEW-1", "name": "新品", "tax_rate": v},
        "tax_rate",
    ),
    "customer credit limit": (
        "/api/v1/customers/",
        lambda w, v: {"code": "NEW-1", "name": "新客户", "credit_limit": v},
        "credit_limit",
    ),
    "opportunity amount": (
        "/api/v1/opportunities/",
        lambda w, v: {"name": "大单", "customer": w["customer"].pk, "amount": v},
        "amount",
    ),
    "stage probability": (
        "/api/v1/stages/",
        lambda w, v: {"name": "新阶段", "order": 9, "probability": v},
        "probability",
    ),
}


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("endpoint", list(NUMBER_ENDPOINTS))
def test_the_api_refuses_what_is_no_number_a_column_holds(world, endpoint, value):
    url, body, field = NUMBER_ENDPOINTS[endpoint]
    before = rows()
    refused(world["api"].post(url, body(world, value), format="json"), field)
    assert rows() == before


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("field", ["quantity", "unit_price", "discount_percent"])
@pytest.mark.parametrize("page", ["/sales/orders/new/", "/sales/quotes/new/"])
def test_the_order_and_quote_forms_show_the_bad_number_next_to_its_field(world, page, field, value):
    before = rows()
    response = world["web"].post(page, form_lines(world, **{f"lines-0-{field}": value}))
    assert response.status_code < 500
    assert f'data-field-error="lines-0-{field}"'.encode() in response.content
    assert rows() == before


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("field", ["quantity", "unit_price", "discount_percent"])
def test_the_totals_partial_leaves_out_a_line_with_a_bad_number(world, field, value):
    response = world["web"].post("/sales/orders/totals/", form_lines(world, **{f"lines-0-{field}": value}))
    assert response.status_code == 200
    assert response.context["line_count"] == 0


@pytest.mark.parametrize("value", NUMBERS)
def test_the_payment_page_refuses_a_bad_amount(world, value):
    before = rows()
    data = {
        "customer": world["customer"].pk,
        "amount": value,
        "paid_at": "2026-01-05",
        "method": "bank_transfer",
    }
    response = world["web"].post("/finance/payments/new/", data)
    refused(response, "amount")
    assert response.context["form"].errors["amount"]
    assert rows() == before


@pytest.mark.parametrize("value", NUMBERS)
def test_the_tablet_receipt_scan_refuses_a_bad_quantity(world, value):
    before = rows()
    data = {"code": world["product"].barcode, "quantity": value, "warehouse": world["wh"].pk}
    response = world["web"].post("/inventory/tablet/receive/scan/", data)
    assert response.status_code == 200  # the scan field's feedback, shown in place (htmx)
    assert b'data-ok="0"' in response.content
    assert rows() == before


@pytest.mark.parametrize("value", NUMBERS)
def test_the_tablet_transfer_and_count_scans_refuse_a_bad_quantity(world, value):
    from scm.inventory import counts, transfers
    from scm.inventory.models import CountLine, TransferLine

    transfer = transfers.transfer_create(source=world["wh"], destination=three_warehouses()["BJ"])
    session = counts.count_start(warehouse=world["wh"])
    before = (rows(), TransferLine.objects.count(), CountLine.objects.filter(counted__isnull=False).count())
    data = {"code": world["product"].barcode, "quantity": value}
    for url in [
        f"/inventory/tablet/transfer/{transfer.pk}/scan/",
        f"/inventory/tablet/count/{session.pk}/scan/",
    ]:
        response = world["web"].post(url, data)
        assert response.status_code == 200 and b'data-ok="0"' in response.content, url
    after = (rows(), TransferLine.objects.count(), CountLine.objects.filter(counted__isnull=False).count())
    assert after == before


def test_a_payment_of_1e16_names_the_amount(world):
    body = {"customer": world["customer"].pk, "amount": "10000000000000000", "paid_at": "2026-01-05"}
    response = world["api"].post("/api/v1/payments/", body, format="json")
    refused(response, "amount")
    assert Payment.objects.count() == 0


# --- ids ------------------------------------------------------------------------------------


def _path_ids(w, v):
    return [
        ("post", f"/api/v1/order-workflow/{v}/confirm/"),
        ("post", f"/api/v1/event-deliveries/{v}/replay/"),
        ("get", f"/api/v1/event-deliveries/{v}/"),
        ("get", f"/api/v1/notifications/{v}/"),
        ("get", f"/api/v1/receivables/{v}/balance/"),
        ("get", f"/api/v1/receivables/{v}/statement/"),
        ("post", f"/api/v1/quotes/{v}/send/"),
        ("post", f"/api/v1/shipments/{v}/scan/"),
    ]


@pytest.mark.parametrize("value", IDS)
def test_an_id_in_an_api_path_that_is_no_id_is_not_found(world, value):
    before = rows()
    for method, url in _path_ids(world, value):
        response = getattr(world["api"], method)(url, {"code": "6900000000109"}, format="json")
        assert response.status_code == 404, (url, response.status_code)
    assert rows() == before


QUERY_IDS = {
    "pick lists": ("/api/v1/pick-lists/?warehouse={v}", "warehouse"),
    "aging": ("/api/v1/receivables/aging/?customer={v}", "customer"),
    "orders": ("/api/v1/sales-orders/?customer={v}", "customer"),
    "invoices": ("/api/v1/invoices/?customer={v}", "customer"),
    "products page": ("/inventory/?category={v}", "category"),
    "brands page": ("/inventory/?brand={v}", "brand"),
    "stock page": ("/inventory/stock/?warehouse={v}", "warehouse"),
    "tablet receive page": ("/inventory/tablet/receive/?warehouse={v}", "warehouse"),
    "payments page": ("/finance/payments/?customer={v}", "customer"),
}


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999", "-1"])
@pytest.mark.parametrize("where", list(QUERY_IDS))
def test_an_id_in_a_query_string_that_is_no_id_is_a_field_error(world, where, value):
    url, field = QUERY_IDS[where]
    client = world["api"] if url.startswith("/api/") else world["web"]
    refused(client.get(url.format(v=value)), field)


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999", "-1"])
@pytest.mark.parametrize("field", ["product", "unit"])
@pytest.mark.parametrize("page", ["/sales/orders/new/", "/sales/quotes/new/"])
def test_the_order_and_quote_forms_show_a_bad_id_next_to_its_field(world, page, field, value):
    before = rows()
    response = world["web"].post(page, form_lines(world, **{f"lines-0-{field}": value}))
    assert response.status_code < 500
    assert f'data-field-error="lines-0-{field}"'.encode() in response.content
    assert rows() == before


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999", "-1"])
@pytest.mark.parametrize(
    "url",
    [
        "/sales/orders/new/?customer={v}",
        "/sales/orders/atp/?product={v}",
        "/sales/orders/customer-info/?customer={v}",
        "/sales/orders/line-row/?lines-TOTAL_FORMS={v}",
        "/finance/payments/new/?customer={v}",
        "/finance/payments/open-invoices/?customer={v}",
        "/finance/invoices/?customer={v}",
        "/sales/opportunities/new/?customer={v}",
        "/sales/pipeline/?owner={v}",
        "/customers/?owner={v}",
        "/customers/?region={v}",
        "/customers/?team={v}",
    ],
)
def test_pages_and_partials_read_a_bad_id_in_the_query_string_as_no_id(world, url, value):
    response = world["web"].get(url.format(v=value))
    assert response.status_code in (200, 400), response.status_code


def _json_ids(w, v):
    return [
        ("/api/v1/sales-orders/", {"customer": v, "lines": [line(w)]}, "customer"),
        ("/api/v1/order-workflow/place/", {"customer": v, "lines": [line(w)]}, "customer"),
        ("/api/v1/quotes/", {"customer": v, "lines": [line(w)]}, "customer"),
        (
            "/api/v1/sales-orders/",
            {"customer": w["customer"].pk, "lines": [{"product": v, "quantity": "1"}]},
            "product",
        ),
        ("/api/v1/sales-orders/", {"customer": w["customer"].pk, "lines": [line(w, unit=v)]}, "unit"),
        ("/api/v1/payments/", {"customer": v, "amount": "1", "paid_at": "2026-01-05"}, "customer"),
        (
            "/api/v1/payments/",
            {
                "customer": w["customer"].pk,
                "amount": "1",
                "paid_at": "2026-01-05",
                "allocations": [{"invoice": v, "amount": "1"}],
            },
            "invoice",
        ),
        ("/api/v1/shipments/", {"order": v, "warehouse": w["wh"].pk}, "order"),
        ("/api/v1/shipments/", {"order": w["order"].pk, "warehouse": v}, "warehouse"),
        ("/api/v1/notifications/read/", {"ids": [v]}, "ids"),
        ("/api/v1/inventory/receipts/", {"product": v, "warehouse": w["wh"].pk, "quantity": "1"}, "product"),
        ("/api/v1/activities/", {"kind": "call", "subject": "电话", "customer": v}, "customer"),
    ]


@pytest.mark.parametrize("value", IDS + [1.5, -1, 10**20, True])
def test_an_id_in_a_json_body_that_is_no_id_is_a_field_error(world, value):
    before = rows()
    for url, body, field in _json_ids(world, value):
        refused(world["api"].post(url, body, format="json"), field)
    assert rows() == before


def test_customer_1_5_is_not_read_as_customer_1(world):
    # 1.5 for customer 1: the customer's id and a half, which int() would read as the customer.
    body = {"customer": world["customer"].pk + 0.5, "lines": [line(world)]}
    before = rows()
    refused(world["api"].post("/api/v1/sales-orders/", body, format="json"), "customer")
    assert rows() == before


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "99999999999999999999"])
def test_page_posts_with_a_bad_id_are_refused(world, value):
    web = world["web"]
    before = rows()
    assert web.post("/events/notifications/read/", {"id": value}).status_code == 400
    assert (
        web.post("/sales/activities/new/", {"kind": "call", "subject": "电话", "customer": value}).status_code
        == 404
    )
    assert web.post("/sales/opportunities/1/move/", {"stage": value}).status_code == 404
    response = web.post(
        "/finance/payments/new/",
        {"customer": value, "amount": "1", "paid_at": "2026-01-05", "method": "bank_transfer"},
    )
    refused(response, "customer")
    assert rows() == before


@pytest.mark.parametrize(
    "url",
    [
        "/sales/orders/999999/",
        "/sales/quotes/999999/",
        "/customers/999999/",
        "/customers/99999999999999999999/",
        "/inventory/products/999999/",
        "/finance/invoices/999999/",
        "/fulfilment/shipments/999999/",
        "/sales/opportunities/999999/",
        "/sales/leads/999999/",
    ],
)
def test_a_page_for_a_record_that_does_not_exist_is_not_found(world, url):
    assert world["web"].get(url).status_code == 404


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
@pytest.mark.parametrize(
    "action",
    [
        "POST /fulfilment/orders/{p}/confirm/",
        "POST /fulfilment/orders/{p}/release-hold/",
        "POST /fulfilment/orders/{p}/cancel/",
        "POST /fulfilment/orders/{p}/reserve-again/",
        "POST /fulfilment/orders/{p}/shorten/",
        "GET /fulfilment/orders/{p}/shorten/",
        "POST /fulfilment/picking/{p}/{p}/start/",
        "GET /fulfilment/shipments/{p}/",
        "POST /fulfilment/shipments/{p}/scan/",
        "POST /fulfilment/shipments/{p}/ship/",
        "POST /fulfilment/shipment-lines/{p}/short/",
        "GET /fulfilment/picking/batches/{p}/",
        "POST /fulfilment/picking/batches/{p}/scan/",
        "POST /fulfilment/picking/batches/{p}/ship/",
        "POST /fulfilment/picking/batches/{p}/finish/",
        "GET /fulfilment/shipments/{p}/delivery-note.pdf",
        "GET /fulfilment/shipment-lines/{p}/return/",
        "POST /fulfilment/shipment-lines/{p}/return/",
        "POST /sales/quotes/{p}/send/",
        "POST /sales/quotes/{p}/accept/",
        "POST /sales/quotes/{p}/cancel/",
        "GET /sales/quotes/{p}/pdf/",
        "GET /sales/quotes/{p}/edit/",
        "GET /sales/orders/{p}/edit/",
        "GET /sales/orders/{p}/pdf/",
        "GET /finance/invoices/{p}/pdf/",
        "POST /finance/invoices/{p}/cancel/",
        "POST /finance/invoices/{p}/credit-note/",
        "GET /finance/customers/{p}/statement/",
        "GET /inventory/lots/{p}/",
        "GET /inventory/transfers/{p}/",
        "POST /inventory/transfers/{p}/ship/",
        "GET /inventory/counts/{p}/",
        "POST /inventory/counts/{p}/approve/",
        "GET /inventory/tablet/transfer/{p}/",
        "POST /inventory/tablet/transfer/{p}/scan/",
        "GET /inventory/tablet/count/{p}/",
        "POST /inventory/tablet/count/{p}/scan/",
        "GET /inventory/products/{p}/",
        "GET /inventory/products/{p}/edit/",
        "GET /customers/{p}/edit/",
        "GET /customers/{p}/contacts/new/",
        "GET /customers/{p}/contacts/{p}/",
        "POST /customers/duplicates/{p}/",
        "GET /sales/leads/{p}/edit/",
        "POST /sales/leads/{p}/convert/",
        "POST /sales/tasks/{p}/done/",
        "POST /sales/opportunities/{p}/move/",
        "POST /sales/opportunities/{p}/close/",
        "GET /sales/opportunities/{p}/edit/",
        "POST /events/deliveries/{p}/replay/",
    ],
)
def test_a_page_action_on_a_record_that_does_not_exist_is_not_found(world, action, pk):
    method, url = action.split()
    before = rows()
    assert getattr(world["web"], method.lower())(url.format(p=pk)).status_code == 404
    assert rows() == before


# --- dates ----------------------------------------------------------------------------------

DATE_ENDPOINTS = {
    "order requested date": (
        "/api/v1/sales-orders/",
        lambda w, v: {"customer": w["customer"].pk, "requested_date": v, "lines": [line(w)]},
        "requested_date",
    ),
    "quote valid until": (
        "/api/v1/quotes/",
        lambda w, v: {"customer": w["customer"].pk, "valid_until": v, "lines": [line(w)]},
        "valid_until",
    ),
    "invoice issue date": (
        "/api/v1/invoices/",
        lambda w, v: {
            "customer": w["customer"].pk,
            "issue_date": v,
            "lines": [{"description": "货物", "quantity": "1", "unit_price": "1"}],
        },
        "issue_date",
    ),
    "payment date": (
        "/api/v1/payments/",
        lambda w, v: {"customer": w["customer"].pk, "amount": "1", "paid_at": v},
        "paid_at",
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
        ("/api/v1/receivables/aging/?as_of={v}", "as_of"),
        ("/api/v1/receivables/{c}/statement/?date_from={v}", "date_from"),
        ("/api/v1/receivables/{c}/statement/?date_to={v}", "date_to"),
        ("/finance/aging/?as_of={v}", "as_of"),
        ("/finance/customers/{c}/statement/?date_from={v}", "date_from"),
        ("/finance/customers/{c}/statement/?date_to={v}", "date_to"),
    ],
)
def test_a_report_period_with_an_impossible_date_names_the_parameter(world, url, field, value):
    client = world["api"] if url.startswith("/api/") else world["web"]
    refused(client.get(url.format(v=value, c=world["customer"].pk)), field)


@pytest.mark.parametrize("value", DATES)
def test_the_date_fields_of_pages_refuse_a_date_no_document_can_have(world, value):
    before = rows()
    data = {"customer": world["customer"].pk, "amount": "1", "paid_at": value, "method": "bank_transfer"}
    response = world["web"].post("/finance/payments/new/", data)
    refused(response, "paid_at")
    response = world["web"].post("/sales/orders/new/", form_lines(world, requested_date=value))
    assert response.status_code < 500 and response.context["header"].errors["requested_date"]
    assert rows() == before


# --- long text ------------------------------------------------------------------------------


def test_a_shipping_address_of_100k_characters_is_refused_by_the_api_as_by_the_form(world):
    before = rows()
    body = {"customer": world["customer"].pk, "shipping_address": BIG, "lines": [line(world)]}
    refused(world["api"].post("/api/v1/sales-orders/", body, format="json"), "shipping_address")
    response = world["web"].post("/sales/orders/new/", form_lines(world, shipping_address=BIG))
    assert response.context["header"].errors["shipping_address"]
    assert rows() == before


def test_a_line_whose_amount_no_column_holds_is_refused(world):
    body = {
        "customer": world["customer"].pk,
        "lines": [line(world, quantity="999999999", unit_price="999999999999")],
    }
    refused(world["api"].post("/api/v1/sales-orders/", body, format="json"), "lines[0].quantity")
    assert SalesOrder.objects.count() == 1


def test_the_parsers_behind_the_corpus_are_one_of_each_kind():
    from core.dates import date_input
    from core.money import decimal_input
    from core.sql import as_id

    assert [as_id(v) for v in ["12", 12, "²", "1.5", "abc", 1.5, "99999999999999999999", "٣"]] == [
        12,
        12,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert decimal_input("1,234.50", field="amount") == Decimal("1234.50")
    for bad in ["2026-02-31", "9999-12-31"]:
        with pytest.raises(Exception) as err:
            date_input(bad, field="issue_date")
        assert list(err.value.message_dict) == ["issue_date"]
