from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.events import names
from core.events.models import Event
from core.models import AuditLog
from finance.payables import bills, payments
from finance.payables.models import Bill, BillLine, PayablesSettings
from scm.purchasing.models import PurchaseOrderLine
from tests.finance.payables.factories import bill_for, received_order, service_bill
from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_a_bill_at_the_order_price_for_what_was_received_is_matched():
    order = received_order()
    bill = bill_for(order)
    assert bill.state == Bill.State.MATCHED
    assert bill.number.startswith("BILL-")
    assert bill.subtotal == D("500.00") and bill.tax_total == D("65.00") and bill.total == D("565.00")
    line = bill.lines.get()
    assert line.match == BillLine.Match.MATCHED and line.expected_amount == D("500.00")


def test_a_price_difference_within_the_tolerance_is_matched():
    PayablesSettings.objects.update_or_create(pk=1, defaults={"match_tolerance_percent": D("2")})
    bill = bill_for(received_order(), unit_price=D("50.90"))  # 1.8 % above the order
    assert bill.state == Bill.State.MATCHED


def test_a_price_difference_outside_the_tolerance_puts_the_bill_on_hold():
    PayablesSettings.objects.update_or_create(pk=1, defaults={"match_tolerance_percent": D("2")})
    bill = bill_for(received_order(), unit_price=D("52.00"))  # 4 % above the order
    assert bill.state == Bill.State.ON_HOLD
    line = bill.lines.get()
    assert line.match == BillLine.Match.MISMATCH and line.difference == D("20.00")


def test_billing_more_than_was_received_into_stock_is_refused_naming_the_quantity():
    order = received_order(accepted=[D("6")])
    line = order.lines.get()
    with pytest.raises(ValidationError) as exc:
        bills.bill_create(
            supplier=order.supplier,
            supplier_invoice_number="X-1",
            lines=[{"po_line": line.pk, "quantity": "7"}],
        )
    assert "quantity" in exc.value.message_dict
    assert not Bill.objects.exists()
    line.refresh_from_db()
    assert line.billed_quantity == 0


def test_billed_quantity_counts_against_a_second_bill():
    order = received_order()
    line = order.lines.get()
    bill_for(order, quantity=D("6"))
    line.refresh_from_db()
    assert line.billed_quantity == D("6")
    with pytest.raises(ValidationError) as exc:
        bill_for(order, quantity=D("5"))
    assert "quantity" in exc.value.message_dict
    bill_for(order, quantity=D("4"))
    line.refresh_from_db()
    assert line.billed_quantity == D("10")


def test_the_same_supplier_invoice_number_is_entered_once_per_supplier():
    order = received_order()
    bill_for(order, number="FP-001", quantity=D("1"))
    with pytest.raises(ValidationError) as exc:
        bill_for(order, number="FP-001", quantity=D("1"))
    assert "supplier_invoice_number" in exc.value.message_dict
    other = received_order()
    assert bill_for(other, number="FP-001").pk


def test_an_on_hold_bill_cannot_be_paid_until_a_manager_accepts_it(manager_user, finance_user):
    bill = bill_for(received_order(), unit_price=D("60.00"))
    with pytest.raises(ValidationError) as exc:
        payments.supplier_payment_record(
            supplier=bill.supplier, amount="100.00", allocations=[{"bill": bill.pk, "amount": "100.00"}]
        )
    assert "allocations" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        bills.bill_accept_mismatch(bill=bill, note="agreed", user=finance_user)
    bills.bill_accept_mismatch(bill=bill, note="Price rise agreed by phone", user=manager_user)
    bill.refresh_from_db()
    assert bill.state == Bill.State.APPROVED and bill.mismatch_accepted_by == manager_user
    assert AuditLog.objects.filter(action="bill.mismatch_accepted", object_id=str(bill.pk)).exists()
    payments.supplier_payment_record(
        supplier=bill.supplier, amount="100.00", allocations=[{"bill": bill.pk, "amount": "100.00"}]
    )
    bill.refresh_from_db()
    assert bill.state == Bill.State.PARTLY_PAID


def test_paying_a_cancelled_bill_is_refused():
    bill = bill_for(received_order())
    bills.bill_cancel(bill=bill, reason="entered twice")
    with pytest.raises(ValidationError) as exc:
        payments.supplier_payment_record(
            supplier=bill.supplier, amount="10.00", allocations=[{"bill": bill.pk, "amount": "10.00"}]
        )
    assert "allocations" in exc.value.message_dict
    assert "cancelled" in exc.value.message_dict["allocations"][0]


def test_cancelling_a_bill_gives_its_quantities_back_to_the_order_line():
    order = received_order()
    bill = bill_for(order)
    bills.bill_cancel(bill=bill, reason="wrong supplier invoice")
    assert PurchaseOrderLine.objects.get(order=order).billed_quantity == 0
    assert Event.objects.filter(name=names.BILL_CANCELLED).exists()


