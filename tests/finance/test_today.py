"""Finance's "today" panels: overdue receivables, bills to pay this week, bills that do not
match (also the manager's to accept)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from finance import today
from finance.payables.models import Bill
from tests.finance.factories import CustomerFactory, make_invoice
from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def bill(due_in, state=Bill.State.APPROVED, number=None):
    d = timezone.localdate()
    return Bill.objects.create(
        number=number or f"B-{Bill.objects.count() + 1}",
        supplier=SupplierFactory(),
        supplier_invoice_number="S-1",
        issue_date=d - timedelta(days=30),
        due_date=d + timedelta(days=due_in),
        state=state,
        subtotal=Decimal("100.00"),
        total=Decimal("100.00"),
    )


def titles(context):
    return [row["title"] for row in context["rows"]]


def test_bills_to_pay_are_open_and_overdue_or_due_within_seven_days(finance_user):
    late, soon = bill(-3), bill(7)
    bill(8)
    bill(1, state=Bill.State.PAID)
    context = today.home_bills_due(None, finance_user)
    assert titles(context) == [late.number, soon.number] and context["count"] == 2


def test_the_bill_list_to_pay_lists_the_panels_bills(client, finance_user):
    due, later = bill(2), bill(20)
    client.force_login(finance_user)
    page = client.get(reverse("finance:bill_list") + "?to_pay=1").content.decode()
    assert due.number in page and later.number not in page


def test_bills_that_do_not_match_are_those_on_hold(finance_user, manager_user):
    held = bill(10, state=Bill.State.ON_HOLD)
    bill(10)
    assert titles(today.home_unmatched_bills(None, finance_user)) == [held.number]
    assert today.home_unmatched_bills(None, manager_user)["count"] == 1


def test_overdue_receivables_are_open_invoices_past_their_due_date(finance_user):
    customer = CustomerFactory()
    old = make_invoice(customer, issue_date=timezone.localdate() - timedelta(days=120))
    make_invoice(customer, issue_date=timezone.localdate())
    context = today.home_overdue_invoices(None, finance_user)
    assert titles(context) == [old.number] and context["count"] == 1
