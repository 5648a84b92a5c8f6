"""Demo payables (step ``payables``, after purchasing, fulfilment and finance): every posted
receipt billed by its supplier a few days later and matched three ways against its order; two
years of monthly freight and rent bills without an order; monthly payment runs that pay each
supplier's bills falling due that month in one payment; a bill whose price did not match, accepted by the
manager, and one still on hold; a partial payment; a rebate credit note; and bills left open so
that every AP aging bucket holds one. The fabric supplier's spring stock-up is still owed. What
three goods suppliers were owed on the old books at the move to Tandem came over as opening
bills (``bills.opening_bill_create``), each paid when it fell due.

Everything goes through the services (bills, payments, credit notes); only ``created_at`` of the
rows written "now" is moved back to the day they stand for.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from django.db.models import Sum
from django.utils import timezone

from core.dates import at_hour
from finance.demo import OPENING_SEED, go_live_day
from finance.payables import bills, payments
from finance.payables.models import Bill, SupplierPayment
from scm.purchasing.models import Receipt, ReceiptLine, Supplier

# Suppliers of services: (code, description, monthly net amount range, tax rate).
SERVICES = [
    ("V0014", "快递物流服务费（月结）", (2_800, 7_500), Decimal("0.06")),
    ("V0015", "北京仓库租金及物业费", (24_000, 24_000), Decimal("0.09")),
]
FABRIC_SUPPLIER = "V0012"
# Days overdue of the bills kept open, one per AP aging bucket.
OPEN_OVERDUE = [12, 44, 75, 120]
MONTHS = 24


def _months_back(today: date, n: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return date(year, month + 1, 1)


def _bill_receipts(ctx, user, today: date) -> list[Bill]:
    """One bill per posted receipt, for the goods accepted, issued zero to four days later; the
    one in twenty with a price a little above the order's is on hold."""
    made = []
    receipts = (
        Receipt.objects.filter(state=Receipt.State.POSTED)
        .select_related("supplier")
        .order_by("posted_at", "pk")
    )
    accepted = defaultdict(lambda: defaultdict(Decimal))
    for line in ReceiptLine.objects.filter(receipt__state=Receipt.State.POSTED).select_related("po_line"):
        if line.accepted_quantity:
            accepted[line.receipt_id][line.po_line] += line.accepted_quantity
    for n, receipt in enumerate(receipts, start=1):
        lines = accepted.get(receipt.pk)
        if not lines:
            continue
        day = min(timezone.localdate(receipt.posted_at) + timedelta(days=ctx.rng.randint(0, 4)), today)
        dearer = n % 20 == 7
        bill = bills.bill_create(
            supplier=receipt.supplier,
            supplier_invoice_number=f"{day:%Y%m}{receipt.pk:05d}",
            purchase_order=receipt.purchase_order,
            issue_date=day,
            lines=[
                {
                    "po_line": po_line,
                    "quantity": quantity,
                    **(
                        {
                            "unit_price": (po_line.base_unit_price * Decimal("1.04")).quantize(
                                Decimal("0.0001")
                            )
                        }
                        if dearer
                        else {}
                    ),
                }
                for po_line, quantity in lines.items()
            ],
            notes=f"对应收货单 {receipt.number}",
            user=user,
        )
        Bill.objects.filter(pk=bill.pk).update(created_at=at_hour(day))
        made.append(bill)
    return made


def _service_bills(ctx, suppliers, user, today: date) -> list[Bill]:
    made = []
    for back in range(MONTHS, -1, -1):
        first = _months_back(today, back)
        for code, description, (low, high), rate in SERVICES:
            day = first + timedelta(days=2)
            if day > today:
                continue
            amount = Decimal(ctx.rng.randint(low, high))
            bill = bills.bill_create(
                supplier=suppliers[code],
                supplier_invoice_number=f"{code[-2:]}{first:%Y%m}",
                issue_date=day,
                lines=[
                    {
                        "description": f"{description} {first:%Y-%m}",
                        "quantity": 1,
                        "unit_price": amount,
                        "tax_rate": rate,
                    }
                ],
                user=user,
            )
            Bill.objects.filter(pk=bill.pk).update(created_at=at_hour(day))
            made.append(bill)
    return made


def _kept_open(made: list[Bill], today: date) -> set[int]:
    """Bills left unpaid: one per overdue bucket, and the fabric supplier's spring stock-up."""
    kept = set()
    for days in OPEN_OVERDUE:
        due = today - timedelta(days=days)
        candidates = [
            b for b in made if b.state in Bill.PAYABLE_STATES and b.due_date <= due and b.pk not in kept
        ]
        if candidates:
            kept.add(max(candidates, key=lambda b: b.due_date).pk)
    fabric = [b for b in made if b.supplier.code == FABRIC_SUPPLIER]
    if fabric:
        kept.add(max(fabric, key=lambda b: (b.total, b.pk)).pk)  # the spring stock-up
    return kept