def test_a_paid_bill_cannot_be_cancelled():
    bill = service_bill(SupplierFactory(), "100.00")
    payments.supplier_payment_record(supplier=bill.supplier, amount="100.00")
    with pytest.raises(ValidationError) as exc:
        bills.bill_cancel(bill=bill, reason="late")
    assert "bill" in exc.value.message_dict


def test_a_payment_is_spread_over_several_bills_oldest_first():
    supplier = SupplierFactory()
    older = service_bill(supplier, "100.00", issue_date=date(2026, 1, 5))
    newer = service_bill(supplier, "200.00", issue_date=date(2026, 2, 5))
    payment = payments.supplier_payment_record(supplier=supplier, amount="150.00")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.state == Bill.State.PAID and older.paid_amount == D("100.00")
    assert newer.state == Bill.State.PARTLY_PAID and newer.paid_amount == D("50.00")
    assert payment.allocations.count() == 2
    assert Event.objects.filter(name=names.SUPPLIER_PAYMENT_RECORDED).exists()
    assert Event.objects.filter(name=names.BILL_PAID).count() == 1


def test_a_payment_allocated_as_given_must_add_up_to_its_amount():
    supplier = SupplierFactory()
    a = service_bill(supplier, "100.00")
    b = service_bill(supplier, "200.00")
    payments.supplier_payment_record(
        supplier=supplier,
        amount="120.00",
        allocations=[{"bill": a, "amount": "20.00"}, {"bill": b, "amount": "100"}],
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.paid_amount, b.paid_amount) == (D("20.00"), D("100.00"))
    with pytest.raises(ValidationError) as exc:
        payments.supplier_payment_record(
            supplier=supplier, amount="50.00", allocations=[{"bill": a, "amount": "20"}]
        )
    assert "allocations" in exc.value.message_dict


def test_paying_more_than_is_owed_is_refused():
    supplier = SupplierFactory()
    bill = service_bill(supplier, "100.00")
    with pytest.raises(ValidationError) as exc:
        payments.supplier_payment_record(supplier=supplier, amount="100.01")
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        payments.supplier_payment_record(
            supplier=supplier, amount="150.00", allocations=[{"bill": bill, "amount": "150.00"}]
        )
    assert "allocations" in exc.value.message_dict
    bill.refresh_from_db()
    assert bill.paid_amount == 0


def test_the_due_date_follows_the_days_of_the_payment_terms():
    supplier = SupplierFactory(payment_terms_days=30, payment_terms_month_end=False)
    assert bills.due_date_for(supplier, date(2026, 1, 15)) == date(2026, 2, 14)


@pytest.mark.parametrize(
    ("issued", "days", "due"),
    [
        (date(2026, 1, 15), 30, date(2026, 2, 28)),  # 30 days run out on 14 Feb: end of February
        (date(2026, 1, 31), 0, date(2026, 1, 31)),
        (date(2026, 3, 10), 60, date(2026, 5, 31)),
        (date(2028, 1, 31), 29, date(2028, 2, 29)),  # leap year
    ],
)
def test_month_end_terms_fall_due_at_the_end_of_the_month_the_days_run_out(issued, days, due):
    supplier = SupplierFactory(payment_terms_days=days, payment_terms_month_end=True)
    assert bills.due_date_for(supplier, issued) == due
    bill = service_bill(supplier, issue_date=issued)
    assert bill.due_date == due


def test_a_bill_without_an_order_is_approved_and_publishes_bill_created():
    bill = service_bill(SupplierFactory(), "80.00")
    assert bill.state == Bill.State.APPROVED and bill.purchase_order is None
    event = Event.objects.get(name=names.BILL_CREATED)
    assert event.payload["bill_id"] == bill.pk


def test_a_credit_note_against_a_bill_lowers_what_is_open():
    bill = service_bill(SupplierFactory(), "100.00")
    bills.supplier_credit_note_create(supplier=bill.supplier, bill=bill, amount="30.00", reason="damaged")
    bill.refresh_from_db()
    assert bill.credited_amount == D("30.00") and bill.open_amount == D("70.00")
    with pytest.raises(ValidationError) as exc:
        bills.supplier_credit_note_create(supplier=bill.supplier, bill=bill, amount="70.01", reason="more")
    assert "amount" in exc.value.message_dict


def test_order_lines_of_another_supplier_are_refused():
    order = received_order()
    with pytest.raises(ValidationError) as exc:
        bills.bill_create(
            supplier=SupplierFactory(),
            supplier_invoice_number="X",
            lines=[{"po_line": order.lines.get().pk, "quantity": "1"}],
        )
    assert "lines" in exc.value.message_dict
