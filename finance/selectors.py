"""Receivables reads: balances, statements, aging and credit exposure, under the customers'
record rule (``crm.customers.selectors``: a sales rep sees the customers they own or their
team's; everyone else with a role, finance and managers among them, sees every customer)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, CharField, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import money
from crm.customers.models import Customer
from crm.customers.selectors import customer_visible_q, customers_visible_to
from crm.sales.orders import selectors as order_selectors
from finance.models import CreditNote, Invoice, Payment

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)

# (key, label key, first day past due, last day past due or None)
AGING_BUCKETS = (
    ("current", None, 0),
    ("d1_30", 1, 30),
    ("d31_60", 31, 60),
    ("d61_90", 61, 90),
    ("over_90", 91, None),
)


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


OPEN_AMOUNT = ExpressionWrapper(F("total") - F("paid_amount") - F("credited_amount"), output_field=MONEY)


# --- record rules ---------------------------------------------------------------------------


def visible_customers(user):
    """The customers ``user`` may see: the customers' own record rule
    (``crm.customers.selectors.customers_visible_to``)."""
    return customers_visible_to(user)


def _visible_ids(user):
    return visible_customers(user).values("pk")


def _only_visible(qs, user):
    """``qs`` limited to the customers ``user`` may see, by the customers' own rule: no filter
    (no subquery) where that rule is everyone's (an empty Q)."""
    if customer_visible_q(user):
        qs = qs.filter(customer_id__in=_visible_ids(user))
    return qs


def invoices_for(user, *, state: str = "", customer_id=None, overdue: bool = False, q: str = "", as_of=None):
    """Invoices ``user`` may see, filtered; customer joined so a list page costs fixed queries."""
    qs = Invoice.objects.select_related("customer", "sales_order").annotate(open_amount_db=OPEN_AMOUNT)
    qs = _only_visible(qs, user)
    if state:
        qs = qs.filter(state=state)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if overdue:
        qs = qs.filter(state__in=Invoice.OPEN_STATES, due_date__lt=as_of or timezone.localdate())
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(source_reference__icontains=q)
        )
    return qs


