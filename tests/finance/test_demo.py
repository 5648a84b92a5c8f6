from decimal import Decimal

import pytest

from finance import demo, selectors
from finance.models import CreditNote, Invoice, Payment
from integration.setup.demo import DemoContext
from tests.finance.factories import CustomerFactory, make_invoice

pytestmark = pytest.mark.django_db


def test_demo_without_customers_creates_nothing():
    demo.build(DemoContext())
    assert not Invoice.objects.exists() and not Payment.objects.exists()


def test_demo_fills_every_aging_bucket_with_payments_and_a_credit_note():
    for days in (30, 30, 45, 60, 30, 15):
        CustomerFactory(payment_terms_days=days)
    demo.build(DemoContext())
    totals = selectors.aging()["totals"]
    assert all(totals[key] > 0 for key in ("current", "d1_30", "d31_60", "d61_90", "over_90")), totals
    assert Invoice.objects.filter(state=Invoice.State.PAID).exists()
    assert Invoice.objects.filter(state=Invoice.State.PARTLY_PAID).exists()
    assert CreditNote.objects.count() == 1
    assert Payment.objects.filter(allocated_amount__lt=Decimal("5000.01"), amount=Decimal("5000.00")).exists()


def test_demo_pays_invoices_from_shipments_instead_of_duplicating_them():
    customer = CustomerFactory()
    shipped = [make_invoice(customer, "100.00", source_reference=f"shipment:{n}") for n in range(8)]
    demo.build(DemoContext())
    refs = (
        Invoice.objects.exclude(source_reference="")
        .filter(is_opening=False)
        .values_list("source_reference", flat=True)
    )
    assert sorted(refs) == sorted(i.source_reference for i in shipped)
    assert Invoice.objects.exclude(source_reference="").exclude(paid_amount=0).exists()


def test_demo_brings_over_opening_balances_one_still_being_paid_off():
    for _ in range(4):
        CustomerFactory()
    demo.build(DemoContext())
    opening = Invoice.objects.filter(is_opening=True)
    assert sorted(opening.values_list("state", flat=True)) == ["paid", "paid", "partly_paid"]
    assert all(inv.source_reference.startswith("XS-") for inv in opening)
