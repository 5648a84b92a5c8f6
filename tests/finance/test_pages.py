import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from finance import payments, services
from finance.models import Invoice, Payment
from tests.finance.factories import CustomerFactory, TeamFactory, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def invoice(db):
    return make_invoice(CustomerFactory(name="北京华联商贸有限公司"), "1000.00")


def _login(client, user):
    client.force_login(user)
    return client


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance_user", "manager_user"])
def test_finance_and_managers_see_the_invoice_list(client, request, role, invoice):
    response = _login(client, request.getfixturevalue(role)).get(reverse("finance:invoice_list"))
    assert response.status_code == 200
    assert invoice.number in response.content.decode()


@pytest.mark.parametrize("role", ["warehouse_user", "purchasing_user", "service_user"])
def test_warehouse_purchasing_and_service_have_no_access(client, request, role, invoice):
    client = _login(client, request.getfixturevalue(role))
    for url in (
        reverse("finance:invoice_list"),
        reverse("finance:invoice_detail", args=[invoice.pk]),
        reverse("finance:aging"),
        reverse("finance:customer_statement", args=[invoice.customer_id]),
    ):
        assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, invoice):
    response = client.get(reverse("finance:invoice_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_sales_rep_sees_invoices_of_own_and_team_customers_only(client, sales_user, user_with_role):
    team = TeamFactory()
    team.members.add(sales_user)
    own = make_invoice(CustomerFactory(owner=sales_user), "10.00")
    teams = make_invoice(CustomerFactory(team=team), "20.00")
    other = make_invoice(CustomerFactory(owner=user_with_role("sales")), "30.00")
    body = _login(client, sales_user).get(reverse("finance:invoice_list")).content.decode()
    assert own.number in body and teams.number in body
    assert other.number not in body
    assert client.get(reverse("finance:invoice_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("finance:invoice_detail", args=[own.pk])).status_code == 200


def test_sales_rep_cannot_record_payments(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    response = _login(client, sales_user).post(
        reverse("finance:payment_create"), {"customer": customer.pk, "amount": "10", "paid_at": "2026-01-01"}
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_manager_cannot_cancel_an_invoice(client, manager_user, invoice):
    response = _login(client, manager_user).post(
        reverse("finance:invoice_cancel", args=[invoice.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.OPEN


# --- list -----------------------------------------------------------------------------------


def test_invoice_list_filters_by_state_in_the_url(client, finance_user):
    customer = CustomerFactory()
    paid = make_invoice(customer, "10.00")
    payments.payment_record(customer=customer, amount="10.00")
    still_open = make_invoice(customer, "20.00")
    body = _login(client, finance_user).get(reverse("finance:invoice_list") + "?state=open").content.decode()
    assert still_open.number in body
    assert paid.number not in body


def test_invoice_list_overdue_filter(client, finance_user):
    from datetime import date

    customer = CustomerFactory(payment_terms_days=30)
    late = make_invoice(customer, "10.00", issue_date=date(2020, 1, 1))
    services.invoice_create(
        customer=customer, lines=[{"description": "x", "quantity": 1, "unit_price": "5", "tax_rate": 0}]
    )
    body = _login(client, finance_user).get(reverse("finance:invoice_list") + "?overdue=1").content.decode()
    assert late.number in body
    assert body.count('data-testid="invoice-row"') == 1


def test_invoice_list_shows_totals_of_the_filter(client, finance_user):
    customer = CustomerFactory()
    make_invoice(customer, "100.00")
    make_invoice(customer, "50.00")
    payments.payment_record(customer=customer, amount="30.00")
    response = _login(client, finance_user).get(reverse("finance:invoice_list") + f"?customer={customer.pk}")
    assert response.context["totals"] == {"total": D("150.00"), "paid": D("30.00"), "open": D("120.00")}


def test_invoice_list_queries_do_not_grow_with_rows(client, finance_user, django_assert_max_num_queries):
    _login(client, finance_user)
    for _ in range(3):
        make_invoice(CustomerFactory())
    # 14: the page also shows receivables, payables and net to finance (two queries), and the
    # first page a process shows reads the company's navigation order (kept after).
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("finance:invoice_list"))
    for _ in range(20):
        make_invoice(CustomerFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("finance:invoice_list")).status_code == 200


def test_sales_invoice_list_queries_are_fixed(client, sales_user, django_assert_max_num_queries):
    _login(client, sales_user)
    for _ in range(25):
        make_invoice(CustomerFactory(owner=sales_user))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("finance:invoice_list")).status_code == 200


def test_csv_export_neutralises_formulas(client, finance_user):
    customer = CustomerFactory(name='=HYPERLINK("http://evil")')
    make_invoice(customer, "10.00", source_reference="+cmd")
    response = _login(client, finance_user).get(reverse("finance:invoice_list") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][10] == "'+cmd"
    assert rows[1][6] == "10.00"


# --- detail and actions ---------------------------------------------------------------------


def test_invoice_detail_shows_lines_payments_and_credit_notes(client, finance_user, invoice):
    payments.payment_record(customer=invoice.customer, amount="100.00")
    services.credit_note_create(
        invoice=invoice,
        lines=[{"description": "退货", "quantity": 1, "unit_price": "50", "tax_rate": 0}],
        reason="破损",
    )
    body = (
        _login(client, finance_user)
        .get(reverse("finance:invoice_detail", args=[invoice.pk]))
        .content.decode()
    )
    assert "货物" in body and "PAY-" in body and "CN-" in body and "破损" in body


def test_cancel_from_the_page(client, finance_user, invoice):
    response = _login(client, finance_user).post(
        reverse("finance:invoice_cancel", args=[invoice.pk]), {"reason": "重复开票"}
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.CANCELLED


def test_credit_note_above_open_amount_shows_the_error_next_to_the_field(client, finance_user, invoice):
    response = _login(client, finance_user).post(
        reverse("finance:credit_note_create", args=[invoice.pk]),
        {"description": "退货", "amount": "2000", "tax_rate": "0", "reason": "退货"},
    )
    assert response.status_code == 400
    assert 'data-field-error="amount"' in response.content.decode()


# --- payments -------------------------------------------------------------------------------


def test_open_invoices_partial_lists_the_customers_open_invoices(client, finance_user, invoice):
    other = make_invoice(CustomerFactory(), "5.00")
    response = _login(client, finance_user).get(
        reverse("finance:payment_open_invoices") + f"?customer={invoice.customer_id}", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert invoice.number in body and other.number not in body
    assert f'name="alloc_{invoice.pk}"' in body


def test_record_payment_with_allocations_from_the_form(client, finance_user):
    customer = CustomerFactory()
    a = make_invoice(customer, "100.00")
    b = make_invoice(customer, "50.00")
    response = _login(client, finance_user).post(
        reverse("finance:payment_create"),
        {
            "customer": customer.pk,
            "amount": "130.00",
            "paid_at": "2026-02-01",
            "method": "bank_transfer",
            f"alloc_{a.pk}": "100.00",
            f"alloc_{b.pk}": "30.00",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == Invoice.State.PAID and b.paid_amount == D("30.00")


def test_over_allocation_on_the_form_is_shown_and_nothing_written(client, finance_user):
    customer = CustomerFactory()
    a = make_invoice(customer, "100.00")
    response = _login(client, finance_user).post(
        reverse("finance:payment_create"),
        {
            "customer": customer.pk,
            "amount": "200.00",
            "paid_at": "2026-02-01",
            "method": "cash",
            f"alloc_{a.pk}": "150",
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="allocations"' in response.content.decode()
    assert not Payment.objects.exists()


def test_zero_amount_on_the_form_is_shown_next_to_the_field(client, finance_user):
    customer = CustomerFactory()
    response = _login(client, finance_user).post(
        reverse("finance:payment_create"),
        {"customer": customer.pk, "amount": "0", "paid_at": "2026-02-01", "method": "cash"},
    )
    assert response.status_code == 400
    assert 'data-field-error="amount"' in response.content.decode()


# --- reports and PDFs -----------------------------------------------------------------------


def test_aging_page_shows_customers_and_totals(client, manager_user, invoice):
    response = _login(client, manager_user).get(reverse("finance:aging"))
    body = response.content.decode()
    assert "北京华联商贸有限公司" in body
    assert 'data-testid="aging-totals"' in body


def test_statement_page_and_pdf(client, finance_user, invoice):
    _login(client, finance_user)
    url = reverse("finance:customer_statement", args=[invoice.customer_id])
    page = client.get(url + "?date_from=2026-01-01&date_to=2026-12-31")
    assert page.status_code == 200
    assert page.context["statement"]["closing_balance"] == D("1000.00")
    pdf = client.get(url + "?date_from=2026-01-01&date_to=2026-12-31&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_payment_list_queries_are_fixed(client, finance_user, django_assert_max_num_queries):
    for _ in range(25):
        payments.payment_record(customer=CustomerFactory(), amount="10.00", allocations=[])
    _login(client, finance_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("finance:payment_list"))
    assert response.content.decode().count('data-testid="payment-row"') == 25


def test_aging_page_queries_are_fixed(client, finance_user, django_assert_max_num_queries):
    for _ in range(25):
        make_invoice(CustomerFactory())
    _login(client, finance_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("finance:aging")).status_code == 200


def test_sales_aging_lists_only_visible_customers(client, sales_user):
    mine = CustomerFactory(owner=sales_user, payment_terms_days=0)
    theirs = CustomerFactory(payment_terms_days=0)
    make_invoice(mine, "10.00")
    make_invoice(theirs, "20.00")
    report = _login(client, sales_user).get(reverse("finance:aging")).context["report"]
    assert [row["customer_id"] for row in report["customers"]] == [mine.pk]
    assert report["totals"]["total"] == D("10.00")


def test_sales_cannot_open_the_statement_of_another_reps_customer(client, sales_user):
    theirs = CustomerFactory()
    make_invoice(theirs)
    response = _login(client, sales_user).get(reverse("finance:customer_statement", args=[theirs.pk]))
    assert response.status_code == 404


def test_payment_form_prefills_the_date_in_the_format_date_inputs_read(client, finance_user):
    from django.utils import timezone

    body = _login(client, finance_user).get(reverse("finance:payment_create")).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in body
