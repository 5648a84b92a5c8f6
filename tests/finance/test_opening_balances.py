"""Opening receivables and payables: what a company moving to Tandem was owed and owed on its old
books, imported per customer and per supplier (``finance.importers``), counted in aging,
statements and credit exposure like any open invoice or approved bill; every bad cell named by
row and column, and nothing written then."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from core import tabular
from core.events import names
from core.events.models import Event
from core.navigation import items_for
from finance import importers, selectors, services
from finance.models import Invoice
from finance.payables import bills
from finance.payables import selectors as ap_selectors
from finance.payables.models import Bill
from tests.crm.customers.factories import CustomerFactory as OwnedCustomerFactory
from tests.factories import UserFactory
from tests.finance.factories import CustomerFactory, make_invoice
from tests.finance.payables.factories import received_order
from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 31)
AR_HEADER = ["customer", "document", "issue_date", "due_date", "amount", "note"]
AP_HEADER = ["supplier", "document", "issue_date", "due_date", "amount", "note"]


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _run(spec, header, rows, user, *, dry_run=False):
    return tabular.import_run(spec, header, rows, actor=user, dry_run=dry_run)


def _receivables(rows, user, **kwargs):
    return _run(importers.OPENING_RECEIVABLES, AR_HEADER, rows, user, **kwargs)


def _payables(rows, user, **kwargs):
    return _run(importers.OPENING_PAYABLES, AP_HEADER, rows, user, **kwargs)


def _errors(result) -> set[tuple]:
    return {(e["row"], e["column"]) for e in result.errors}


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- receivables ------------------------------------------------------------------------------


def test_opening_receivables_fall_in_the_aging_buckets_of_their_due_dates(finance_user):
    a, b = CustomerFactory(code="A1"), CustomerFactory(code="B1")
    result = _receivables(
        [
            ["A1", "OLD-1", "2026-03-01", "2026-04-30", "1000", ""],  # not yet due
            ["A1", "OLD-2", "2026-01-01", "2026-03-11", "200.50", ""],  # 20 days past due
            ["B1", "OLD-3", "2025-10-01", "2025-12-01", "3000", ""],  # 120 days past due
        ],
        finance_user,
    )
    assert result.ok, result.errors
    report = selectors.aging(as_of=AS_OF)
    rows = {r["customer_id"]: r for r in report["customers"]}
    assert (rows[a.pk]["current"], rows[a.pk]["d1_30"]) == (Decimal("1000.00"), Decimal("200.50"))
    assert rows[b.pk]["over_90"] == Decimal("3000.00")
    assert report["totals"]["total"] == Decimal("4200.50")


def test_an_opening_receivable_is_an_open_untaxed_invoice_marked_as_opening(finance_user):
    customer = CustomerFactory(code="A1")
    assert _receivables([["A1", "XS-88", "2026-02-01", "2026-03-03", "1,234.5", "2月货款"]], finance_user).ok
    invoice = Invoice.objects.get()
    line = invoice.lines.get()
    assert invoice.is_opening and invoice.state == Invoice.State.OPEN
    assert (invoice.customer, invoice.source_reference, invoice.sales_order) == (customer, "XS-88", None)
    assert invoice.number.startswith("INV-2026-")
    assert (invoice.total, invoice.tax_total) == (Decimal("1234.50"), Decimal("0.00"))
    assert line.description == "期初应收 / Opening balance · 2月货款" and line.tax_rate == 0
    assert invoice.created_by == finance_user


def test_an_opening_receivable_without_due_date_is_due_after_the_customers_terms(finance_user):
    CustomerFactory(code="A1", payment_terms_days=45)
    assert _receivables([["A1", "R-001", "2026-01-10", "", "500", ""]], finance_user).ok
    assert Invoice.objects.get().due_date == date(2026, 2, 24)


def test_opening_receivables_count_in_the_customers_credit_exposure(finance_user):
    customer = CustomerFactory(code="A1", credit_limit=Decimal("10000.00"))
    assert _receivables([["A1", "OLD-1", "2026-01-10", "", "8000", ""]], finance_user).ok
    exposure = selectors.credit_exposure(customer=customer, adding=Decimal("2500.00"))
    assert exposure["receivables"] == Decimal("8000.00")
    assert exposure["over_limit"]


def test_opening_receivables_are_on_the_customers_statement(finance_user):
    customer = CustomerFactory(code="A1")
    assert _receivables([["A1", "OLD-1", "2025-12-20", "", "800", ""]], finance_user).ok
    before = selectors.customer_statement(customer.pk, date(2026, 1, 1), AS_OF)
    during = selectors.customer_statement(customer.pk, date(2025, 12, 1), AS_OF)
    assert before["opening_balance"] == Decimal("800.00")
    assert [(e.kind, e.description, e.debit) for e in during["entries"]] == [
        ("invoice", "OLD-1", Decimal("800.00"))
    ]


def test_a_customer_is_found_by_its_exact_name_when_no_code_matches(finance_user):
    customer = CustomerFactory(code="A1", name="上海华联超市")
    assert _receivables([["上海华联超市", "R-002", "2026-01-10", "", "100", ""]], finance_user).ok
    assert Invoice.objects.get().customer == customer


def test_an_opening_receivable_publishes_only_invoice_created_marked_opening(finance_user):
    CustomerFactory(code="A1")
    assert _receivables([["A1", "OLD-1", "2026-01-10", "", "100", ""]], finance_user).ok
    event = Event.objects.get()
    assert event.name == names.INVOICE_CREATED and event.payload["opening"] is True


# --- payables ---------------------------------------------------------------------------------


def test_opening_payables_are_approved_bills_in_the_ap_aging_buckets(finance_user):
    supplier = SupplierFactory(code="V1")
    result = _payables(
        [
            ["V1", "FP-1", "2026-03-01", "2026-04-30", "700", ""],
            ["V1", "FP-2", "2025-11-01", "2025-12-15", "1200", "旧账"],
        ],
        finance_user,
    )
    assert result.ok, result.errors
    assert set(Bill.objects.values_list("state", "is_opening", "purchase_order")) == {
        (Bill.State.APPROVED, True, None)
    }
    row = ap_selectors.ap_aging(as_of=AS_OF)["suppliers"][0]
    assert row["supplier_id"] == supplier.pk
    assert (row["current"], row["over_90"], row["total"]) == (
        Decimal("700.00"),
        Decimal("1200.00"),
        Decimal("1900.00"),
    )
    assert Bill.objects.get(supplier_invoice_number="FP-2").notes == "旧账"


def test_an_opening_payable_without_due_date_follows_the_suppliers_month_end_terms(finance_user):
    SupplierFactory(code="V1", payment_terms_days=30, payment_terms_month_end=True)
    assert _payables([["V1", "FP-1", "2026-01-10", "", "100", ""]], finance_user).ok
    assert Bill.objects.get().due_date == date(2026, 2, 28)


def test_opening_payables_are_on_the_supplier_statement(finance_user):
    supplier = SupplierFactory(code="V1")
    assert _payables([["V1", "FP-1", "2026-01-05", "", "950", ""]], finance_user).ok
    statement = ap_selectors.supplier_statement(supplier.pk, date(2026, 1, 1), AS_OF)
    assert statement["closing_balance"] == Decimal("950.00")
    assert [e.kind for e in statement["entries"]] == ["bill"]


def test_the_same_bill_number_may_come_from_two_suppliers(finance_user):
    SupplierFactory(code="V1")
    SupplierFactory(code="V2")
    result = _payables(
        [["V1", "FP-1", "2026-01-05", "", "1", ""], ["V2", "FP-1", "2026-01-05", "", "2", ""]], finance_user
    )
    assert result.ok, result.errors
    assert Bill.objects.count() == 2


def test_an_opening_bill_cannot_be_matched_to_an_order():
    order = received_order()
    with pytest.raises(ValidationError) as exc:
        bills.bill_create(
            supplier=order.supplier,
            supplier_invoice_number="FP-1",
            lines=[{"po_line": order.lines.get().pk, "quantity": 1}],
            is_opening=True,
        )
    assert exc.value.message_dict == {"lines": ["An opening balance is matched to no order."]}
    assert not Bill.objects.exists()


# --- bad rows: row and column, nothing written ------------------------------------------------


GOOD_AR = ["A1", "OLD-0", "2026-01-10", "", "100", ""]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["NOPE", "R-003", "2026-01-10", "", "100", ""], "customer"),
        (["", "R-004", "2026-01-10", "", "100", ""], "customer"),
        (["A1", "R-005", "2026-01-10", "", "0", ""], "amount"),
        (["A1", "R-006", "2026-01-10", "", "-5", ""], "amount"),
        (["A1", "R-007", "2026-01-10", "", "0.001", ""], "amount"),
        (["A1", "R-008", "2026-01-10", "", "NaN", ""], "amount"),
        (["A1", "R-009", "2026-01-10", "", "1e30", ""], "amount"),
        (["A1", "R-010", "2026-01-10", "", "一百", ""], "amount"),
        (["A1", "R-011", "2026-01-10", "", "²", ""], "amount"),
        (["A1", "R-012", "2026-02-31", "", "100", ""], "issue_date"),
        (["A1", "R-013", "", "", "100", ""], "issue_date"),
        (["A1", "R-014", "2026-01-10", "2026-13-01", "100", ""], "due_date"),
        (["A1", "R-015", "2026-01-10", "2026-01-09", "100", ""], "due_date"),
        (["A1", "X" * 61, "2026-01-10", "", "100", ""], "document"),
        (["A1", "R-016", "2026-01-10", "", "100", "备" * 201], "note"),
        (["A1", "OLD-0", "2026-01-10", "", "100", ""], "document"),
    ],
)
def test_a_bad_receivable_is_named_by_row_and_column_and_nothing_is_written(finance_user, row, column):
    CustomerFactory(code="A1")
    result = _receivables([GOOD_AR, row], finance_user)
    assert _errors(result) == {(3, column)}, result.errors
    assert not Invoice.objects.exists()


def test_a_customer_the_importer_may_not_see_reads_as_missing():
    rep = UserFactory(roles=["sales"])
    others = OwnedCustomerFactory(code="THEIRS")
    result = _receivables([["THEIRS", "R-017", "2026-01-10", "", "100", ""]], rep)
    assert _errors(result) == {(2, "customer")}
    assert "No customer" in result.errors[0]["message"]
    assert not others.invoices.exists()


def test_a_name_shared_by_two_customers_asks_for_the_code(finance_user):
    CustomerFactory(code="A1", name="华联")
    CustomerFactory(code="A2", name="华联")
    result = _receivables([["华联", "R-018", "2026-01-10", "", "100", ""]], finance_user)
    assert _errors(result) == {(2, "customer")}
    assert "give the code" in result.errors[0]["message"]


def test_an_old_invoice_number_of_another_customers_invoice_is_refused(finance_user):
    make_invoice(CustomerFactory(code="B1"), source_reference="OLD-9")
    CustomerFactory(code="A1")
    result = _receivables([["A1", "OLD-9", "2026-01-10", "", "100", ""]], finance_user)
    assert _errors(result) == {(2, "document")}
    assert "another customer" in result.errors[0]["message"]


def test_importing_the_same_receivables_file_twice_is_refused_the_second_time(finance_user):
    CustomerFactory(code="A1")
    rows = [["A1", "OLD-1", "2026-01-10", "", "100", ""], ["A1", "OLD-2", "2026-01-11", "", "200", ""]]
    assert _receivables(rows, finance_user).ok
    again = _receivables(rows, finance_user)
    assert _errors(again) == {(2, "document"), (3, "document")}
    assert "already entered" in again.errors[0]["message"]
    assert Invoice.objects.count() == 2


GOOD_AP = ["V1", "FP-0", "2026-01-10", "", "100", ""]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["V9", "FP-1", "2026-01-10", "", "100", ""], "supplier"),
        (["V1", "", "2026-01-10", "", "100", ""], "document"),
        (["V1", "FP-0", "2026-01-10", "", "100", ""], "document"),
        (["V1", "FP-1", "2026-01-10", "", "-1", ""], "amount"),
        (["V1", "FP-1", "2026-01-10", "", "abc", ""], "amount"),
        (["V1", "FP-1", "2026-02-30", "", "100", ""], "issue_date"),
        (["V1", "FP-1", "2026-01-10", "2025-12-31", "100", ""], "due_date"),
    ],
)
def test_a_bad_payable_is_named_by_row_and_column_and_nothing_is_written(finance_user, row, column):
    SupplierFactory(code="V1")
    result = _payables([GOOD_AP, row], finance_user)
    assert _errors(result) == {(3, column)}, result.errors
    assert not Bill.objects.exists()


def test_importing_the_same_payables_file_twice_is_refused_the_second_time(finance_user):
    SupplierFactory(code="V1")
    assert _payables([GOOD_AP], finance_user).ok
    again = _payables([GOOD_AP], finance_user)
    assert _errors(again) == {(2, "document")}
    assert Bill.objects.count() == 1


def test_a_bill_number_entered_by_hand_before_is_refused(finance_user):
    supplier = SupplierFactory(code="V1")
    bills.bill_create(
        supplier=supplier,
        supplier_invoice_number="FP-0",
        lines=[{"description": "运费", "quantity": 1, "unit_price": 10}],
    )
    assert _errors(_payables([GOOD_AP], finance_user)) == {(2, "document")}


def test_a_failure_while_writing_rolls_the_whole_file_back(finance_user, monkeypatch):
    """A row that passed the check but fails when written (an invoice with its reference
    entered in the meantime) leaves none of the file's rows."""
    CustomerFactory(code="A1")
    rows = [["A1", "OLD-1", "2026-01-10", "", "100", ""], ["A1", "OLD-2", "2026-01-10", "", "100", ""]]
    real = services.opening_invoice_create

    def create(**kwargs):
        if kwargs["document"] == "OLD-2":
            make_invoice(CustomerFactory(), source_reference="OLD-2")
        return real(**kwargs)

    monkeypatch.setattr(services, "opening_invoice_create", create)
    result = _receivables(rows, finance_user)
    assert _errors(result) == {(3, "document")}
    assert not Invoice.objects.filter(is_opening=True).exists()


