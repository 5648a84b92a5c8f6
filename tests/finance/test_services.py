from datetime import date
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.events import names
from core.events.models import Event
from core.models import AuditLog
from core.numbers import number_at_least
from finance import payments, services
from finance.models import CreditNote, Invoice, Payment, PaymentAllocation
from tests.finance.factories import CustomerFactory, line, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal


def test_invoice_numbers_come_from_the_counter_of_their_issue_year():
    customer = CustomerFactory()
    number_at_least(prefix="INV", year=2026, value=4)
    number_at_least(prefix="INV", year=2027, value=9)
    first = make_invoice(customer, issue_date=date(2026, 3, 1))
    second = make_invoice(customer, issue_date=date(2026, 3, 2))
    other_year = make_invoice(customer, issue_date=date(2027, 1, 2))
    assert first.number == "INV-2026-00005"
    assert second.number == "INV-2026-00006"
    assert other_year.number == "INV-2027-00010"


def test_credit_note_numbers_come_from_the_counter_of_their_issue_year():
    invoice = make_invoice(CustomerFactory(), issue_date=date(2026, 3, 1))
    number_at_least(prefix="CN", year=2026, value=20)
    note = services.credit_note_create(
        invoice=invoice, lines=[line("10.00")], reason="破损", issue_date=date(2026, 3, 5)
    )
    assert note.number == "CN-2026-00021"


def test_payment_numbers_come_from_the_counter_of_their_year():
    customer = CustomerFactory()
    make_invoice(customer, issue_date=date(2026, 3, 1))
    number_at_least(prefix="PAY", year=2026, value=300)
    payment = payments.payment_record(customer=customer, amount="50.00", paid_at=date(2026, 4, 1))
    assert payment.number == "PAY-2026-00301"


def test_the_last_finance_numbers_carry_over_to_the_counters():
    """Migration 0002: ``NumberSequence``'s last numbers start the counters."""
    migration = import_module("finance.migrations.0002_number_counters_in_core")
    sequences = SimpleNamespace(
        objects=SimpleNamespace(all=lambda: [SimpleNamespace(key="INV-2023", last=77)])
    )
    migration.counters_to_core(SimpleNamespace(get_model=lambda app, model: sequences), None)
    assert make_invoice(CustomerFactory(), issue_date=date(2023, 5, 1)).number == "INV-2023-00078"


def test_invoice_totals_round_half_up_per_line():
    customer = CustomerFactory()
    invoice = services.invoice_create(
        customer=customer,
        lines=[
            # 3 × 0.335 = 1.005 → 1.01; tax 13 % of 1.01 = 0.1313 → 0.13
            line("0.335", quantity="3", tax_rate="0.13"),
            # 1 × 10.05 at 5 %: tax 0.5025 → 0.50
            line("10.05", tax_rate="0.05"),
        ],
    )
    nets = [ln.net_amount for ln in invoice.lines.all()]
    taxes = [ln.tax_amount for ln in invoice.lines.all()]
    assert nets == [D("1.01"), D("10.05")]
    assert taxes == [D("0.13"), D("0.50")]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("11.06"), D("0.63"), D("11.69"))
    assert invoice.state == Invoice.State.OPEN


def test_invoice_due_date_comes_from_payment_terms():
    customer = CustomerFactory(payment_terms_days=45)
    invoice = make_invoice(customer, issue_date=date(2026, 1, 10))
    assert invoice.due_date == date(2026, 2, 24)


def test_same_source_reference_returns_the_same_invoice():
    customer = CustomerFactory()
    first = make_invoice(customer, source_reference="shipment:7")
    again = make_invoice(customer, amount="999.00", source_reference="shipment:7")
    assert again.pk == first.pk
    assert Invoice.objects.count() == 1
    assert Event.objects.filter(name=names.INVOICE_CREATED).count() == 1


def test_source_reference_of_another_customer_is_refused():
    make_invoice(CustomerFactory(), source_reference="shipment:8")
    with pytest.raises(ValidationError) as exc:
        make_invoice(CustomerFactory(), source_reference="shipment:8")
    assert "source_reference" in exc.value.error_dict


def test_database_refuses_a_second_invoice_for_one_reference():
    invoice = make_invoice(CustomerFactory(), source_reference="shipment:9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            number="X-1",
            customer=invoice.customer,
            source_reference="shipment:9",
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
        )


def test_invoice_create_publishes_and_audits():
    invoice = make_invoice(CustomerFactory())
    event = Event.objects.get(name=names.INVOICE_CREATED)
    assert event.payload["invoice_id"] == invoice.pk
    assert AuditLog.objects.filter(action="invoice.created", object_id=str(invoice.pk)).exists()


def test_invoice_without_lines_is_refused():
    with pytest.raises(ValidationError) as exc:
        services.invoice_create(customer=CustomerFactory(), lines=[])
    assert "lines" in exc.value.error_dict
    assert not Invoice.objects.exists()


def test_partial_payment_leaves_invoice_partly_paid():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(
        customer=customer, amount="40.00", allocations=[{"invoice": invoice, "amount": "40"}]
    )
    invoice.refresh_from_db()
    assert invoice.paid_amount == D("40.00")
    assert invoice.state == Invoice.State.PARTLY_PAID
    assert invoice.open_amount == D("60.00")


def test_payment_without_allocations_applies_oldest_due_first_and_keeps_the_rest_as_credit():
    customer = CustomerFactory()
    newer = make_invoice(customer, "100.00", issue_date=date(2026, 2, 1))
    older = make_invoice(customer, "80.00", issue_date=date(2026, 1, 1))
    payment = payments.payment_record(customer=customer, amount="200.00")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.state == newer.state == Invoice.State.PAID
    assert payment.allocated_amount == D("180.00")
    assert payment.unallocated_amount == D("20.00")