def _payment_runs(ctx, made: list[Bill], kept: set[int], user, today: date) -> int:
    """One payment per supplier and month for its bills falling due that month, made on the
    last of their due dates (or yesterday, for this month's); the odd run pays one bill only in
    part. The fabric supplier is paid a few days after each delivery (so what is owed to it is
    its spring stock-up)."""
    runs = 0
    groups = defaultdict(list)
    for bill in made:
        if bill.pk in kept or bill.state not in Bill.PAYABLE_STATES:
            continue
        if bill.supplier.code == FABRIC_SUPPLIER:
            groups[(bill.supplier, bill.issue_date + timedelta(days=5))].append(bill)
        else:
            groups[(bill.supplier, date(bill.due_date.year, bill.due_date.month, 1))].append(bill)
    partial_done = False
    for (supplier, day), due in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0].code)):
        if supplier.code == FABRIC_SUPPLIER:
            pay_day = day
        elif min(b.due_date for b in due) < today:
            pay_day = max(b.due_date for b in due)
        else:
            continue
        pay_day = max(min(pay_day, today - timedelta(days=1)), max(b.issue_date for b in due))
        allocations = [{"bill": b, "amount": b.open_amount} for b in due]
        if not partial_done and len(due) >= 2 and (today - pay_day).days < 60:
            allocations[-1]["amount"] = (due[-1].open_amount / 2).quantize(Decimal("0.01"))
            partial_done = True
        payment = payments.supplier_payment_record(
            supplier=supplier,
            amount=sum((a["amount"] for a in allocations), Decimal(0)),
            allocations=allocations,
            paid_at=pay_day,
            method=ctx.rng.choice(["bank_transfer", "bank_transfer", "bank_transfer", "acceptance"]),
            reference=f"网银付款 {ctx.rng.randint(10_000_000, 99_999_999)}",
            user=user,
        )
        SupplierPayment.objects.filter(pk=payment.pk).update(created_at=at_hour(pay_day, 15))
        runs += 1
    return runs


def build(ctx) -> None:
    if Bill.objects.exists():
        ctx.say("payables: already there")
        return
    user = ctx.users.get("finance") or ctx.users.get("admin")
    manager = ctx.users.get("manager") or ctx.users.get("admin")
    suppliers = {s.code: s for s in Supplier.objects.all()}
    if not suppliers or user is None:
        ctx.say("payables: no suppliers, nothing to bill")
        return
    today = timezone.localdate()
    made = _bill_receipts(ctx, user, today) + _service_bills(ctx, suppliers, user, today)
    on_hold = [b for b in made if b.state == Bill.State.ON_HOLD]
    # The manager accepted the older differences (the supplier's price list had changed); the
    # newest waits for a decision.
    for bill in on_hold[:-1]:
        bills.bill_accept_mismatch(bill=bill, note="供应商调价，已确认新价格", user=manager)
    for bill in made:
        bill.refresh_from_db()
    kept = _kept_open(made, today)
    runs = _payment_runs(ctx, made, kept, user, today)
    runs += _opening_bills(suppliers, user, today)
    rebate_to = suppliers.get("V0001")
    if rebate_to is not None:
        bills.supplier_credit_note_create(
            supplier=rebate_to,
            amount=Decimal("1500.00"),
            reason="年度采购返利",
            supplier_reference=f"FL{today.year - 1}",
            issue_date=today - timedelta(days=20),
            user=user,
        )
    still_open = Bill.objects.filter(state__in=Bill.OPEN_STATES)
    owed = still_open.aggregate(s=Sum("total") - Sum("paid_amount") - Sum("credited_amount"))["s"] or 0
    ctx.say(
        f"payables: {Bill.objects.count()} bills ({still_open.count()} open, {owed:,.2f} owed), "
        f"{runs} supplier payments"
    )


# Goods suppliers owed something on the old books at the move to Tandem.
OPENING_SUPPLIERS = ["V0001", "V0002", "V0003"]


def _opening_bills(suppliers, user, today: date) -> int:
    """Opening bills of ``OPENING_SUPPLIERS``, each paid in one payment on its due date.
    Returns the payments made. Draws from its own generator (the other choices stay put)."""
    rng = Random(OPENING_SEED + 1)
    go_live = go_live_day(today)
    paid = 0
    for code in OPENING_SUPPLIERS:
        supplier = suppliers.get(code)
        if supplier is None:
            continue
        bill = bills.opening_bill_create(
            supplier=supplier,
            document=f"{rng.randint(10_000_000, 99_999_999)}",
            amount=Decimal(rng.randint(120, 860) * 100),
            issue_date=go_live - timedelta(days=rng.randint(5, 40)),
            note="旧系统结转期初应付",
            user=user,
        )
        Bill.objects.filter(pk=bill.pk).update(created_at=at_hour(go_live))
        pay_day = min(max(bill.due_date, go_live), today - timedelta(days=1))
        payment = payments.supplier_payment_record(
            supplier=supplier,
            amount=bill.open_amount,
            allocations=[{"bill": bill, "amount": bill.open_amount}],
            paid_at=pay_day,
            method="bank_transfer",
            reference=f"网银付款 {rng.randint(10_000_000, 99_999_999)}",
            user=user,
        )
        SupplierPayment.objects.filter(pk=payment.pk).update(created_at=at_hour(pay_day, 15))
        paid += 1
    return paid
