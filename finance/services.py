"""Receivables services: the only code that writes invoices and credit notes (payments: ``payments``).

Each service runs in one transaction (``atomic_with_retry``): it validates everything first,
raises ``ValidationError({field: message})`` on bad input and writes nothing in that case.
Invoices whose figures change are locked with ``select_for_update`` in primary-key order, so two
payments for the same customer never deadlock and never lose an update.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.dates import date_input
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import MAX_AMOUNT, decimal_input, money, quantity, tax_rate_input
from core.numbers import document_number
from finance.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from finance.settling import settle

ZERO = Decimal("0.00")


# --- lines ----------------------------------------------------------------------------------


def _decimal(value, field: str) -> Decimal:
    return decimal_input(value, field=field)


def _priced_lines(lines) -> list[dict]:
    """Validate line dicts and price them: net and tax rounded half-up to cents per line."""
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    priced = []
    for raw in lines:
        description = str(raw.get("description") or "").strip()
        if not description:
            product = raw.get("product")
            description = str(product) if product is not None else ""
        if not description:
            raise ValidationError({"lines": _("Every line needs a description.")})
        qty = quantity(_decimal(raw.get("quantity"), "lines"))
        if qty <= 0:
            raise ValidationError({"lines": _("The quantity must be greater than zero.")})
        price = _decimal(raw.get("unit_price"), "lines")
        if price < 0:
            raise ValidationError({"lines": _("The unit price cannot be negative.")})
        rate = tax_rate_input(raw.get("tax_rate") or 0, field="lines")
        net = money(qty * price)
        if net + money(net * rate) >= MAX_AMOUNT:
            raise ValidationError({"lines": _("This line's amount is too large.")})
        priced.append(
            {
                "description": description[:300],
                "quantity": qty,
                "unit_price": money(price),
                "tax_rate": rate,
                "net_amount": net,
                "tax_amount": money(net * rate),
                "product": raw.get("product"),
                "sales_order_line_id": raw.get("sales_order_line_id"),
            }
        )
    return priced


def _totals(priced: list[dict]) -> tuple[Decimal, Decimal]:
    return sum((p["net_amount"] for p in priced), ZERO), sum((p["tax_amount"] for p in priced), ZERO)


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- invoices -------------------------------------------------------------------------------


def invoice_create(
    *,
    customer,
    lines: list[dict],
    source_reference: str = "",
    sales_order=None,
    issue_date: date | None = None,
    user=None,
) -> Invoice:
    """Raise an invoice for ``customer``.

    Lines are dicts ``description, quantity, unit_price, tax_rate`` (a fraction: 0.13), and
    optionally ``product`` and ``sales_order_line_id``. The due date is the issue date plus the
    customer's payment terms. With a ``source_reference`` the call is idempotent: a second call
    with the same reference returns the first invoice, whoever races for it.
    Publishes ``invoice.created`` in the same transaction.
    """
    source_reference = (source_reference or "").strip()
    if source_reference:
        existing = _invoice_for_reference(source_reference, customer)
        if existing is not None:
            return existing
    priced = _priced_lines(lines)
    if sales_order is not None and sales_order.customer_id != customer.pk:
        raise ValidationError({"sales_order": _("The order belongs to another customer.")})
    try:
        return _invoice_insert(
            customer=customer,
            priced=priced,
            source_reference=source_reference,
            sales_order=sales_order,
            issue_date=date_input(issue_date, field="issue_date", blank=timezone.localdate()),
            user=user,
        )
    except IntegrityError:
        # Another transaction raised the invoice for this reference first: answer with it.
        if source_reference:
            existing = _invoice_for_reference(source_reference, customer)
            if existing is not None:
                return existing
        raise


def _invoice_for_reference(source_reference: str, customer) -> Invoice | None:
    existing = Invoice.objects.filter(source_reference=source_reference).first()
    if existing is not None and existing.customer_id != customer.pk:
        raise ValidationError(
            {"source_reference": _("This reference was already invoiced to another customer.")}
        )
    return existing


def due_date_for(customer, issue_date: date) -> date:
    """The customer's payment terms from ``issue_date``."""
    return issue_date + timedelta(days=customer.payment_terms_days or 0)


