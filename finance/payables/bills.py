"""Payables services: the only code that writes supplier bills and supplier credit notes
(payments: ``finance.payables.payments``).

A bill against purchase order lines is matched three ways: the order's price × the billed
quantity (at most what was accepted into stock and not yet billed) against the billed amount,
line by line. Within the company's tolerance (``PayablesSettings``) the bill is *matched*;
outside it the bill is *on hold* and cannot be paid until a manager accepts the difference.
Each service runs in one transaction; bad input is a ``ValidationError({field: message})``
and writes nothing.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.dates import date_input
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import MAX_AMOUNT, decimal_input, money, quantity, tax_rate_input, unit_price
from core.numbers import document_number
from core.roles import MANAGER, has_role
from core.sql import as_id
from finance.payables.models import Bill, BillLine, PayablesSettings, SupplierCreditNote
from finance.services import (
    _user,
    opening_amount_input,
    opening_dates_input,
    opening_document_input,
    opening_note_input,
)
from finance.settling import settle
from scm.purchasing.billing import billable_quantity, po_lines_billed_add
from scm.purchasing.models import PurchaseOrderLine

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def due_date_for(supplier, issue_date: date) -> date:
    """The supplier's payment terms from ``issue_date``: so many days, or with month-end terms
    (月结) the last day of the month in which those days run out."""
    due = issue_date + timedelta(days=supplier.payment_terms_days or 0)
    if supplier.payment_terms_month_end:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due


def within_tolerance(billed: Decimal, expected: Decimal, tolerance_percent: Decimal) -> bool:
    return abs(billed - expected) <= expected * tolerance_percent / HUNDRED


# --- bills ----------------------------------------------------------------------------------


def _priced(raw: dict, po_line: PurchaseOrderLine | None) -> dict:
    qty = quantity(decimal_input(raw.get("quantity"), field="quantity"))
    if qty <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    if raw.get("unit_price") in (None, "") and po_line is not None:
        price = po_line.base_unit_price
    else:
        price = decimal_input(raw.get("unit_price"), field="unit_price")
    if price <= 0:
        raise ValidationError({"unit_price": _("The price must be more than 0.")})
    if raw.get("tax_rate") in (None, "") and po_line is not None:
        rate = po_line.tax_rate
    else:
        rate = tax_rate_input(raw.get("tax_rate") or 0, field="tax_rate")
    description = str(raw.get("description") or "").strip()
    if not description and po_line is not None:
        description = str(po_line.product)
    if not description:
        raise ValidationError({"lines": _("Every line needs a description.")})
    net = money(qty * price)
    if net + money(net * rate) >= MAX_AMOUNT:
        raise ValidationError({"lines": _("This line's amount is too large.")})
    return {
        "po_line": po_line,
        "description": description[:300],
        "quantity": qty,
        "unit_price": unit_price(price),
        "tax_rate": rate,
        "net_amount": net,
        "tax_amount": money(net * rate),
    }


def _lock_order_lines(lines: list[dict], supplier, purchase_order) -> dict[int, PurchaseOrderLine]:
    wanted = []
    for raw in lines:
        raw_line = raw.get("po_line", raw.get("po_line_id"))
        if raw_line in (None, ""):
            continue
        line_id = as_id(getattr(raw_line, "pk", raw_line))
        if line_id is None:
            raise ValidationError({"lines": _("Unknown order line.")})
        wanted.append(line_id)
    if not wanted:
        return {}
    locked = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update(of=("self",))
        .select_related("order", "product")
        .filter(pk__in=wanted)
        .order_by("pk")
    }
    for line_id in wanted:
        line = locked.get(line_id)
        if line is None or line.order.supplier_id != supplier.pk:
            raise ValidationError({"lines": _("The order line belongs to another supplier.")})
        if purchase_order is not None and line.order_id != purchase_order.pk:
            raise ValidationError({"purchase_order": _("The order line belongs to another order.")})
    return locked


@atomic_with_retry
def bill_create(
    *,
    supplier,
    supplier_invoice_number: str,
    lines: list[dict],
    purchase_order=None,
    issue_date: date | None = None,
    due_date: date | None = None,
    notes: str = "",
    is_opening: bool = False,
    user=None,
) -> Bill:
    """Enter a supplier's bill.

    Lines are dicts ``description, quantity, unit_price, tax_rate`` and optionally ``po_line``
    (a ``PurchaseOrderLine`` or its id; its quantity is in base units, and the order's price
    and tax rate fill in what is left out). Lines against an order line are matched three ways
    (see the module); their quantity may not exceed what was accepted into stock and not yet
    billed (``ValidationError`` on ``quantity``), and is added to the line's billed quantity.
    A bill without order lines (services) is approved as entered. The due date follows the
    supplier's payment terms (``due_date_for``) unless ``due_date`` is given (not before the
    issue date). ``is_opening`` marks a balance brought over from the old books
    (``opening_bill_create``). Publishes ``bill.created``.
    """
    number = (supplier_invoice_number or "").strip()[:60]
    if not number:
        raise ValidationError({"supplier_invoice_number": _("Enter the supplier's invoice number.")})
    if Bill.objects.filter(supplier=supplier, supplier_invoice_number=number).exists():
        raise ValidationError(
            {
                "supplier_invoice_number": _("This supplier's invoice %(number)s is already entered.")
                % {"number": number}
            }
        )
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if purchase_order is not None and purchase_order.supplier_id != supplier.pk:
        raise ValidationError({"purchase_order": _("The order belongs to another supplier.")})
    issue_date = date_input(issue_date, field="issue_date", blank=timezone.localdate())
    due_date = date_input(due_date, field="due_date", blank=due_date_for(supplier, issue_date))
    if due_date < issue_date:
        raise ValidationError({"due_date": _("The due date is before the issue date.")})
    order_lines = _lock_order_lines(lines, supplier, purchase_order)
    if is_opening and order_lines:
        raise ValidationError({"lines": _("An opening balance is matched to no order.")})
    tolerance = PayablesSettings.current().match_tolerance_percent
    priced, billed = [], {}
    for raw in lines:
        raw_line = raw.get("po_line", raw.get("po_line_id"))
        po_line = (
            order_lines.get(as_id(getattr(raw_line, "pk", raw_line))) if raw_line not in (None, "") else None
        )
        p = _priced(raw, po_line)
        if po_line is not None:
            already = billed.get(po_line.pk, Decimal(0))
            left = billable_quantity(po_line) - already
            if p["quantity"] > left:
                raise ValidationError(
                    {
                        "quantity": _(
                            "%(product)s: %(quantity)s billed, but only %(left)s was received into stock "
                            "and not yet billed."
                        )
                        % {
                            "product": po_line.product,
                            "quantity": p["quantity"].normalize(),
                            "left": left.normalize(),
                        }
                    }
                )
            billed[po_line.pk] = already + p["quantity"]
            expected = money(po_line.base_unit_price * p["quantity"])
            p["expected_amount"] = expected
            p["match"] = (
                BillLine.Match.MATCHED
                if within_tolerance(p["net_amount"], expected, tolerance)
                else BillLine.Match.MISMATCH
            )
        priced.append(p)
    if purchase_order is None:
        orders = {line.order for line in order_lines.values()}
        if len(orders) == 1:
            purchase_order = orders.pop()
    if not order_lines:
        state = Bill.State.APPROVED
    elif any(p.get("match") == BillLine.Match.MISMATCH for p in priced):
        state = Bill.State.ON_HOLD
    else:
        state = Bill.State.MATCHED
    subtotal = sum((p["net_amount"] for p in priced), ZERO)
    tax_total = sum((p["tax_amount"] for p in priced), ZERO)
    try:
        with transaction.atomic():
            bill = Bill.objects.create(
                number=document_number(prefix="BILL", when=issue_date, digits=5),
                supplier=supplier,
                purchase_order=purchase_order,
                supplier_invoice_number=number,
                issue_date=issue_date,
                due_date=due_date,
                state=state,
                currency=supplier.currency or "CNY",
                subtotal=subtotal,
                tax_total=tax_total,
                total=subtotal + tax_total,
                notes=(notes or "").strip()[:300],
                is_opening=is_opening,
                created_by=_user(user),
            )
    except IntegrityError as exc:
        if "bill_supplier_invoice_unique" in str(exc) or "supplier_invoice_number" in str(exc):
            raise ValidationError(
                {
                    "supplier_invoice_number": _("This supplier's invoice %(number)s is already entered.")
                    % {"number": number}
                }
            ) from exc
        raise
    BillLine.objects.bulk_create([BillLine(bill=bill, **p) for p in priced])
    po_lines_billed_add(billed)
    audit(
        "bill.created",
        actor=_user(user),
        obj=bill,
        data={
            "number": bill.number,
            "supplier_invoice_number": number,
            "total": str(bill.total),
            "state": state,
            "opening": is_opening,
            "mismatched_lines": [
                p["description"] for p in priced if p.get("match") == BillLine.Match.MISMATCH
            ],
        },
    )
    publish(
        names.BILL_CREATED,
        {
            "bill_id": bill.pk,
            "number": bill.number,
            "supplier_id": supplier.pk,
            "purchase_order_id": bill.purchase_order_id,
            "state": state,
            "total": str(bill.total),
            "opening": is_opening,
        },
    )
    return bill


OPENING_PAYABLE_TEXT = "期初应付 / Opening balance"


def opening_bill_create(
    *,
    supplier,
    document: str,
    amount,
    issue_date,
    due_date=None,
    note: str = "",
    user=None,
) -> Bill:
    """Bring over what the company owed ``supplier`` on the old books: an approved bill (no
    order, no receipt to match) of one untaxed line ("期初应付 / Opening balance") of ``amount``,
    the supplier's invoice number ``document`` (required, once per supplier), numbered as every
    bill and marked ``is_opening``; ``note`` is the bill's notes. It is due on ``due_date``
    (default: the supplier's terms from the issue date) and counts in AP aging and the supplier
    statement like any approved bill. Errors name this function's arguments. One transaction
    (joins the caller's)."""
    amount = opening_amount_input(amount)
    issue, due = opening_dates_input(
        issue_date, due_date, default_due=lambda day: due_date_for(supplier, day)
    )
    note = opening_note_input(note)
    document = opening_document_input(document)
    if not document:
        raise ValidationError({"document": _("Enter the supplier's invoice number.")})
    try:
        return bill_create(
            supplier=supplier,
            supplier_invoice_number=document,
            lines=[{"description": OPENING_PAYABLE_TEXT, "quantity": 1, "unit_price": amount, "tax_rate": 0}],
            issue_date=issue,
            due_date=due,
            notes=note,
            is_opening=True,
            user=user,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {"supplier_invoice_number": "document", "notes": "note"}
        raise ValidationError({renamed.get(k, k): v for k, v in exc.message_dict.items()}) from None


@atomic_with_retry
def bill_accept_mismatch(*, bill: Bill, note: str, user) -> Bill:
    """A manager accepts an on-hold bill's difference from the order: the bill is approved and
    may be paid. Audited with the manager's reason."""
    if not has_role(user, (MANAGER,)):
        raise PermissionDenied(_("Only a manager may accept a mismatch."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give a reason for accepting the difference.")})
    locked = Bill.objects.select_for_update().get(pk=bill.pk)
    if locked.state != Bill.State.ON_HOLD:
        raise ValidationError({"bill": _("Only a bill on hold can have its mismatch accepted.")})
    locked.state = Bill.State.APPROVED
    locked.mismatch_accepted_by = _user(user)
    locked.mismatch_accepted_at = timezone.now()
    locked.mismatch_note = note[:300]
    locked.save(update_fields=["state", "mismatch_accepted_by", "mismatch_accepted_at", "mismatch_note"])
    audit("bill.mismatch_accepted", actor=_user(user), obj=locked, data={"note": locked.mismatch_note})
    publish(names.BILL_MISMATCH_ACCEPTED, {"bill_id": locked.pk, "supplier_id": locked.supplier_id})
    return locked


@atomic_with_retry
def bill_cancel(*, bill: Bill, reason: str, user=None) -> Bill:
    """Cancel a bill with no payments and no credit notes; its order lines' billed quantities
    are given back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the cancellation.")})
    locked = Bill.objects.select_for_update().get(pk=bill.pk)
    if locked.state == Bill.State.CANCELLED:
        raise ValidationError({"bill": _("The bill is already cancelled.")})
    if locked.paid_amount > 0 or locked.allocations.exists():
        raise ValidationError({"bill": _("A bill with payments cannot be cancelled.")})
    if locked.credited_amount > 0:
        raise ValidationError({"bill": _("A bill with credit notes cannot be cancelled.")})
    given_back: dict[int, Decimal] = {}
    for line in locked.lines.exclude(po_line=None):
        given_back[line.po_line_id] = given_back.get(line.po_line_id, Decimal(0)) - line.quantity
    po_lines_billed_add(given_back)
    locked.state = Bill.State.CANCELLED
    locked.cancel_reason = reason[:300]
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["state", "cancel_reason", "cancelled_at"])
    audit("bill.cancelled", actor=_user(user), obj=locked, data={"reason": locked.cancel_reason})
    publish(names.BILL_CANCELLED, {"bill_id": locked.pk, "supplier_id": locked.supplier_id})
    return locked


def settle_bill(bill: Bill, *, paid: Decimal = ZERO, credited: Decimal = ZERO) -> None:
    """Move a locked bill's figures and set its state; ``bill.paid`` goes out once."""
    became_paid = settle(
        bill,
        paid=paid,
        credited=credited,
        paid_state=Bill.State.PAID,
        partly_state=Bill.State.PARTLY_PAID,
        unpaid_state=bill.state,
    )
    if became_paid:
        publish(names.BILL_PAID, {"bill_id": bill.pk, "supplier_id": bill.supplier_id})


# --- credit notes ---------------------------------------------------------------------------


@atomic_with_retry
def supplier_credit_note_create(
    *,
    supplier,
    amount,
    reason: str,
    bill: Bill | None = None,
    supplier_reference: str = "",
    issue_date=None,
    user=None,
) -> SupplierCreditNote:
    """Record a supplier's credit: against ``bill`` (at most its open amount; not a cancelled
    one) or, without, on the supplier's account."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the credit note.")})
    total = money(decimal_input(amount, field="amount"))
    if total <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    issue_date = date_input(issue_date, field="issue_date", blank=timezone.localdate())
    locked = None
    if bill is not None:
        locked = Bill.objects.select_for_update().get(pk=bill.pk)
        if locked.supplier_id != supplier.pk:
            raise ValidationError({"bill": _("The bill belongs to another supplier.")})
        if locked.state == Bill.State.CANCELLED:
            raise ValidationError({"bill": _("A cancelled bill cannot be credited.")})
        if total > locked.open_amount:
            raise ValidationError(
                {
                    "amount": _("%(amount)s is more than the %(open)s open on bill %(number)s.")
                    % {"amount": total, "open": locked.open_amount, "number": locked.number}
                }
            )
    note = SupplierCreditNote.objects.create(
        number=document_number(prefix="SCN", when=issue_date, digits=5),
        supplier=supplier,
        bill=locked,
        supplier_reference=(supplier_reference or "").strip()[:60],
        issue_date=issue_date,
        reason=reason[:300],
        total=total,
        created_by=_user(user),
    )
    if locked is not None:
        settle_bill(locked, credited=total)
    audit(
        "supplier_credit_note.created",
        actor=_user(user),
        obj=note,
        data={"number": note.number, "bill": locked.number if locked else "", "total": str(total)},
    )
    publish(
        names.SUPPLIER_CREDIT_NOTE_CREATED,
        {"credit_note_id": note.pk, "supplier_id": supplier.pk, "bill_id": note.bill_id, "total": str(total)},
    )
    return note
