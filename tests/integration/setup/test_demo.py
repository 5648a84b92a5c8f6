"""The whole demo company, loaded once for this module (scale 1) inside a transaction that is
rolled back afterwards."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from crm.sales.models import SalesOrder
from finance import selectors
from finance.models import Invoice
from integration.setup.demo import demo_load
from scm.inventory.management.commands.check_stock import stock_differences

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = demo_load()
        yield ctx
        transaction.set_rollback(True)


def test_demo_has_orders_older_than_a_year(demo):
    year_ago = timezone.localdate() - timedelta(days=365)
    old = SalesOrder.objects.filter(order_date__lt=year_ago)
    assert old.count() >= 30
    assert old.values("customer").distinct().count() >= 10
    assert old.filter(created_at__date__lt=year_ago).count() == old.count()


def test_demo_orders_reach_most_customers(demo):
    with_orders = SalesOrder.objects.values("customer").distinct().count()
    assert with_orders >= 25


def test_demo_invoices_carry_their_ship_dates(demo):
    today = timezone.localdate()
    from_orders = Invoice.objects.exclude(sales_order=None)
    assert from_orders.filter(issue_date__lt=today - timedelta(days=300)).exists()
    paid_late = Invoice.objects.filter(state=Invoice.State.PAID, issue_date__lt=today - timedelta(days=90))
    assert paid_late.count() >= 20


def test_demo_aging_has_money_in_every_bucket(demo):
    totals = selectors.aging()["totals"]
    assert all(totals[key] > 0 for key in ("current", "d1_30", "d31_60", "d61_90", "over_90")), totals


def test_demo_stock_matches_its_ledger(demo):
    assert stock_differences() == []


def test_demo_has_an_order_in_every_state(demo):
    states = set(SalesOrder.objects.values_list("state", flat=True))
    assert {
        "draft",
        "credit_hold",
        "reserved",
        "partly_reserved",
        "partly_shipped",
        "invoiced",
        "paid",
        "cancelled",
    } <= states, states


def test_demo_has_customers_over_their_credit_limit(demo):
    from crm.customers.models import Customer

    over = [
        c
        for c in Customer.objects.filter(credit_limit__gt=0)
        if selectors.open_receivables(customer_id=c.pk) > c.credit_limit
    ]
    assert len(over) >= 2


def test_demo_loaded_twice_adds_nothing(demo):
    orders, invoices = SalesOrder.objects.count(), Invoice.objects.count()
    demo_load()
    assert (SalesOrder.objects.count(), Invoice.objects.count()) == (orders, invoices)