def invoice_totals(qs) -> dict:
    """Totals of a filtered invoice list (one query); cancelled invoices count for nothing."""
    live = ~Q(state=Invoice.State.CANCELLED)
    figures = qs.aggregate(
        sum_total=_sum(Case(When(live, then=F("total")), default=Value(ZERO), output_field=MONEY)),
        sum_paid=_sum(Case(When(live, then=F("paid_amount")), default=Value(ZERO), output_field=MONEY)),
        sum_open=_sum(Case(When(live, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)),
    )
    return {"total": figures["sum_total"], "paid": figures["sum_paid"], "open": figures["sum_open"]}


def payments_for(user, *, customer_id=None):
    qs = Payment.objects.select_related("customer", "created_by")
    qs = _only_visible(qs, user)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs


def credit_notes_for(user, *, customer_id=None):
    qs = CreditNote.objects.select_related("customer", "invoice")
    qs = _only_visible(qs, user)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs


def invoice_detail(*, user, pk: int) -> Invoice:
    """One invoice the user may see, with lines, allocations and credit notes (raises DoesNotExist)."""
    return invoices_for(user).prefetch_related("lines", "allocations__payment", "credit_notes").get(pk=pk)


# --- balances -------------------------------------------------------------------------------


def open_invoices(*, customer_id):
    return (
        Invoice.objects.filter(customer_id=customer_id, state__in=Invoice.OPEN_STATES)
        .annotate(open_amount_db=OPEN_AMOUNT)
        .order_by("due_date", "issue_date", "pk")
    )


def unapplied_credit(*, customer_id) -> Decimal:
    """Money received from the customer and not yet applied to an invoice."""
    return Payment.objects.filter(customer_id=customer_id).aggregate(
        v=_sum(F("amount") - F("allocated_amount"))
    )["v"]


def unapplied_credit_total(customer_ids=None) -> Decimal:
    """Money received from every customer (or those of ``customer_ids``) and not yet applied."""
    qs = (
        Payment.objects.all()
        if customer_ids is None
        else Payment.objects.filter(customer_id__in=customer_ids)
    )
    return qs.aggregate(v=_sum(F("amount") - F("allocated_amount")))["v"]


def open_receivables(*, customer_id) -> Decimal:
    """What the customer owes: open invoice amounts minus unapplied credit (may be negative)."""
    owed = Invoice.objects.filter(customer_id=customer_id, state__in=Invoice.OPEN_STATES).aggregate(
        v=_sum(OPEN_AMOUNT)
    )["v"]
    return money(owed - unapplied_credit(customer_id=customer_id))


def customer_balance(*, customer_id, as_of: date | None = None) -> dict:
    """Balance figures for one customer: open, overdue, unapplied credit, balance (= open − credit)."""
    as_of = as_of or timezone.localdate()
    figures = Invoice.objects.filter(customer_id=customer_id, state__in=Invoice.OPEN_STATES).aggregate(
        open=_sum(OPEN_AMOUNT),
        overdue=_sum(
            Case(When(due_date__lt=as_of, then=OPEN_AMOUNT), default=Value(ZERO), output_field=MONEY)
        ),
    )
    credit = unapplied_credit(customer_id=customer_id)
    return {
        "open": money(figures["open"]),
        "overdue": money(figures["overdue"]),
        "unapplied_credit": money(credit),
        "balance": money(figures["open"] - credit),
    }


def credit_exposure(*, customer: Customer, adding: Decimal = ZERO, limited_only: bool = False) -> dict:
    """The customer's credit exposure, the one definition behind the confirmation's credit
    check, the order form's "credit left", the customer 360 balance panel and the receivables
    API: what the customer owes (``open_receivables``: open invoices less unapplied payments)
    plus what it will owe once we ship (``crm.sales.orders.selectors.open_orders``: the
    uninvoiced part of accepted orders; orders on credit hold, drafts and cancelled orders do not
    count — see there why), plus ``adding`` (the order being confirmed), against the limit.

    A credit limit of 0 means no limit was set: ``limit`` and ``available`` are None and the
    customer is never over it (never put on credit hold). With ``limited_only`` such a customer
    costs no query: the receivables and open orders are then None too (the credit check of
    every confirmation). ``customer`` needs its ``credit_limit``. Three queries otherwise."""
    limit = customer.credit_limit
    limited = bool(limit) and limit > 0
    if limited_only and not limited:
        return {
            "limit": None,
            "receivables": None,
            "open_orders": None,
            "adding": money(adding),
            "exposure": None,
            "available": None,
            "over_limit": False,
        }
    receivables = open_receivables(customer_id=customer.pk)
    open_orders = order_selectors.open_orders(customer_id=customer.pk)["amount"]
    exposure = receivables + open_orders + money(adding)
    return {
        "limit": money(limit) if limited else None,
        "receivables": receivables,
        "open_orders": open_orders,
        "adding": money(adding),
        "exposure": exposure,
        "available": money(limit - exposure) if limited else None,
        "over_limit": limited and exposure > limit,
    }


# --- statement ------------------------------------------------------------------------------


@dataclass
class StatementEntry:
    date: date
    kind: str  # invoice | payment | credit_note
    number: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO
    pk: int | None = None


def _movements_before(customer_id, day: date) -> Decimal:
    invoiced = (
        Invoice.objects.filter(customer_id=customer_id, issue_date__lt=day)
        .exclude(state=Invoice.State.CANCELLED)
        .aggregate(v=_sum("total"))["v"]
    )
    paid = Payment.objects.filter(customer_id=customer_id, paid_at__lt=day).aggregate(v=_sum("amount"))["v"]
    credited = CreditNote.objects.filter(customer_id=customer_id, issue_date__lt=day).aggregate(
        v=_sum("total")
    )["v"]
    return money(invoiced - paid - credited)


def customer_statement(customer_id, date_from: date, date_to: date) -> dict:
    """Opening balance at ``date_from``, every invoice, payment and credit note up to ``date_to``
    with the running balance, and the closing balance. Cancelled invoices are left out."""
    opening = _movements_before(customer_id, date_from)
    entries: list[StatementEntry] = []
    for inv in Invoice.objects.filter(
        customer_id=customer_id, issue_date__gte=date_from, issue_date__lte=date_to
    ).exclude(state=Invoice.State.CANCELLED):
        entries.append(
            StatementEntry(
                inv.issue_date, "invoice", inv.number, inv.source_reference, inv.total, ZERO, pk=inv.pk
            )
        )
    for pay in Payment.objects.filter(customer_id=customer_id, paid_at__gte=date_from, paid_at__lte=date_to):
        text = " ".join(part for part in (pay.method_label, pay.reference) if part)
        entries.append(StatementEntry(pay.paid_at, "payment", pay.number, text, ZERO, pay.amount, pk=pay.pk))
    for note in CreditNote.objects.filter(
        customer_id=customer_id, issue_date__gte=date_from, issue_date__lte=date_to
    ).select_related("invoice"):
        entries.append(
            StatementEntry(
                note.issue_date, "credit_note", note.number, note.reason, ZERO, note.total, pk=note.pk
            )
        )
    return statement_build(
        entries,
        opening,
        order=("invoice", "credit_note", "payment"),
        customer_id=customer_id,
        date_from=date_from,
        date_to=date_to,
    )


def statement_build(entries: list[StatementEntry], opening: Decimal, *, order, **head) -> dict:
    """A statement from its entries (any party: customers, suppliers): sorted by date, then by
    kind in ``order``; running balance from ``opening``; totals and the closing balance."""
    rank = {kind: i for i, kind in enumerate(order)}
    entries.sort(key=lambda e: (e.date, rank[e.kind], e.pk or 0))
    balance = opening
    for entry in entries:
        balance = balance + entry.debit - entry.credit
        entry.balance = balance
    return {
        **head,
        "opening_balance": opening,
        "entries": entries,
        "total_debit": sum((e.debit for e in entries), ZERO),
        "total_credit": sum((e.credit for e in entries), ZERO),
        "closing_balance": balance,
    }


# --- aging ----------------------------------------------------------------------------------


def _bucket_condition(key: str, first, last, as_of: date) -> Q:
    """Days past due = as_of − due_date. ``current`` is not yet due (0 days or fewer)."""
    if key == "current":
        return Q(due_date__gte=as_of)
    cond = Q(due_date__lte=as_of - timedelta(days=first))
    if last is not None:
        cond &= Q(due_date__gte=as_of - timedelta(days=last))
    return cond


def _aging_bucket(as_of: date) -> Case:
    return Case(
        *(
            When(_bucket_condition(key, first, last, as_of), then=Value(key))
            for key, first, last in AGING_BUCKETS
        ),
        output_field=CharField(),
    )


def aging_totals(qs, *, as_of: date) -> dict:
    """``aging_rows``' totals alone (the same buckets, every party together): the open amounts
    of ``qs`` per bucket and in all. One query, a row per bucket: for a figure that needs no
    party's row."""
    keys = [key for key, _first, _last in AGING_BUCKETS]
    totals = dict.fromkeys([*keys, "total"], ZERO)
    for key, amount in (
        qs.order_by()
        .annotate(aging_bucket=_aging_bucket(as_of))
        .values("aging_bucket")
        .annotate(amount=_sum(OPEN_AMOUNT))
        .values_list("aging_bucket", "amount")
    ):
        if key in totals:
            totals[key] = money(amount)
    totals["total"] = money(sum((totals[k] for k in keys), ZERO))
    return {"as_of": as_of, "buckets": keys, "totals": totals}


def receivables_aging_totals(as_of: date | None = None, user=None) -> dict:
    """``aging``'s buckets and totals without the customers' rows: one query."""
    qs = Invoice.objects.filter(state__in=Invoice.OPEN_STATES)
    if user is not None:
        qs = _only_visible(qs, user)
    return aging_totals(qs, as_of=as_of or timezone.localdate())


def aging_rows(qs, *, party: str, as_of: date) -> dict:
    """The one aging definition (receivables and payables): the open amounts of ``qs`` (invoices
    or bills: ``total``, ``paid_amount``, ``credited_amount``, ``due_date``) per ``party`` (the
    foreign key: "customer", "supplier") in ``AGING_BUCKETS`` by days past due, with totals,
    parties by name. Two queries, whatever the number of parties and documents: the open amounts
    summed per party and bucket (one sum per row: cheaper than a sum per bucket over every row,
    and grouped by the party's id alone), then the parties with open amounts in name order."""
    keys = [key for key, _first, _last in AGING_BUCKETS]
    bucket = _aging_bucket(as_of)
    sums = (
        qs.order_by()
        .annotate(aging_bucket=bucket)
        .values(f"{party}_id", "aging_bucket")
        .annotate(amount=_sum(OPEN_AMOUNT))
        .values_list(f"{party}_id", "aging_bucket", "amount")
    )
    amounts: dict[int, dict] = {}
    for party_id, key, amount in sums:
        amounts.setdefault(party_id, dict.fromkeys(keys, ZERO))[key] = amount
    model = qs.model._meta.get_field(party).related_model
    named = (
        model.objects.filter(pk__in=qs.order_by().values(f"{party}_id"))
        .order_by("search_pinyin", "pk")
        .values_list("pk", "code", "name")
    )
    totals = dict.fromkeys([*keys, "total"], ZERO)
    parties = []
    for party_id, code, name in named:
        figures = amounts.get(party_id)
        if figures is None:  # a document written between the two queries
            continue
        entry = {
            f"{party}_id": party_id,
            "code": code,
            "name": name,
            **{key: money(figures[key]) for key in keys},
            "total": money(sum(figures.values(), ZERO)),
        }
        parties.append(entry)
        for key in [*keys, "total"]:
            totals[key] += entry[key]
    return {"as_of": as_of, "buckets": keys, "rows": parties, "totals": totals}


def aging(as_of: date | None = None, customer_id=None, user=None) -> dict:
    """Open invoice amounts per customer in buckets by days past due (current, 1–30, 31–60,
    61–90, > 90), with totals (``aging_rows``). Two queries, whatever the number of
    invoices."""
    as_of = as_of or timezone.localdate()
    qs = Invoice.objects.filter(state__in=Invoice.OPEN_STATES)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if user is not None:
        qs = _only_visible(qs, user)
    report = aging_rows(qs, party="customer", as_of=as_of)
    return {
        "as_of": as_of,
        "buckets": report["buckets"],
        "customers": report["rows"],
        "totals": report["totals"],
    }