@atomic_with_retry
def _invoice_insert(
    *, customer, priced, source_reference, sales_order, issue_date, user, due_date=None, is_opening=False
) -> Invoice:
    subtotal, tax_total = _totals(priced)
    invoice = Invoice.objects.create(
        number=document_number(prefix="INV", when=issue_date, digits=5),
        customer=customer,
        sales_order=sales_order,
        source_reference=source_reference,
        issue_date=issue_date,
        due_date=due_date or due_date_for(customer, issue_date),
        subtotal=subtotal,
        tax_total=tax_total,
        total=subtotal + tax_total,
        is_opening=is_opening,
        created_by=_user(user),
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                product=p["product"],
                sales_order_line_id=p["sales_order_line_id"],
                description=p["description"],
                quantity=p["quantity"],
                unit_price=p["unit_price"],
                tax_rate=p["tax_rate"],
                net_amount=p["net_amount"],
                tax_amount=p["tax_amount"],
            )
            for p in priced
        ]
    )
    audit(
        "invoice.created",
        actor=_user(user),
        obj=invoice,
        data={
            "number": invoice.number,
            "total": str(invoice.total),
            "source_reference": source_reference,
            "opening": is_opening,
        },
    )
    publish(
        names.INVOICE_CREATED,
        {
            "invoice_id": invoice.pk,
            "number": invoice.number,
            "customer_id": customer.pk,
            "sales_order_id": invoice.sales_order_id,
            "source_reference": source_reference,
            "total": str(invoice.total),
            "opening": is_opening,
        },
    )
    return invoice


# The one line of an opening invoice or bill: stored text, in both languages, since the
# document is read (and printed) in either.
OPENING_RECEIVABLE_TEXT = "期初应收 / Opening balance"
OPENING_NOTE_CHARS = 200
DOCUMENT_CHARS = 60


def opening_amount_input(amount, *, field: str = "amount") -> Decimal:
    """An opening balance's amount: a number, in cents, more than 0 (one rule for receivables
    and payables, their services and their imports)."""
    value = money(decimal_input(amount, field=field))
    if value <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    return value


def opening_dates_input(issue_date, due_date, *, default_due) -> tuple[date, date]:
    """The issue date (required) and the due date (``default_due(issue_date)`` when empty) of an
    opening balance; the due date may not come before the issue date."""
    issue = date_input(issue_date, field="issue_date")
    due = date_input(due_date, field="due_date", blank=default_due(issue))
    if due < issue:
        raise ValidationError({"due_date": _("The due date is before the issue date.")})
    return issue, due


def opening_note_input(note) -> str:
    """An opening balance's note, at most ``OPENING_NOTE_CHARS`` characters."""
    note = str(note or "").strip()
    if len(note) > OPENING_NOTE_CHARS:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": OPENING_NOTE_CHARS}})
    return note


def opening_document_input(document) -> str:
    """An opening balance's old document number, at most ``DOCUMENT_CHARS`` characters. It is
    required: it is what tells a balance brought over twice (a file imported again) from two
    balances."""
    document = str(document or "").strip()
    if not document:
        message = _("Enter the old document number: it keeps a balance from being brought over twice.")
        raise ValidationError({"document": message})
    if len(document) > DOCUMENT_CHARS:
        raise ValidationError({"document": _("At most %(n)s characters.") % {"n": DOCUMENT_CHARS}})
    return document


def _opening_text(base: str, note: str) -> str:
    """The opening line's description: the fixed text, and the note when there is one."""
    return f"{base} · {note}" if note else base


