"""Payments: recorded and allocated to a customer's open invoices. Part of the receivables
services (``services``), under the same rules: one transaction each, nothing written on bad
input, invoices locked in primary-key order."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.dates import date_input
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import money
from core.numbers import document_number
from core.sql import as_id
from finance.models import Invoice, Payment, PaymentAllocation
from finance.services import ZERO, _check_share, _decimal, _settle, _user


@atomic_with_retry
def payment_record(
    *,
    customer,
    amount,
    allocations: list[dict] | None = None,
    paid_at: date | None = None,
    method: str = "",
    reference: str = "",
    user=None,
) -> Payment:
    """Record money received and apply it.

    ``allocations`` is a list of ``{"invoice": Invoice | id, "amount": Decimal}``; without it the
    amount is applied to the customer's open invoices oldest due first. Whatever is not applied
    stays as the customer's credit. An invoice that becomes fully paid publishes ``invoice.paid``.
    Locks the invoices involved in primary-key order.
    """
    amount = money(_decimal(amount, "amount"))
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if allocations:
        plan = _plan_given(allocations, customer=customer, amount=amount)
    elif allocations is None:
        plan = _plan_oldest_first(customer=customer, amount=amount)
    else:
        plan = []
    # An empty list (``allocations=[]``) means: keep it all as credit.
    paid_at = date_input(paid_at, field="paid_at", blank=timezone.localdate())
    allocated = sum((share for _inv, share in plan), ZERO)
    reference = (reference or "").strip()[:100]
    if reference:
        _check_reference_unused(customer=customer, reference=reference)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                number=document_number(prefix="PAY", when=paid_at, digits=5),
                customer=customer,
                amount=amount,
                allocated_amount=allocated,
                paid_at=paid_at,
                method=(method or "")[:30],
                reference=reference,
                created_by=_user(user),
            )
    except IntegrityError as exc:
        if "payment_customer_reference_uniq" not in str(exc) and "reference" not in str(exc):
            raise
        # Recorded by a concurrent request since the check above.
        _check_reference_unused(customer=customer, reference=reference)
        raise
    PaymentAllocation.objects.bulk_create(
        [PaymentAllocation(payment=payment, invoice=inv, amount=share) for inv, share in plan]
    )
    for inv, share in sorted(plan, key=lambda p: p[0].pk):
        _settle(inv, paid=share)
    audit(
        "payment.recorded",
        actor=_user(user),
        obj=payment,
        data={
            "number": payment.number,
            "customer_id": customer.pk,
            "amount": str(amount),
            "allocations": {inv.number: str(share) for inv, share in plan},
        },
    )
    publish(
        names.PAYMENT_RECORDED,
        {"payment_id": payment.pk, "customer_id": customer.pk, "amount": str(amount)},
    )
    return payment


def _plan_given(allocations: list[dict], *, customer, amount: Decimal) -> list[tuple[Invoice, Decimal]]:
    """The allocations as asked (an invoice's shares added up), checked against the locked
    invoices (primary-key order) and the payment's amount."""
    wanted: dict[int, Decimal] = {}
    for entry in allocations:
        inv = entry.get("invoice")
        inv_id = as_id(getattr(inv, "pk", inv))
        if inv_id is None:
            raise ValidationError({"allocations": _("Choose an invoice for every allocation.")})
        share = money(_decimal(entry.get("amount"), "allocations"))
        if share < 0:
            raise ValidationError({"allocations": _("An allocated amount cannot be negative.")})
        if share == 0:
            continue
        wanted[inv_id] = wanted.get(inv_id, ZERO) + share
    locked = {inv.pk: inv for inv in Invoice.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    plan = []
    for inv_id, share in wanted.items():
        inv = locked.get(inv_id)
        _check_share(inv, share, customer.pk)
        plan.append((inv, share))
    if sum((share for _inv, share in plan), ZERO) > amount:
        raise ValidationError({"allocations": _("The allocations add up to more than the payment.")})
    return plan


def _plan_oldest_first(*, customer, amount: Decimal) -> list[tuple[Invoice, Decimal]]:
    """The amount spread over the customer's open invoices, oldest due first (locked in
    primary-key order)."""
    plan, remaining = [], amount
    open_invoices = list(
        Invoice.objects.select_for_update()
        .filter(customer=customer, state__in=Invoice.OPEN_STATES)
        .order_by("pk")
    )
    open_invoices.sort(key=lambda i: (i.due_date, i.issue_date, i.pk))
    for inv in open_invoices:
        if remaining <= 0:
            break
        share = min(inv.open_amount, remaining)
        if share > 0:
            plan.append((inv, share))
            remaining -= share
    return plan


@atomic_with_retry
def payment_allocate(*, payment: Payment, allocations: list[dict], user=None) -> Payment:
    """Apply a payment's unallocated credit to open invoices of the same customer."""
    locked_payment = Payment.objects.select_for_update().get(pk=payment.pk)
    wanted: dict[int, Decimal] = {}
    for entry in allocations or []:
        inv = entry.get("invoice")
        share = money(_decimal(entry.get("amount"), "allocations"))
        if share <= 0:
            raise ValidationError({"allocations": _("An allocated amount must be greater than zero.")})
        inv_id = int(getattr(inv, "pk", inv))
        wanted[inv_id] = wanted.get(inv_id, ZERO) + share
    if not wanted:
        raise ValidationError({"allocations": _("Choose at least one invoice.")})
    if sum(wanted.values(), ZERO) > locked_payment.unallocated_amount:
        raise ValidationError({"allocations": _("The allocations add up to more than the unapplied credit.")})
    invoices = {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    for inv_id, share in wanted.items():
        _check_share(invoices.get(inv_id), share, locked_payment.customer_id)
    PaymentAllocation.objects.bulk_create(
        [PaymentAllocation(payment=locked_payment, invoice=invoices[i], amount=s) for i, s in wanted.items()]
    )
    Payment.objects.filter(pk=locked_payment.pk).update(
        allocated_amount=F("allocated_amount") + sum(wanted.values(), ZERO)
    )
    for inv_id in sorted(wanted):
        _settle(invoices[inv_id], paid=wanted[inv_id])
    audit(
        "payment.allocated",
        actor=_user(user),
        obj=locked_payment,
        data={"allocations": {invoices[i].number: str(s) for i, s in wanted.items()}},
    )
    locked_payment.refresh_from_db()
    return locked_payment


def _check_reference_unused(*, customer, reference: str) -> None:
    """A payment's reference (the bank's) is recorded once per customer."""
    existing = Payment.objects.filter(customer=customer, reference=reference).values_list("number", flat=True)
    number = existing.first()
    if number is not None:
        raise ValidationError(
            {
                "reference": _(
                    "A payment with this reference is already recorded for this customer (%(number)s)."
                )
                % {"number": number}
            }
        )
