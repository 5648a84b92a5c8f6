"""Payables reads: bill lists and totals, the bills due, AP aging (the same buckets as
receivables: ``finance.selectors.aging_rows``), supplier balances and statements (对账单), and
receivables, payables and net for a party that is both customer and supplier.

Who reads: finance and managers everything; purchasing reads bills (it answers the suppliers'
questions about them). The roles are checked by the pages and the API (``READ``)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, F, Func, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import money, unit_price
from crm.customers.models import Customer
from finance import selectors as ar
from finance.models import Invoice, Payment
from finance.payables.models import Bill, SupplierCreditNote, SupplierPayment
from finance.selectors import MONEY, OPEN_AMOUNT, ZERO, StatementEntry, _sum, aging_rows, statement_build
from scm.purchasing.billing import billable_quantity
from scm.purchasing.models import PurchaseOrderLine, Supplier

DUE_SOON_DAYS = 7


def bills_for(
    user=None,
    *,
    state: str = "",
    supplier_id=None,
    overdue: bool = False,
    due_soon: bool = False,
    to_pay: bool = False,
    q: str = "",
    as_of: date | None = None,
):
    """Bills, filtered; supplier and order joined so a list page costs fixed queries.
    ``due_soon``: open and due in the next ``DUE_SOON_DAYS`` days (not yet overdue);
    ``to_pay``: open and overdue or due in the next ``DUE_SOON_DAYS`` days."""
    as_of = as_of or timezone.localdate()
    qs = Bill.objects.select_related("supplier", "purchase_order").annotate(open_amount_db=OPEN_AMOUNT)
    if state:
        qs = qs.filter(state=state)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if overdue:
        qs = qs.filter(state__in=Bill.OPEN_STATES, due_date__lt=as_of)
    if due_soon:
        qs = qs.filter(
            state__in=Bill.OPEN_STATES,
            due_date__gte=as_of,
            due_date__lte=as_of + timedelta(days=DUE_SOON_DAYS),
        )
    if to_pay:
        qs = qs.filter(state__in=Bill.OPEN_STATES, due_date__lte=as_of + timedelta(days=DUE_SOON_DAYS))
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(supplier__name__icontains=q)
            | Q(supplier_invoice_number__icontains=q)
            | Q(purchase_order__number__icontains=q)
        )
    return qs


def bill_totals(qs) -> dict:
    """Totals of a filtered bill list (one query); cancelled bills count for nothing."""
    live = ~Q(state=Bill.State.CANCELLED)
    figures = qs.aggregate(
        sum_total=_sum(Case(When(live, then=F("total")), default=Value(ZERO), output_field=MONEY)),
        sum_paid=_sum(Case(When(live, then=F("paid_amount")), default=Value(ZERO), output_field=MONEY)),
        sum_open=_sum(Case(When(live, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)),
    )
    return {"total": figures["sum_total"], "paid": figures["sum_paid"], "open": figures["sum_open"]}


def bill_detail(*, pk) -> Bill:
    """One bill with its lines (and their order lines), allocations and credit notes."""
    return (
        bills_for()
        .select_related("created_by", "mismatch_accepted_by")
        .prefetch_related("lines__po_line__order", "allocations__payment", "credit_notes")
        .get(pk=pk)
    )


def supplier_payments_for(*, supplier_id=None):
    qs = SupplierPayment.objects.select_related("supplier", "created_by")
    return qs.filter(supplier_id=supplier_id) if supplier_id else qs


def supplier_credit_notes_for(*, supplier_id=None):
    qs = SupplierCreditNote.objects.select_related("supplier", "bill")
    return qs.filter(supplier_id=supplier_id) if supplier_id else qs


def payable_bills(*, supplier_id):
    """The supplier's bills that may be paid, oldest due first (the payment form)."""
    return (
        Bill.objects.filter(supplier_id=supplier_id, state__in=Bill.PAYABLE_STATES)
        .annotate(open_amount_db=OPEN_AMOUNT)
        .order_by("due_date", "issue_date", "pk")
    )


def billable_order_lines(*, supplier_id):
    """Order lines of the supplier with goods accepted into stock and not yet billed, with
    what is left to bill (base units) and the order's price per base unit (the bill form)."""
    lines = list(
        PurchaseOrderLine.objects.filter(
            order__supplier_id=supplier_id, accepted_quantity__gt=F("billed_quantity")
        )
        .select_related("order", "product")
        .order_by("order_id", "pk")
    )

    for line in lines:
        line.billable = billable_quantity(line)
        line.bill_price = unit_price(line.base_unit_price)
    return lines


