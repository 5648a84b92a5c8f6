"""Demo receivables: payments on this week's shipment invoices, a credit note and a payment in
advance; and, when the fulfilment step left no order history (a module loaded on its own), six
months of invoices and payments (full and partial) so that every aging bucket has something in it.

What the first customers owed on the old books when the company moved to Tandem two years ago
came over as opening balances (``services.opening_invoice_create``): two were paid within weeks,
one is still being paid off in instalments.

Runs after the fulfilment step. Invoices that fulfilment already raised from shipments (they
carry a ``source_reference``) are not duplicated: some of the recent ones get paid instead; the
order history's invoices were settled by fulfilment and are left as they are. With no customers
in the database the step creates nothing.
"""

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from core.dates import at_hour
from crm.customers.models import Customer
from finance import payments, services
from finance.models import CreditNote, Invoice, Payment

GOODS = [
    ("农夫山泉 550ml 整箱(24瓶)", Decimal("38.00")),
    ("康师傅红烧牛肉面 整箱(12桶)", Decimal("54.00")),
    ("金龙鱼 非转基因菜籽油 5L", Decimal("79.90")),
    ("五常大米 10kg", Decimal("89.00")),
    ("伊利纯牛奶 250ml 整箱(24盒)", Decimal("62.00")),
    ("维达抽纸 3层 120抽 (10包)", Decimal("32.50")),
    ("蓝月亮洗衣液 3kg", Decimal("45.80")),
    ("青岛啤酒 经典 500ml 整箱", Decimal("72.00")),
]
METHODS = ["bank_transfer", "bank_transfer", "bank_transfer", "acceptance", "cash"]
# Days past due for the invoices of each customer: one in each aging bucket, and older ones that
# are long paid.
PAST_DUE = [-12, -3, 8, 24, 40, 55, 70, 85, 105, 140]
ADVANCE = "预付款"
# Invoices of orders younger than this are this week's work, which the step pays in part.
RECENT_DAYS = 7


def _lines(ctx, count: int) -> list[dict]:
    picks = ctx.rng.sample(GOODS, count)
    return [
        {
            "description": name,
            "quantity": ctx.rng.choice([10, 20, 24, 36, 50, 80, 120]),
            "unit_price": price,
            "tax_rate": Decimal("0.13"),
        }
        for name, price in picks
    ]


def _method(ctx) -> str:
    return ctx.rng.choice(METHODS)


def _reference(ctx) -> str:
    return f"银行回单 {ctx.rng.randint(10_000_000, 99_999_999)}"


def _credit_note_on_history(user, today):
    """A damaged-goods credit on one open invoice of the order history."""
    invoice = (
        Invoice.objects.filter(state=Invoice.State.OPEN, due_date__lt=today, total__gt=Decimal("500.00"))
        .exclude(sales_order=None)
        .order_by("-issue_date", "pk")
        .first()
    )
    if invoice is None:
        return None
    line = invoice.lines.order_by("pk").first()
    return services.credit_note_create(
        invoice=invoice,
        lines=[
            {
                "description": f"退货:{line.description}",
                "quantity": 1,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
            }
        ],
        reason="运输途中外包装破损,客户退回 1 件",
        user=user,
        issue_date=min(invoice.issue_date + timedelta(days=6), today),
    )


def build(ctx) -> None:
    if Payment.objects.filter(reference=ADVANCE).exists():
        return
    user = ctx.users.get("finance")
    today = timezone.localdate()
    customers = list(Customer.objects.filter(is_active=True).order_by("pk")[: 12 * max(ctx.scale, 1)])
    if not customers:
        ctx.say("finance: no customers, nothing to invoice")
        return
    _pay_recent_shipments(ctx, user, today)
    # History: invoices over the last six months, issued so that their due dates fall in every
    # aging bucket; the older ones mostly paid. The order history, when there is one, has them.
    if Invoice.objects.filter(issue_date__lt=today - timedelta(days=180)).exists():
        _credit_note_on_history(user, today)
    else:
        credit_note = None
        for index, customer in enumerate(customers):
            credit_note = _invoice_history(ctx, customer, index, user, today, credit_note=credit_note)
    # One customer paid in advance: money on account, not yet applied.
    payments.payment_record(
        customer=customers[-1],
        amount=Decimal("5000.00"),
        allocations=[],
        paid_at=today - timedelta(days=4),
        method="bank_transfer",
        reference=ADVANCE,
        user=user,
    )
    _opening_balances(customers[:3], user, today)
    # The receivables as they now stand: most invoices were raised by the fulfilment step.
    invoices = Invoice.objects.all()
    notes = CreditNote.objects.count()
    ctx.say(
        f"finance: {invoices.count()} invoices ({invoices.filter(state__in=Invoice.OPEN_STATES).count()}"
        f" open), {Payment.objects.count()} payments, {notes} credit note{'' if notes == 1 else 's'}"
    )


def _pay(ctx, invoice, amount, paid_at, user) -> None:
    payments.payment_record(
        customer=invoice.customer,
        amount=amount,
        allocations=[{"invoice": invoice, "amount": amount}],
        paid_at=paid_at,
        method=_method(ctx),
        reference=_reference(ctx),
        user=user,
    )