# --- Excel dates ------------------------------------------------------------------------------


def _upload(data: bytes, name="opening.xlsx"):
    return SimpleUploadedFile(name, data)


def test_excel_date_cells_are_read_as_their_dates(finance_user):
    CustomerFactory(code="A1")
    header, rows = tabular.read_rows(
        _upload(_xlsx([AR_HEADER, ["A1", "OLD-1", datetime(2026, 1, 10), datetime(2026, 2, 9), 100, ""]]))
    )
    assert _run(importers.OPENING_RECEIVABLES, header, rows, finance_user).ok
    invoice = Invoice.objects.get()
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 1, 10), date(2026, 2, 9))


# --- the page ---------------------------------------------------------------------------------


def test_finance_imports_opening_receivables_through_the_page_and_sees_the_badge(
    client, finance_user, django_capture_on_commit_callbacks
):
    CustomerFactory(code="A1")
    client.force_login(finance_user)
    data = "客户编码,原单号,开票日期,到期日,期初金额\nA1,OLD-1,2026-01-10,,1500\n".encode()
    response = client.post(
        reverse("finance:import"),
        {"kind": "opening_receivables", "file": SimpleUploadedFile("ar.csv", data)},
    )
    assert response.context["result"].ok, response.context["result"].errors
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("finance:import"), {"token": response.context["token"]})
    assert done.status_code == 302
    invoice = Invoice.objects.get(is_opening=True)
    assert invoice.total == Decimal("1500.00")
    listing = client.get(reverse("finance:invoice_list"))
    assert listing.content.decode().count('data-testid="opening-badge"') == 1