def test_payment_over_several_invoices_with_allocations():
    customer = CustomerFactory()
    a = make_invoice(customer, "100.00")
    b = make_invoice(customer, "50.00")
    payments.payment_record(
        customer=customer,
        amount="120.00",
        allocations=[{"invoice": a, "amount": "100.00"}, {"invoice": b.pk, "amount": "20.00"}],
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, a.paid_amount) == (Invoice.State.PAID, D("100.00"))
    assert (b.state, b.paid_amount) == (Invoice.State.PARTLY_PAID, D("20.00"))
    assert PaymentAllocation.objects.count() == 2


def _nothing_written():
    return not Payment.objects.exists() and not PaymentAllocation.objects.exists()


def test_allocation_above_the_open_amount_is_refused_and_nothing_is_written():
    customer = CustomerFactory()
    a = make_invoice(customer, "100.00")
    b = make_invoice(customer, "50.00")
    with pytest.raises(ValidationError) as exc:
        payments.payment_record(
            customer=customer,
            amount="200.00",
            allocations=[{"invoice": a, "amount": "100.00"}, {"invoice": b, "amount": "60.00"}],
        )
    assert "allocations" in exc.value.error_dict
    assert _nothing_written()
    a.refresh_from_db()
    assert a.paid_amount == 0


def test_allocations_above_the_payment_are_refused():
    customer = CustomerFactory()
    a = make_invoice(customer, "100.00")
    with pytest.raises(ValidationError) as exc:
        payments.payment_record(
            customer=customer, amount="50.00", allocations=[{"invoice": a, "amount": "80"}]
        )
    assert "allocations" in exc.value.error_dict
    assert _nothing_written()


def test_paying_a_cancelled_invoice_is_refused_and_nothing_is_written():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    services.invoice_cancel(invoice=invoice, reason="开错了", user=None)
    with pytest.raises(ValidationError) as exc:
        payments.payment_record(
            customer=customer, amount="100.00", allocations=[{"invoice": invoice, "amount": "100.00"}]
        )
    assert "allocations" in exc.value.error_dict
    assert _nothing_written()


def test_paying_another_customers_invoice_is_refused():
    invoice = make_invoice(CustomerFactory(), "100.00")
    with pytest.raises(ValidationError) as exc:
        payments.payment_record(
            customer=CustomerFactory(), amount="100.00", allocations=[{"invoice": invoice, "amount": "100"}]
        )
    assert "allocations" in exc.value.error_dict


@pytest.mark.parametrize("amount", ["0", "-5.00", "abc"])
def test_zero_negative_or_unreadable_amount_is_refused(amount):
    customer = CustomerFactory()
    make_invoice(customer)
    with pytest.raises(ValidationError) as exc:
        payments.payment_record(customer=customer, amount=amount)
    assert "amount" in exc.value.error_dict
    assert _nothing_written()


def test_invoice_paid_is_published_once_when_fully_paid():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(customer=customer, amount="60.00")
    assert not Event.objects.filter(name=names.INVOICE_PAID).exists()
    payments.payment_record(customer=customer, amount="40.00")
    payments.payment_record(customer=customer, amount="10.00")  # credit only, invoice already paid
    events = Event.objects.filter(name=names.INVOICE_PAID)
    assert events.count() == 1
    assert events.get().payload == {"invoice_id": invoice.pk, "sales_order_id": None}


def test_payment_is_audited():
    customer = CustomerFactory()
    payment = payments.payment_record(customer=customer, amount="10.00")
    assert AuditLog.objects.filter(action="payment.recorded", object_id=str(payment.pk)).exists()


def test_unapplied_credit_can_be_allocated_later():
    customer = CustomerFactory()
    payment = payments.payment_record(customer=customer, amount="30.00", allocations=[])
    invoice = make_invoice(customer, "100.00")
    payments.payment_allocate(payment=payment, allocations=[{"invoice": invoice, "amount": "30.00"}])
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.paid_amount == D("30.00")
    assert payment.unallocated_amount == 0


def test_credit_note_reduces_the_open_amount():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    note = services.credit_note_create(invoice=invoice, lines=[line("30.00")], reason="退货")
    invoice.refresh_from_db()
    assert note.total == D("30.00")
    assert invoice.credited_amount == D("30.00")
    assert invoice.open_amount == D("70.00")


def test_credit_note_cannot_exceed_the_open_amount():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(customer=customer, amount="80.00")
    with pytest.raises(ValidationError) as exc:
        services.credit_note_create(invoice=invoice, lines=[line("20.01")], reason="退货")
    assert "lines" in exc.value.error_dict
    assert not CreditNote.objects.exists()


def test_credit_note_that_settles_the_rest_marks_the_invoice_paid():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(customer=customer, amount="80.00")
    services.credit_note_create(invoice=invoice, lines=[line("20.00")], reason="折让")
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID


def test_invoice_with_a_payment_cannot_be_cancelled():
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(customer=customer, amount="1.00")
    with pytest.raises(ValidationError) as exc:
        services.invoice_cancel(invoice=invoice, reason="错误", user=None)
    assert "invoice" in exc.value.error_dict
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PARTLY_PAID


def test_database_refuses_paying_more_than_the_total():
    invoice = make_invoice(CustomerFactory(), "100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(paid_amount=D("100.01"))


@pytest.mark.parametrize("invoice", ["²", "99999999999999999999", "abc", None])
def test_an_allocation_to_something_that_is_no_invoice_id_is_refused(invoice):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        payments.payment_record(
            customer=customer, amount="10.00", allocations=[{"invoice": invoice, "amount": "5"}]
        )
    assert "allocations" in err.value.message_dict
    assert not Payment.objects.exists()
