from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.events.models import Notification
from finance import payments as ar_payments
from finance import selectors as ar
from finance.payables import bills, notices, payments, selectors
from tests.finance.factories import CustomerFactory, make_invoice
from tests.finance.payables.factories import service_bill
from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal
AS_OF = date(2026, 6, 30)


def _bill_due(supplier, days_past_due, amount):
    """A bill falling due ``days_past_due`` days before AS_OF (negative: not yet due)."""
    supplier.payment_terms_days = 0
    supplier.payment_terms_month_end = False
    due = AS_OF - timedelta(days=days_past_due)
    return service_bill(supplier, amount, issue_date=due)


def test_ap_aging_puts_each_bill_in_its_bucket():
    supplier = SupplierFactory()
    for days, amount in [
        (-5, "1"),
        (0, "2"),
        (1, "10"),
        (30, "20"),
        (31, "100"),
        (60, "200"),
        (61, "1000"),
        (90, "2000"),
        (91, "10000"),
    ]:
        _bill_due(supplier, days, amount)
    row = selectors.ap_aging(as_of=AS_OF)["suppliers"][0]
    assert row["current"] == D("3.00")
    assert row["d1_30"] == D("30.00")
    assert row["d31_60"] == D("300.00")
    assert row["d61_90"] == D("3000.00")
    assert row["over_90"] == D("10000.00")
    assert row["total"] == D("13333.00")


def test_ap_and_ar_aging_share_one_bucket_definition():
    customer = CustomerFactory(payment_terms_days=0)
    make_invoice(customer, "10.00", issue_date=AS_OF - timedelta(days=45))
    _bill_due(SupplierFactory(), 45, "10.00")
    receivable = ar.aging(as_of=AS_OF)
    payable = selectors.ap_aging(as_of=AS_OF)
    assert receivable["buckets"] == payable["buckets"]
    assert receivable["customers"][0]["d31_60"] == payable["suppliers"][0]["d31_60"] == D("10.00")


def test_ap_aging_totals_and_leaves_out_paid_and_cancelled_bills():
    a, b = SupplierFactory(), SupplierFactory()
    _bill_due(a, 10, "100.00")
    paid = _bill_due(a, 10, "50.00")
    payments.supplier_payment_record(supplier=a, amount="50.00", allocations=[{"bill": paid, "amount": "50"}])
    cancelled = _bill_due(b, 10, "70.00")
    bills.bill_cancel(bill=cancelled, reason="duplicate")
    _bill_due(b, 100, "30.00")
    report = selectors.ap_aging(as_of=AS_OF)
    assert report["totals"]["d1_30"] == D("100.00")
    assert report["totals"]["over_90"] == D("30.00")
    assert report["totals"]["total"] == D("130.00")


def test_ap_aging_costs_two_queries_whatever_the_number_of_suppliers():
    for _ in range(6):
        _bill_due(SupplierFactory(), 40, "10.00")
    with CaptureQueriesContext(connection) as few:
        selectors.ap_aging(as_of=AS_OF)
    for _ in range(6):
        _bill_due(SupplierFactory(), 40, "10.00")
    with CaptureQueriesContext(connection) as many:
        selectors.ap_aging(as_of=AS_OF)
    assert len(few) == len(many) == 2


def test_the_supplier_statement_has_opening_and_closing_balances():
    supplier = SupplierFactory(payment_terms_days=30)
    service_bill(supplier, "1000.00", issue_date=date(2026, 1, 10))
    payments.supplier_payment_record(supplier=supplier, amount="400.00", paid_at=date(2026, 1, 20))
    march = service_bill(supplier, "500.00", issue_date=date(2026, 3, 5))
    payments.supplier_payment_record(supplier=supplier, amount="300.00", paid_at=date(2026, 3, 10))
    bills.supplier_credit_note_create(
        supplier=supplier, bill=march, amount="50.00", reason="short delivery", issue_date=date(2026, 3, 12)
    )
    statement = selectors.supplier_statement(supplier.pk, date(2026, 3, 1), date(2026, 3, 31))
    assert statement["opening_balance"] == D("600.00")
    assert [e.kind for e in statement["entries"]] == ["bill", "payment", "credit_note"]
    assert statement["total_debit"] == D("500.00") and statement["total_credit"] == D("350.00")
    assert statement["closing_balance"] == D("750.00")
    assert statement["entries"][-1].balance == D("750.00")