def test_the_page_shows_a_bad_row_by_row_and_column(client, finance_user):
    client.force_login(finance_user)
    response = client.post(
        reverse("finance:import"),
        {
            "kind": "opening_payables",
            "file": SimpleUploadedFile(
                "ap.csv", b"supplier,document,issue_date,amount\nV404,FP-1,2026-01-10,5\n"
            ),
        },
    )
    assert _errors(response.context["result"]) == {(2, "supplier")}
    assert "token" not in response.context


def test_the_bill_page_shows_an_opening_bill_as_such(client, finance_user):
    supplier = SupplierFactory()
    bill = bills.opening_bill_create(supplier=supplier, document="FP-1", amount="10", issue_date="2026-01-10")
    client.force_login(finance_user)
    response = client.get(reverse("finance:bill_detail", args=[bill.pk]))
    assert 'data-testid="opening-badge"' in response.content.decode()


def test_finance_finds_the_import_in_the_menu_and_sales_does_not(finance_user, sales_user):
    assert "finance.import" in {i["key"] for i in items_for(finance_user)}
    assert "finance.import" not in {i["key"] for i in items_for(sales_user)}


def test_the_api_tells_an_opening_invoice_from_others(api_client, finance_user):
    customer = CustomerFactory()
    make_invoice(customer)
    services.opening_invoice_create(
        customer=customer, amount="50", issue_date="2026-01-10", document="OLD-50"
    )
    api_client.force_authenticate(finance_user)
    response = api_client.get("/api/v1/invoices/")
    assert sorted(row["is_opening"] for row in response.json()["results"]) == [False, True]


def test_an_opening_receivable_without_its_old_number_is_refused_so_a_file_cannot_count_twice(finance_user):
    CustomerFactory(code="A1")
    result = _receivables([["A1", "", "2026-01-10", "", "100", ""]], finance_user)
    assert _errors(result) == {(2, "document")}
    assert not Invoice.objects.exists()