def opening_invoice_create(
    *,
    customer,
    amount,
    issue_date,
    due_date=None,
    document: str = "",
    note: str = "",
    user=None,
) -> Invoice:
    """Bring over what ``customer`` owed on the old books: an open invoice of one untaxed line
    ("期初应收 / Opening balance", with ``note``) of ``amount``, numbered as every invoice, marked
    ``is_opening``, with the old invoice number ``document`` as its source reference. It counts
    in aging, statements and credit exposure like any open invoice.

    ``due_date`` defaults to the issue date plus the customer's payment terms. A ``document``
    already on an invoice is refused (``ValidationError`` on ``document``): unlike
    ``invoice_create``, bringing the same old invoice over twice is a mistake, not a retry.
    Publishes ``invoice.created`` with ``"opening": true`` (today read only by the cash facts;
    a handler that would tell the customer of a new invoice must leave these out). Runs in one
    transaction (joins the caller's: an import writes a whole file in one).
    """
    amount = opening_amount_input(amount)
    issue, due = opening_dates_input(
        issue_date, due_date, default_due=lambda day: due_date_for(customer, day)
    )
    document = opening_document_input(document)
    priced = _priced_lines(
        [
            {
                "description": _opening_text(OPENING_RECEIVABLE_TEXT, opening_note_input(note)),
                "quantity": 1,
                "unit_price": amount,
                "tax_rate": 0,
            }
        ]
    )
    if document and Invoice.objects.filter(source_reference=document).exists():
        raise ValidationError({"document": _document_taken(document, customer)})
    try:
        return _invoice_insert(
            customer=customer,
            priced=priced,
            source_reference=document,
            sales_order=None,
            issue_date=issue,
            due_date=due,
            is_opening=True,
            user=user,
        )
    except IntegrityError:
        # Entered at the same moment by another import: the unique reference decided.
        if document and Invoice.objects.filter(source_reference=document).exists():
            raise ValidationError({"document": _document_taken(document, customer)}) from None
        raise


def _document_taken(document: str, customer) -> str:
    same = Invoice.objects.filter(source_reference=document, customer=customer).exists()
    return opening_document_taken(document, same_customer=same)


def opening_document_taken(document: str, *, same_customer: bool) -> str:
    """Why an old invoice number already on an invoice cannot be brought over again."""
    if same_customer:
        return _("Invoice %(document)s of this customer is already entered.") % {"document": document}
    return _("%(document)s is already the reference of another customer's invoice.") % {"document": document}


