"""Numbers and idempotency under real concurrency (PostgreSQL, one connection per thread)."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from finance import payments, services
from finance.models import Invoice
from tests.finance.factories import CustomerFactory, line

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_concurrent_invoices_get_distinct_consecutive_numbers():
    customer = CustomerFactory()

    @_in_thread
    def create(_):
        return services.invoice_create(customer=customer, lines=[line("10.00")]).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(create, range(24)))
    assert len(set(numbers)) == 24
    # Consecutive, from wherever the year's sequence stands (a number drawn by an earlier test
    # that committed is not given back: sequences are not rolled back).
    values = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert values == list(range(values[0], values[0] + 24))


def test_concurrent_calls_with_one_reference_make_one_invoice():
    customer = CustomerFactory()

    @_in_thread
    def create(_):
        return services.invoice_create(
            customer=customer, lines=[line("10.00")], source_reference="shipment:42"
        ).pk

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(create, range(16)))
    assert len(ids) == 1
    assert Invoice.objects.filter(source_reference="shipment:42").count() == 1


def test_concurrent_payments_never_overpay_an_invoice():
    customer = CustomerFactory()
    invoice = services.invoice_create(customer=customer, lines=[line("100.00")])

    @_in_thread
    def pay(_):
        try:
            payments.payment_record(
                customer=customer, amount="30.00", allocations=[{"invoice": invoice.pk, "amount": "30.00"}]
            )
            return "ok"
        except Exception as exc:  # noqa: BLE001 - the refusals are what is counted
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(pay, range(8)))
    invoice.refresh_from_db()
    assert results.count("ok") == 3
    assert invoice.paid_amount == Decimal("90.00")
