import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from finance.payables.models import Bill
from scm.purchasing import panels as supplier_panels
from tests.finance.payables.factories import bill_for, received_order, service_bill
from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def on_hold_bill(db):
    return bill_for(received_order(), unit_price=D("70.00"), number="FP-HOLD")


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance_user", "manager_user", "purchasing_user"])
def test_finance_managers_and_purchasing_read_bills(client, request, role, on_hold_bill):
    client = _login(client, request.getfixturevalue(role))
    assert on_hold_bill.number in client.get(reverse("finance:bill_list")).content.decode()
    page = client.get(reverse("finance:bill_detail", args=[on_hold_bill.pk])).content.decode()
    assert 'data-testid="line-mismatch"' in page


@pytest.mark.parametrize("role", ["sales_user", "warehouse_user", "service_user"])
def test_others_do_not_read_bills(client, request, role, on_hold_bill):
    client = _login(client, request.getfixturevalue(role))
    assert client.get(reverse("finance:bill_list")).status_code == 403
    assert client.get(reverse("finance:bill_detail", args=[on_hold_bill.pk])).status_code == 403


def test_purchasing_does_not_see_aging_or_statements(client, purchasing_user, on_hold_bill):
    client = _login(client, purchasing_user)
    assert client.get(reverse("finance:ap_aging")).status_code == 403
    assert (
        client.get(reverse("finance:supplier_statement", args=[on_hold_bill.supplier_id])).status_code == 403
    )