def test_the_supplier_statement_costs_fixed_queries():
    supplier = SupplierFactory()
    service_bill(supplier, "10.00", issue_date=date(2026, 3, 5))
    with CaptureQueriesContext(connection) as few:
        selectors.supplier_statement(supplier.pk, date(2026, 3, 1), date(2026, 3, 31))
    for i in range(5):
        service_bill(supplier, "10.00", issue_date=date(2026, 3, 6 + i))
        payments.supplier_payment_record(supplier=supplier, amount="5.00", paid_at=date(2026, 3, 20))
    with CaptureQueriesContext(connection) as many:
        selectors.supplier_statement(supplier.pk, date(2026, 3, 1), date(2026, 3, 31))
    assert len(few) == len(many) <= 6


def test_receivables_payables_and_net_for_a_party_that_is_customer_and_supplier():
    customer = CustomerFactory(name="上海华联贸易有限公司")
    supplier = SupplierFactory(name="上海华联贸易")  # the same company, without its legal form
    make_invoice(customer, "1000.00")
    ar_payments.payment_record(customer=customer, amount="200.00", allocations=[])
    service_bill(supplier, "300.00")
    position = selectors.party_position(supplier)
    assert [c.pk for c in position["customers"]] == [customer.pk]
    assert position["receivable"] == D("800.00")
    assert position["payable"] == D("300.00")
    assert position["net"] == D("500.00")


def test_a_supplier_that_is_not_a_customer_has_no_receivables():
    CustomerFactory(name="别的公司")
    supplier = SupplierFactory(name="独立供应商")
    service_bill(supplier, "300.00")
    position = selectors.party_position(supplier)
    assert position["customers"] == [] and position["net"] == D("-300.00")


def test_the_overall_summary_nets_receivables_and_payables():
    make_invoice(CustomerFactory(), "1000.00")
    service_bill(SupplierFactory(), "400.00")
    summary = selectors.ar_ap_summary()
    assert (summary["receivable"], summary["payable"], summary["net"]) == (
        D("1000.00"),
        D("400.00"),
        D("600.00"),
    )


def test_finance_is_told_of_bills_due_once_a_day(finance_user, user_with_role):
    other_finance = user_with_role("finance")
    sales = user_with_role("sales")
    today = timezone.localdate()
    supplier = SupplierFactory(payment_terms_days=0)
    service_bill(supplier, "100.00", issue_date=today - timedelta(days=3))  # overdue
    supplier.payment_terms_days = 5
    service_bill(supplier, "50.00", issue_date=today)  # due in 5 days
    assert notices.bills_due_notify(today=today) == 2
    assert notices.bills_due_notify(today=today) in (0, 2)  # written again: a no-op
    assert Notification.objects.filter(user=finance_user).count() == 1
    assert Notification.objects.filter(user=other_finance).count() == 1
    assert not Notification.objects.filter(user=sales).exists()
    note = Notification.objects.get(user=finance_user)
    assert note.params["overdue"] == 1 and note.params["due"] == 1
    assert note.url == reverse("finance:bill_list") + "?due=1"
    notices.bills_due_notify(today=today + timedelta(days=1))
    assert Notification.objects.filter(user=finance_user).count() == 2


def test_no_notice_when_nothing_is_due(finance_user):
    service_bill(SupplierFactory(payment_terms_days=60), "10.00", issue_date=timezone.localdate())
    assert notices.bills_due_notify() == 0
    assert not Notification.objects.exists()


def test_the_beat_schedule_runs_the_bills_due_notice(settings):
    assert settings.CELERY_BEAT_SCHEDULE["finance-bills-due"]["task"] == "finance.tasks.bills_due_notice"


def test_a_credit_note_on_the_account_lowers_what_is_owed_to_the_supplier():
    supplier = SupplierFactory()
    service_bill(supplier, "100.00")
    bills.supplier_credit_note_create(supplier=supplier, amount="30.00", reason="volume rebate")
    balance = selectors.supplier_balance(supplier_id=supplier.pk)
    assert balance["open"] == D("100.00") and balance["unapplied_credit"] == D("30.00")
    assert balance["balance"] == D("70.00")