def _pay_recent_shipments(ctx, user, today) -> None:
    """Invoices raised by fulfilment from this week's shipments: some paid, some in part, the
    rest open."""
    shipped = (
        Invoice.objects.filter(state=Invoice.State.OPEN)
        .exclude(source_reference="")
        .exclude(sales_order__order_date__lt=today - timedelta(days=RECENT_DAYS))
        .order_by("pk")
    )
    for invoice in list(shipped):
        roll = ctx.rng.random()
        if roll < 0.45:
            amount = invoice.open_amount
        elif roll < 0.7:
            amount = (invoice.open_amount * Decimal("0.5")).quantize(Decimal("0.01"))
        else:
            continue
        _pay(
            ctx,
            invoice,
            amount,
            min(invoice.issue_date + timedelta(days=ctx.rng.randint(3, 25)), today),
            user,
        )


def _invoice_history(ctx, customer, index: int, user, today, *, credit_note):
    """A customer's invoices of the last six months, due in several aging buckets, most of the
    older ones paid; the first open one above 100 gets the demo's credit note. Returns the credit
    note (made now or before)."""
    terms = customer.payment_terms_days or 0
    offsets = ctx.rng.sample(PAST_DUE, k=min(len(PAST_DUE), 4 + index % 4))
    # Every aging bucket keeps an unpaid invoice from one of the first customers.
    kept_open = [-3, 24, 40, 70, 105][index] if index < 5 else None
    if kept_open is not None:
        offsets = sorted(set(offsets) | {kept_open})
    for days_past_due in sorted(offsets, reverse=True):
        issue = today - timedelta(days=days_past_due + terms)
        if issue < today - timedelta(days=190):
            issue = today - timedelta(days=ctx.rng.randint(150, 185))
        invoice = services.invoice_create(
            customer=customer, lines=_lines(ctx, ctx.rng.randint(1, 3)), issue_date=issue, user=user
        )
        share = None if days_past_due == kept_open else _paid_share(ctx, invoice, today)
        if share:
            paid_at = min(invoice.issue_date + timedelta(days=ctx.rng.randint(5, terms + 20)), today)
            _pay(ctx, invoice, share, paid_at, user)
        if credit_note is None and invoice.open_amount > Decimal("100.00") and share is None:
            credit_note = _damaged_in_transit(invoice, user, today)
    return credit_note


def _paid_share(ctx, invoice, today) -> Decimal | None:
    """How much of an invoice the customer paid by now: the older, the likelier in full."""
    age = (today - invoice.due_date).days
    roll = ctx.rng.random()
    if age > 100 and roll < 0.8 or age > 30 and roll < 0.45:
        return invoice.total
    if age > 0 and roll < 0.75:
        return (invoice.total * Decimal(ctx.rng.choice(["0.3", "0.5", "0.6"]))).quantize(Decimal("0.01"))
    return None


def _damaged_in_transit(invoice, user, today):
    line = invoice.lines.first()
    return services.credit_note_create(
        invoice=invoice,
        lines=[
            {
                "description": f"退货:{line.description}",
                "quantity": 2,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
            }
        ],
        reason="运输途中外包装破损,客户退回 2 件",
        user=user,
        issue_date=min(invoice.issue_date + timedelta(days=6), today),
    )


# Opening balances draw from their own generator, so that adding them moved none of the demo's
# other random choices.
OPENING_SEED = 17


def go_live_day(today: date) -> date:
    """The day the demo company moved to Tandem: the eve of its two years of history."""
    return date(today.year - 2, today.month, 1) - timedelta(days=1)


def _opening_balances(customers, user, today) -> None:
    """What ``customers`` owed on the old books at the move: each an opening invoice; the first
    two paid in full within weeks, the last paid half so far (an instalment plan)."""
    rng = Random(OPENING_SEED)
    go_live = go_live_day(today)
    notes = ["2月货款", "年底结余货款", "历史遗留欠款，分期偿还中"]
    for n, customer in enumerate(customers):
        invoice = services.opening_invoice_create(
            customer=customer,
            amount=Decimal(rng.randint(60, 480) * 100) + Decimal(rng.randint(0, 99)) / 100,
            issue_date=go_live - timedelta(days=rng.randint(15, 75)),
            document=f"XS-{go_live.year}-{1180 + 37 * n:04d}",
            note=notes[n % len(notes)],
            user=user,
        )
        Invoice.objects.filter(pk=invoice.pk).update(created_at=at_hour(go_live))
        last = n == len(customers) - 1 and n > 0
        amount = (invoice.total / 2).quantize(Decimal("0.01")) if last else invoice.total
        payments.payment_record(
            customer=customer,
            amount=amount,
            allocations=[{"invoice": invoice, "amount": amount}],
            paid_at=min(go_live + timedelta(days=rng.randint(20, 70)), today),
            method="bank_transfer",
            reference=f"银行回单 {rng.randint(10_000_000, 99_999_999)}",
            user=user,
        )