def test_the_bill_list_filters_totals_and_exports(client, finance_user):
    supplier = SupplierFactory(name="华东五金")
    service_bill(supplier, "100.00", number="A-1")
    service_bill(SupplierFactory(), "50.00", number="B-1")
    client = _login(client, finance_user)
    page = client.get(reverse("finance:bill_list"), {"supplier": supplier.pk})
    assert page.status_code == 200
    assert page.context["totals"]["total"] == D("100.00")
    assert len(page.context["page_obj"].object_list) == 1
    response = client.get(reverse("finance:bill_list"), {"format": "csv", "q": "A-1"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][3] == "A-1"


def test_the_bill_list_costs_the_same_queries_for_one_or_many_bills(client, finance_user):
    client = _login(client, finance_user)
    service_bill(SupplierFactory(), "10.00")
    client.get(reverse("finance:bill_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("finance:bill_list"))
    for _ in range(8):
        bill_for(received_order())
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("finance:bill_list"))
    assert len(one) == len(many)


def test_finance_enters_a_bill_on_the_form_from_received_lines(client, finance_user):
    order = received_order()
    line = order.lines.get()
    client = _login(client, finance_user)
    offered = client.get(
        reverse("finance:bill_billable_lines"), {"supplier": order.supplier_id}
    ).content.decode()
    assert f'name="qty_{line.pk}"' in offered and order.number in offered
    response = client.post(
        reverse("finance:bill_create"),
        {
            "supplier": order.supplier_id,
            "supplier_invoice_number": "FP-9",
            "issue_date": "2026-03-01",
            f"qty_{line.pk}": "4",
            f"price_{line.pk}": "50",
        },
    )
    bill = Bill.objects.get(supplier_invoice_number="FP-9")
    assert response.status_code == 302 and bill.state == Bill.State.MATCHED and bill.subtotal == D("200.00")


def test_the_bill_form_shows_a_quantity_above_what_was_received(client, finance_user):
    order = received_order(accepted=[D("3")])
    line = order.lines.get()
    response = _login(client, finance_user).post(
        reverse("finance:bill_create"),
        {
            "supplier": order.supplier_id,
            "supplier_invoice_number": "FP-10",
            "issue_date": "2026-03-01",
            f"qty_{line.pk}": "5",
        },
    )
    assert response.status_code == 400
    assert "received into stock" in response.content.decode()
    assert not Bill.objects.exists()


def test_only_a_manager_accepts_a_mismatch_on_the_page(client, finance_user, manager_user, on_hold_bill):
    url = reverse("finance:bill_accept_mismatch", args=[on_hold_bill.pk])
    assert _login(client, finance_user).post(url, {"note": "ok"}).status_code == 403
    client.logout()
    assert _login(client, manager_user).post(url, {"note": "new price list"}).status_code == 302
    on_hold_bill.refresh_from_db()
    assert on_hold_bill.state == Bill.State.APPROVED


def test_the_payment_form_refuses_an_on_hold_bill(client, finance_user, on_hold_bill):
    response = _login(client, finance_user).post(
        reverse("finance:supplier_payment_create"),
        {
            "supplier": on_hold_bill.supplier_id,
            "amount": "10.00",
            "paid_at": "2026-03-05",
            "method": "bank_transfer",
        },
    )
    # the on-hold bill is not offered, and there is nothing else to pay
    assert response.status_code == 400
    assert "payable to this supplier" in response.content.decode()


def test_finance_pays_two_bills_on_the_form(client, finance_user):
    supplier = SupplierFactory()
    a = service_bill(supplier, "100.00")
    b = service_bill(supplier, "100.00")
    response = _login(client, finance_user).post(
        reverse("finance:supplier_payment_create"),
        {
            "supplier": supplier.pk,
            "amount": "150.00",
            "paid_at": "2026-03-05",
            "method": "bank_transfer",
            f"alloc_{a.pk}": "100",
            f"alloc_{b.pk}": "50",
        },
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.state == Bill.State.PARTLY_PAID


def test_the_aging_statement_pdf_and_net_pages_render(client, manager_user):
    supplier = SupplierFactory()
    service_bill(supplier, "100.00", issue_date=date(2026, 3, 1))
    client = _login(client, manager_user)
    assert client.get(reverse("finance:ap_aging")).status_code == 200
    statement_url = reverse("finance:supplier_statement", args=[supplier.pk])
    page = client.get(statement_url, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert page.context["statement"]["closing_balance"] == D("100.00")
    pdf = client.get(statement_url, {"format": "pdf", "date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("finance:supplier_net", args=[supplier.pk])).status_code == 200
    home = client.get(reverse("finance:invoice_list")).content.decode()
    assert 'data-testid="ar-ap-net"' in home


def test_the_supplier_360_page_has_a_payables_panel(finance_user, sales_user):
    supplier = SupplierFactory()
    service_bill(supplier, "100.00")
    panels = {p["key"]: p for p in supplier_panels.panels_for(supplier, finance_user)}
    assert panels["payables"]["balance"]["balance"] == D("100.00")
    assert "payables" not in {p["key"] for p in supplier_panels.panels_for(supplier, sales_user)}


# --- API ------------------------------------------------------------------------------------


def test_finance_creates_a_bill_through_the_api_and_a_manager_accepts_it(
    api_client, finance_user, manager_user
):
    order = received_order()
    line = order.lines.get()
    api_client.force_authenticate(finance_user)
    response = api_client.post(
        "/api/v1/bills/",
        {
            "supplier": order.supplier_id,
            "supplier_invoice_number": "API-1",
            "issue_date": "2026-03-01",
            "lines": [{"po_line": line.pk, "quantity": "10", "unit_price": "60"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "on_hold" and body["lines"][0]["match"] == "mismatch"
    url = f"/api/v1/bills/{body['id']}/accept-mismatch/"
    assert api_client.post(url, {"note": "ok"}, format="json").status_code == 403
    api_client.force_authenticate(manager_user)
    accepted = api_client.post(url, {"note": "price rise"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "approved"


def test_the_api_refuses_a_quantity_above_what_was_received(api_client, finance_user):
    order = received_order(accepted=[D("2")])
    api_client.force_authenticate(finance_user)
    response = api_client.post(
        "/api/v1/bills/",
        {
            "supplier": order.supplier_id,
            "supplier_invoice_number": "API-2",
            "lines": [{"po_line": order.lines.get().pk, "quantity": "3"}],
        },
        format="json",
    )
    assert response.status_code == 400 and "quantity" in response.json()


def test_supplier_payments_credit_notes_aging_and_statement_through_the_api(api_client, finance_user):
    supplier = SupplierFactory()
    bill = service_bill(supplier, "100.00", issue_date=date(2026, 3, 1))
    api_client.force_authenticate(finance_user)
    paid = api_client.post(
        "/api/v1/supplier-payments/",
        {
            "supplier": supplier.pk,
            "amount": "60.00",
            "paid_at": "2026-03-10",
            "allocations": [{"bill": bill.pk, "amount": "60.00"}],
        },
        format="json",
    )
    assert paid.status_code == 201, paid.content
    credited = api_client.post(
        "/api/v1/supplier-credit-notes/",
        {
            "supplier": supplier.pk,
            "bill": bill.pk,
            "amount": "10.00",
            "reason": "damaged",
            "issue_date": "2026-03-11",
        },
        format="json",
    )
    assert credited.status_code == 201, credited.content
    aging = api_client.get("/api/v1/payables/aging/", {"as_of": "2026-03-15"}).json()
    assert aging["totals"]["total"] == "30.00"
    statement = api_client.get(
        f"/api/v1/payables/{supplier.pk}/statement/", {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    ).json()
    assert statement["closing_balance"] == "30.00" and len(statement["entries"]) == 3


def test_purchasing_reads_bills_but_not_payments_through_the_api(api_client, purchasing_user):
    service_bill(SupplierFactory(), "10.00")
    api_client.force_authenticate(purchasing_user)
    assert api_client.get("/api/v1/bills/").status_code == 200
    assert api_client.get("/api/v1/supplier-payments/").status_code == 403
    assert api_client.get("/api/v1/payables/aging/").status_code == 403


def test_the_bill_api_list_costs_the_same_queries_for_one_or_many(api_client, finance_user):
    api_client.force_authenticate(finance_user)
    service_bill(SupplierFactory(), "10.00")
    api_client.get("/api/v1/bills/")
    with CaptureQueriesContext(connection) as one:
        api_client.get("/api/v1/bills/")
    for _ in range(6):
        service_bill(SupplierFactory(), "10.00")
    with CaptureQueriesContext(connection) as many:
        api_client.get("/api/v1/bills/")
    assert len(one) == len(many)


def test_a_bill_from_a_posted_receipt_bills_what_it_accepted_at_the_order_price(api_client, finance_user):
    order = received_order(accepted=[D("4")])
    receipt = order.receipts.get()
    api_client.force_authenticate(finance_user)
    response = api_client.post(
        "/api/v1/bills/",
        {"supplier": order.supplier_id, "supplier_invoice_number": "API-R", "receipts": [receipt.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "matched" and body["subtotal"] == "200.00"
    assert order.lines.get().billed_quantity == D("4")


def test_the_aging_page_lists_fifty_suppliers_a_page_and_totals_them_all(client, finance_user):
    for n in range(52):
        service_bill(SupplierFactory(name=f"供应商 {n:02d}"), "10.00")
    client.force_login(finance_user)
    first = client.get(reverse("finance:ap_aging"))
    second = client.get(reverse("finance:ap_aging"), {"page": 2})
    assert len(first.context["page_obj"].object_list) == 50
    assert len(second.context["page_obj"].object_list) == 2
    assert first.context["report"]["totals"]["total"] == D("520.00")
    assert "供应商 51" in second.content.decode() and "供应商 51" not in first.content.decode()


def test_the_supplier_statement_pdf_writes_what_is_owed_in_chinese_capitals():
    from finance.payables import selectors
    from finance.payables.documents import supplier_statement_pdf
    from tests.company_profile import company_profile_saved
    from tests.pdf_text import pdf_text

    company_profile_saved()
    supplier = SupplierFactory()
    service_bill(supplier, "3005.08", issue_date=date(2026, 3, 1))
    statement = selectors.supplier_statement(supplier.pk, date(2026, 3, 1), date(2026, 3, 31))
    text = pdf_text(supplier_statement_pdf(supplier, statement))
    assert text.startswith("北京同行商贸有限公司\n") and "Buyer\n北京同行商贸有限公司\n" in text
    assert "Amount in words\n叁仟零伍元零捌分" in text