@atomic_with_retry
def invoice_cancel(*, invoice: Invoice, reason: str, user=None) -> Invoice:
    """Cancel an invoice that has no payments and no credit notes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the cancellation.")})
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.state == Invoice.State.CANCELLED:
        raise ValidationError({"invoice": _("The invoice is already cancelled.")})
    if locked.paid_amount > 0 or locked.allocations.exists():
        raise ValidationError({"invoice": _("An invoice with payments cannot be cancelled.")})
    if locked.credited_amount > 0:
        raise ValidationError({"invoice": _("An invoice with credit notes cannot be cancelled.")})
    locked.state = Invoice.State.CANCELLED
    locked.cancel_reason = reason[:300]
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["state", "cancel_reason", "cancelled_at"])
    audit("invoice.cancelled", actor=_user(user), obj=locked, data={"reason": locked.cancel_reason})
    publish(
        names.INVOICE_CANCELLED,
        {"invoice_id": locked.pk, "sales_order_id": locked.sales_order_id, "customer_id": locked.customer_id},
    )
    invoice.state, invoice.cancel_reason, invoice.cancelled_at = (
        locked.state,
        locked.cancel_reason,
        locked.cancelled_at,
    )
    return locked


def _settle(invoice: Invoice, *, paid: Decimal = ZERO, credited: Decimal = ZERO) -> bool:
    """Move a locked invoice's figures by ``paid`` / ``credited`` and set its state.
    Returns True when this move made it fully settled (so ``invoice.paid`` goes out once)."""
    became_settled = settle(
        invoice,
        paid=paid,
        credited=credited,
        paid_state=Invoice.State.PAID,
        partly_state=Invoice.State.PARTLY_PAID,
        unpaid_state=Invoice.State.OPEN,
    )
    if became_settled:
        publish(names.INVOICE_PAID, {"invoice_id": invoice.pk, "sales_order_id": invoice.sales_order_id})
    return became_settled


def _check_share(inv: Invoice | None, share: Decimal, customer_id: int) -> None:
    """Refuse an allocation to a missing, foreign or cancelled invoice, or above its open amount."""
    if inv is None or inv.customer_id != customer_id:
        raise ValidationError({"allocations": _("The invoice belongs to another customer.")})
    if inv.state == Invoice.State.CANCELLED:
        message = _("Invoice %(number)s is cancelled and cannot be paid.") % {"number": inv.number}
        raise ValidationError({"allocations": message})
    if share > inv.open_amount:
        message = _("%(amount)s is more than the %(open)s open on invoice %(number)s.") % {
            "amount": share,
            "open": inv.open_amount,
            "number": inv.number,
        }
        raise ValidationError({"allocations": message})


# --- credit notes ---------------------------------------------------------------------------


@atomic_with_retry
def _line_fields(priced: dict) -> dict:
    """A priced line's fields as a credit note line stores them."""
    names = ("product", "sales_order_line_id", "description", "quantity", "unit_price", "tax_rate")
    return {name: priced[name] for name in (*names, "net_amount", "tax_amount")}


def _lock_creditable(invoice: Invoice, total: Decimal) -> Invoice:
    """The invoice, locked, if ``total`` may be credited on it: not cancelled, enough open."""
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.state == Invoice.State.CANCELLED:
        raise ValidationError({"invoice": _("A cancelled invoice cannot be credited.")})
    if total > locked.open_amount:
        raise ValidationError(
            {
                "lines": _("The credit note (%(total)s) is more than the %(open)s open on the invoice.")
                % {"total": total, "open": locked.open_amount}
            }
        )
    return locked


def credit_note_create(
    *, invoice: Invoice, lines: list[dict], reason: str, user=None, issue_date=None
) -> CreditNote:
    """Credit part or all of an invoice's open amount (a return, a price correction).

    Lines are dicts like ``invoice_create``'s. The credit note's total cannot exceed what is
    still open on the invoice; the invoice is locked while its figures move.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the credit note.")})
    priced = _priced_lines(lines)
    subtotal, tax_total = _totals(priced)
    total = subtotal + tax_total
    if total <= 0:
        raise ValidationError({"lines": _("The credit note must be for more than zero.")})
    locked = _lock_creditable(invoice, total)
    issue_date = date_input(issue_date, field="issue_date", blank=timezone.localdate())
    note = CreditNote.objects.create(
        number=document_number(prefix="CN", when=issue_date, digits=5),
        invoice=locked,
        customer_id=locked.customer_id,
        issue_date=issue_date,
        reason=reason[:300],
        subtotal=subtotal,
        tax_total=tax_total,
        total=total,
        created_by=_user(user),
    )
    CreditNoteLine.objects.bulk_create([CreditNoteLine(credit_note=note, **_line_fields(p)) for p in priced])
    _settle(locked, credited=total)
    audit(
        "credit_note.created",
        actor=_user(user),
        obj=note,
        data={"number": note.number, "invoice": locked.number, "total": str(total), "reason": note.reason},
    )
    publish(
        names.CREDIT_NOTE_CREATED,
        {
            "credit_note_id": note.pk,
            "invoice_id": locked.pk,
            "customer_id": locked.customer_id,
            "total": str(total),
        },
    )
    invoice.paid_amount, invoice.credited_amount, invoice.state = (
        locked.paid_amount,
        locked.credited_amount,
        locked.state,
    )
    return note
