"""Supplier payments: recorded and allocated in full over the supplier's payable bills (oldest
due first, or as given). Under the payables rules: one transaction, nothing written on bad
input, bills locked in primary-key order."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.dates import date_input
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import decimal_input, money
from core.numbers import document_number
from core.sql import as_id
from finance.payables.bills import ZERO, _user, settle_bill
from finance.payables.models import Bill, SupplierPayment, SupplierPaymentAllocation


def _check_share(bill: Bill | None, share: Decimal, supplier_id: int) -> None:
    if bill is None or bill.supplier_id != supplier_id:
        raise ValidationError({"allocations": _("The bill belongs to another supplier.")})
    if bill.state == Bill.State.CANCELLED:
        raise ValidationError(
            {"allocations": _("Bill %(number)s is cancelled and cannot be paid.") % {"number": bill.number}}
        )
    if bill.state == Bill.State.ON_HOLD:
        raise ValidationError(
            {
                "allocations": _(
                    "Bill %(number)s is on hold (it does not match the order) until a manager accepts it."
                )
                % {"number": bill.number}
            }
        )
    if bill.state not in Bill.PAYABLE_STATES:
        raise ValidationError({"allocations": _("Bill %(number)s cannot be paid.") % {"number": bill.number}})
    if share > bill.open_amount:
        raise ValidationError(
            {
                "allocations": _("%(amount)s is more than the %(open)s open on bill %(number)s.")
                % {"amount": share, "open": bill.open_amount, "number": bill.number}
            }
        )


def _plan_given(allocations, *, supplier, amount: Decimal) -> list[tuple[Bill, Decimal]]:
    wanted: dict[int, Decimal] = {}
    for entry in allocations:
        raw = entry.get("bill")
        bill_id = as_id(getattr(raw, "pk", raw))
        if bill_id is None:
            raise ValidationError({"allocations": _("Choose a bill for every allocation.")})
        share = money(decimal_input(entry.get("amount"), field="allocations"))
        if share < 0:
            raise ValidationError({"allocations": _("An allocated amount cannot be negative.")})
        if share:
            wanted[bill_id] = wanted.get(bill_id, ZERO) + share
    locked = {b.pk: b for b in Bill.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    plan = []
    for bill_id, share in wanted.items():
        _check_share(locked.get(bill_id), share, supplier.pk)
        plan.append((locked[bill_id], share))
    allocated = sum((s for _b, s in plan), ZERO)
    if allocated != amount:
        raise ValidationError(
            {
                "allocations": _("The allocations add up to %(allocated)s, not the payment's %(amount)s.")
                % {"allocated": allocated, "amount": amount}
            }
        )
    return plan


def _plan_oldest_first(*, supplier, amount: Decimal) -> list[tuple[Bill, Decimal]]:
    bills = list(
        Bill.objects.select_for_update()
        .filter(supplier=supplier, state__in=Bill.PAYABLE_STATES)
        .order_by("pk")
    )
    bills.sort(key=lambda b: (b.due_date, b.issue_date, b.pk))
    plan, remaining = [], amount
    for bill in bills:
        if remaining <= 0:
            break
        share = min(bill.open_amount, remaining)
        if share > 0:
            plan.append((bill, share))
            remaining -= share
    if remaining > 0:
        raise ValidationError(
            {
                "amount": _("%(amount)s is more than the %(open)s payable to this supplier.")
                % {"amount": amount, "open": amount - remaining}
            }
        )
    return plan


@atomic_with_retry
def supplier_payment_record(
    *,
    supplier,
    amount,
    allocations: list[dict] | None = None,
    paid_at: date | None = None,
    method: str = "",
    reference: str = "",
    user=None,
) -> SupplierPayment:
    """Record money paid to ``supplier``, allocated in full.

    ``allocations`` is a list of ``{"bill": Bill | id, "amount": Decimal}`` adding up to the
    amount; without it the amount goes to the supplier's payable bills oldest due first. A
    cancelled or on-hold bill is refused (on ``allocations``), as is paying more than is open
    (on ``allocations``, or ``amount`` without allocations). Publishes
    ``supplier_payment.recorded``, and ``bill.paid`` for each bill it settles.
    """
    amount = money(decimal_input(amount, field="amount"))
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    paid_at = date_input(paid_at, field="paid_at", blank=timezone.localdate())
    if allocations:
        plan = _plan_given(allocations, supplier=supplier, amount=amount)
    else:
        plan = _plan_oldest_first(supplier=supplier, amount=amount)
    payment = SupplierPayment.objects.create(
        number=document_number(prefix="SPAY", when=paid_at, digits=5),
        supplier=supplier,
        amount=amount,
        paid_at=paid_at,
        method=(method or "")[:30],
        reference=(reference or "").strip()[:100],
        created_by=_user(user),
    )
    SupplierPaymentAllocation.objects.bulk_create(
        [SupplierPaymentAllocation(payment=payment, bill=bill, amount=share) for bill, share in plan]
    )
    for bill, share in sorted(plan, key=lambda p: p[0].pk):
        settle_bill(bill, paid=share)
    audit(
        "supplier_payment.recorded",
        actor=_user(user),
        obj=payment,
        data={
            "number": payment.number,
            "supplier_id": supplier.pk,
            "amount": str(amount),
            "allocations": {bill.number: str(share) for bill, share in plan},
        },
    )
    publish(
        names.SUPPLIER_PAYMENT_RECORDED,
        {
            "payment_id": payment.pk,
            "supplier_id": supplier.pk,
            "amount": str(amount),
            "bill_ids": [bill.pk for bill, _share in plan],
        },
    )
    return payment
