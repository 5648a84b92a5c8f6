from datetime import date, timedelta
from decimal import Decimal

import pytest

from finance import payments, selectors, services
from tests.finance.factories import CustomerFactory, line, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal
AS_OF = date(2026, 6, 30)


def _invoice_days_past_due(customer, days, amount):
    """An invoice whose due date is ``days`` before AS_OF (terms 0: due on issue)."""
    return make_invoice(customer, amount, issue_date=AS_OF - timedelta(days=days))


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "current"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "over_90"),
    ],
)
def test_aging_bucket_boundaries(days, bucket):
    customer = CustomerFactory(payment_terms_days=0)
    _invoice_days_past_due(customer, days, "10.00")
    report = selectors.aging(as_of=AS_OF)
    row = report["customers"][0]
    assert row[bucket] == D("10.00")
    assert sum(row[key] for key in report["buckets"]) == D("10.00")


def test_aging_not_yet_due_is_current():
    customer = CustomerFactory(payment_terms_days=30)
    make_invoice(customer, "10.00", issue_date=AS_OF - timedelta(days=5))
    assert selectors.aging(as_of=AS_OF)["customers"][0]["current"] == D("10.00")


def test_aging_counts_open_amount_per_customer_and_totals():
    a = CustomerFactory(payment_terms_days=0)
    b = CustomerFactory(payment_terms_days=0)
    inv = _invoice_days_past_due(a, 10, "100.00")
    payments.payment_record(customer=a, amount="40.00", allocations=[{"invoice": inv, "amount": "40"}])
    _invoice_days_past_due(a, 100, "50.00")
    _invoice_days_past_due(b, 45, "30.00")
    paid = _invoice_days_past_due(b, 45, "70.00")
    payments.payment_record(customer=b, amount="70.00", allocations=[{"invoice": paid, "amount": "70"}])
    report = selectors.aging(as_of=AS_OF)
    rows = {r["customer_id"]: r for r in report["customers"]}
    assert rows[a.pk]["d1_30"] == D("60.00")
    assert rows[a.pk]["over_90"] == D("50.00")
    assert rows[a.pk]["total"] == D("110.00")
    assert rows[b.pk]["d31_60"] == D("30.00")
    assert report["totals"]["total"] == D("140.00")


def test_aging_leaves_out_cancelled_invoices():
    customer = CustomerFactory(payment_terms_days=0)
    invoice = _invoice_days_past_due(customer, 10, "100.00")
    services.invoice_cancel(invoice=invoice, reason="作废", user=None)
    assert selectors.aging(as_of=AS_OF)["customers"] == []


def test_open_receivables_subtracts_unapplied_credit():
    customer = CustomerFactory()
    make_invoice(customer, "100.00")
    make_invoice(customer, "50.00")
    payments.payment_record(customer=customer, amount="30.00", allocations=[])
    assert selectors.open_receivables(customer_id=customer.pk) == D("120.00")


def test_customer_balance_shows_overdue_and_credit():
    customer = CustomerFactory(payment_terms_days=10)
    make_invoice(customer, "100.00", issue_date=AS_OF - timedelta(days=20))
    make_invoice(customer, "40.00", issue_date=AS_OF)
    payments.payment_record(customer=customer, amount="5.00", allocations=[])
    balance = selectors.customer_balance(customer_id=customer.pk, as_of=AS_OF)
    assert balance == {
        "open": D("140.00"),
        "overdue": D("100.00"),
        "unapplied_credit": D("5.00"),
        "balance": D("135.00"),
    }


def test_statement_running_balance():
    customer = CustomerFactory()
    make_invoice(customer, "100.00", issue_date=date(2026, 1, 5))  # before the period
    inv = make_invoice(customer, "200.00", issue_date=date(2026, 2, 3))
    payments.payment_record(customer=customer, amount="150.00", paid_at=date(2026, 2, 10))
    services.credit_note_create(
        invoice=inv, lines=[line("20.00")], reason="折让", issue_date=date(2026, 2, 12)
    )
    make_invoice(customer, "30.00", issue_date=date(2026, 3, 5))  # after the period
    statement = selectors.customer_statement(customer.pk, date(2026, 2, 1), date(2026, 2, 28))
    assert statement["opening_balance"] == D("100.00")
    assert [(e.kind, e.balance) for e in statement["entries"]] == [
        ("invoice", D("300.00")),
        ("payment", D("150.00")),
        ("credit_note", D("130.00")),
    ]
    assert statement["closing_balance"] == D("130.00")
    assert selectors.open_receivables(customer_id=customer.pk) == D("160.00")


def test_credit_exposure_within_the_limit():
    customer = CustomerFactory(credit_limit=D("1000.00"))
    make_invoice(customer, "300.00")
    exposure = selectors.credit_exposure(customer=customer, adding=D("200.00"))
    assert exposure == {
        "limit": D("1000.00"),
        "receivables": D("300.00"),
        "open_orders": D("0.00"),
        "adding": D("200.00"),
        "exposure": D("500.00"),
        "available": D("500.00"),
        "over_limit": False,
    }


def test_credit_exposure_over_the_limit():
    customer = CustomerFactory(credit_limit=D("1000.00"))
    make_invoice(customer, "900.00")
    exposure = selectors.credit_exposure(customer=customer, adding=D("100.01"))
    assert exposure["over_limit"] is True
    assert exposure["available"] == D("-0.01")