def receipt_bill_lines(*, supplier_id, receipt_ids) -> list[dict]:
    """Bill lines for the goods accepted on posted receipts ``receipt_ids`` of the supplier:
    one per order line, the quantity accepted on those receipts (at most what is not yet billed
    on the order line), at the order's price (``bill_create`` fills it in). One query."""
    from scm.purchasing.models import Receipt, ReceiptLine

    rows = (
        ReceiptLine.objects.filter(
            receipt_id__in=receipt_ids,
            receipt__state=Receipt.State.POSTED,
            receipt__supplier_id=supplier_id,
            accepted_quantity__gt=0,
        )
        .select_related("po_line")
        .order_by("po_line_id", "pk")
    )
    wanted: dict[int, dict] = {}
    for row in rows:
        entry = wanted.setdefault(
            row.po_line_id, {"po_line": row.po_line_id, "quantity": Decimal(0), "line": row.po_line}
        )
        entry["quantity"] += row.accepted_quantity
    lines = []
    for entry in wanted.values():
        line = entry.pop("line")
        entry["quantity"] = min(entry["quantity"], billable_quantity(line))
        if entry["quantity"] > 0:
            lines.append(entry)
    return lines


# --- due ------------------------------------------------------------------------------------


def bills_due(as_of: date | None = None) -> dict:
    """Open bills overdue and due in the next ``DUE_SOON_DAYS`` days: counts and amounts (one
    query)."""
    as_of = as_of or timezone.localdate()
    soon = Q(due_date__gte=as_of, due_date__lte=as_of + timedelta(days=DUE_SOON_DAYS))
    late = Q(due_date__lt=as_of)
    from django.db.models import Count

    figures = Bill.objects.filter(state__in=Bill.OPEN_STATES).aggregate(
        overdue_count=Count("pk", filter=late),
        overdue_amount=_sum(Case(When(late, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)),
        due_count=Count("pk", filter=soon),
        due_amount=_sum(Case(When(soon, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)),
    )
    return {"as_of": as_of, **figures}


# --- balances, aging, statement ---------------------------------------------------------------


def unapplied_credit(*, supplier_id=None) -> Decimal:
    """Supplier credit notes on the account (not against a bill): they lower what is owed."""
    qs = SupplierCreditNote.objects.filter(bill__isnull=True)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return money(qs.aggregate(v=_sum("total"))["v"])


def supplier_balance(*, supplier_id, as_of: date | None = None) -> dict:
    """What is owed to one supplier: open, overdue, on hold, credit on account, balance."""
    as_of = as_of or timezone.localdate()
    figures = Bill.objects.filter(supplier_id=supplier_id, state__in=Bill.OPEN_STATES).aggregate(
        open=_sum(OPEN_AMOUNT),
        overdue=_sum(
            Case(When(due_date__lt=as_of, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)
        ),
        on_hold=_sum(
            Case(When(state=Bill.State.ON_HOLD, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)
        ),
    )
    credit = unapplied_credit(supplier_id=supplier_id)
    return {
        "open": money(figures["open"]),
        "overdue": money(figures["overdue"]),
        "on_hold": money(figures["on_hold"]),
        "unapplied_credit": credit,
        "balance": money(figures["open"] - credit),
    }


def ap_aging(as_of: date | None = None, supplier_id=None) -> dict:
    """Open bill amounts per supplier in the aging buckets (the receivables' definition), with
    totals. Two queries (``aging_rows``), whatever the number of suppliers and bills."""
    as_of = as_of or timezone.localdate()
    qs = Bill.objects.filter(state__in=Bill.OPEN_STATES)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    report = aging_rows(qs, party="supplier", as_of=as_of)
    return {
        "as_of": as_of,
        "buckets": report["buckets"],
        "suppliers": report["rows"],
        "totals": report["totals"],
    }


def ap_aging_totals(as_of: date | None = None) -> dict:
    """``ap_aging``'s buckets and totals without the suppliers' rows: one query."""
    return ar.aging_totals(
        Bill.objects.filter(state__in=Bill.OPEN_STATES), as_of=as_of or timezone.localdate()
    )


def _owed_before(supplier_id, day: date) -> Decimal:
    billed = (
        Bill.objects.filter(supplier_id=supplier_id, issue_date__lt=day)
        .exclude(state=Bill.State.CANCELLED)
        .aggregate(v=_sum("total"))["v"]
    )
    paid = SupplierPayment.objects.filter(supplier_id=supplier_id, paid_at__lt=day).aggregate(
        v=_sum("amount")
    )["v"]
    credited = SupplierCreditNote.objects.filter(supplier_id=supplier_id, issue_date__lt=day).aggregate(
        v=_sum("total")
    )["v"]
    return money(billed - paid - credited)


def supplier_statement(supplier_id, date_from: date, date_to: date) -> dict:
    """The supplier reconciliation statement (对账单): what was owed at ``date_from``, every bill
    (raises it), payment and credit note (lower it) up to ``date_to`` with the running balance,
    and what is owed at the end. Cancelled bills are left out. Six queries."""
    opening = _owed_before(supplier_id, date_from)
    entries: list[StatementEntry] = []
    for bill in Bill.objects.filter(
        supplier_id=supplier_id, issue_date__gte=date_from, issue_date__lte=date_to
    ).exclude(state=Bill.State.CANCELLED):
        entries.append(
            StatementEntry(
                bill.issue_date,
                "bill",
                bill.number,
                bill.supplier_invoice_number,
                bill.total,
                ZERO,
                pk=bill.pk,
            )
        )
    for pay in SupplierPayment.objects.filter(
        supplier_id=supplier_id, paid_at__gte=date_from, paid_at__lte=date_to
    ):
        text = " ".join(part for part in (pay.method_label, pay.reference) if part)
        entries.append(StatementEntry(pay.paid_at, "payment", pay.number, text, ZERO, pay.amount, pk=pay.pk))
    for note in SupplierCreditNote.objects.filter(
        supplier_id=supplier_id, issue_date__gte=date_from, issue_date__lte=date_to
    ):
        entries.append(
            StatementEntry(
                note.issue_date, "credit_note", note.number, note.reason, ZERO, note.total, pk=note.pk
            )
        )
    return statement_build(
        entries,
        opening,
        order=("bill", "credit_note", "payment"),
        supplier_id=supplier_id,
        date_from=date_from,
        date_to=date_to,
    )


# --- receivables, payables, net -------------------------------------------------------------


def customers_matching(supplier: Supplier):
    """The customers that are the same company as ``supplier``: the same tax id (where
    customers keep one) or the same normalised name (``core.search.normalize_name``)."""
    cond = Q()
    if supplier.name_normalized:
        cond |= Q(name_normalized=supplier.name_normalized)
    if supplier.tax_id and any(f.name == "tax_id" for f in Customer._meta.get_fields()):
        cond |= Q(tax_id=supplier.tax_id)
    if not cond:
        return Customer.objects.none()
    return Customer.objects.filter(cond).order_by("search_pinyin", "pk")


def party_position(supplier: Supplier) -> dict:
    """Receivables (what the matching customers owe us), payables (what we owe the supplier)
    and the net (positive: they owe us on balance)."""
    customers = list(customers_matching(supplier).only("pk", "code", "name"))
    ids = [c.pk for c in customers]
    receivable = ZERO
    if ids:
        owed = Invoice.objects.filter(customer_id__in=ids, state__in=Invoice.OPEN_STATES).aggregate(
            v=_sum(OPEN_AMOUNT)
        )["v"]
        credit = ar.unapplied_credit_total(customer_ids=ids)
        receivable = money(owed - credit)
    payable = supplier_balance(supplier_id=supplier.pk)["balance"]
    return {
        "supplier": supplier,
        "customers": customers,
        "receivable": receivable,
        "payable": payable,
        "net": money(receivable - payable),
    }


def _sum_of(qs, expression) -> Coalesce:
    """``SUM(expression)`` over ``qs`` as a scalar subquery (no GROUP BY), 0 when empty."""
    total = (
        qs.order_by().annotate(_total=Func(expression, function="SUM", output_field=MONEY)).values("_total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def ar_ap_summary() -> dict:
    """The company's receivables (open invoices less unapplied payments), payables (open bills
    less credit on account) and net: the finance home. Two queries."""
    receivable = Invoice.objects.filter(state__in=Invoice.OPEN_STATES).aggregate(
        v=_sum(OPEN_AMOUNT) - _sum_of(Payment.objects.all(), F("amount") - F("allocated_amount"))
    )["v"]
    payable = Bill.objects.filter(state__in=Bill.OPEN_STATES).aggregate(
        v=_sum(OPEN_AMOUNT) - _sum_of(SupplierCreditNote.objects.filter(bill__isnull=True), F("total"))
    )["v"]
    receivable, payable = money(receivable), money(payable)
    return {"receivable": receivable, "payable": payable, "net": money(receivable - payable)}
