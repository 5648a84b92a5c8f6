"""AP aging and the supplier statement with 2,000 suppliers × 50,000 bills.

Times, through Django's test client as a finance user (full middleware stack), the AP aging page
and API (``finance:ap_aging``, ``api:payables-aging``) and one supplier's statement over a year
as a page, through the API and as a PDF (``finance:supplier_statement``,
``api:payables-statement``): time per call (p50, p95) and queries per call, once at a tenth of
the size (200 suppliers, 5,000 bills) and once at the full size. The query counts must be the
same at both sizes; a p50 under 100 ms is the aim.

The rows are bulk-created directly (no purchase orders, receipts or services), consistent with
what the payables services would have left:

- bills issued over the last year, due 30 days later, two lines each (subtotal, tax and total
  the sums of their lines); bill ``i`` belongs to supplier ``i % suppliers``, except every 25th
  bill, which belongs to the first supplier (about 4% of the bills: the statement's supplier);
- states by ``i % 10``: 0 paid, 1–2 partly paid (half), 3 on hold, 4 cancelled, 5 matched,
  6–9 approved; a paid or partly paid bill has one supplier payment of its paid amount
  allocated to it, paid 10 days after the bill's issue (never later than today);
- every 20th bill (approved ones) has a credit note of 10.00 against it (``credited_amount``),
  and every 50th supplier a credit note of 100.00 on account.

``python bench/bench_payables.py`` — SQLite file var/bench_payables.sqlite3 unless DATABASE_URL
is set (``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench``). Sizes:
BENCH_SUPPLIERS=2000 BENCH_BILLS=50000, BENCH_RUNS=15 requests per figure. The rows are created
once and re-used (bench rows: suppliers ``BAP-…``, bills ``BB-…``); a larger size adds to them.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_payables.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

SUPPLIERS = int(os.environ.get("BENCH_SUPPLIERS", "2000"))
BILLS = int(os.environ.get("BENCH_BILLS", "50000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
BIG_EVERY = 25  # every 25th bill is the first supplier's
BATCH = 2000
CENT = Decimal("0.01")
NAMES = "华通宏达鑫源恒泰瑞丰金桥远航博雅盛世中联嘉禾天成新锐安信永昌汇百川东方凯旋万"


def supplier_of(i: int, n_suppliers: int) -> int:
    return 0 if i % BIG_EVERY == 0 else i % n_suppliers


def grow_suppliers(n: int) -> list[int]:
    """Suppliers ``BAP-00000`` … up to ``n``: their ids in order."""
    from core.search import search_columns
    from scm.purchasing.models import Supplier

    have = Supplier.objects.filter(code__startswith="BAP-").count()
    rows = []
    for s in range(have, n):
        name = f"{NAMES[s % len(NAMES)]}{NAMES[s // len(NAMES) % len(NAMES)]}{s:04d}供应链有限公司"
        pinyin, initials, normalized = search_columns(name)
        rows.append(
            Supplier(
                code=f"BAP-{s:05d}",
                name=name,
                payment_terms_days=30,
                search_pinyin=pinyin,
                search_initials=initials,
                name_normalized=normalized,
            )
        )
    Supplier.objects.bulk_create(rows, batch_size=BATCH)
    return list(
        Supplier.objects.filter(code__startswith="BAP-").order_by("code").values_list("pk", flat=True)
    )


def grow_bills(n: int, supplier_ids: list[int]) -> None:
    """Bills ``BB-0000000`` … up to ``n`` with their lines, payments, allocations and credit
    notes (see the module's docstring)."""
    from finance.payables.models import (
        Bill,
        BillLine,
        SupplierCreditNote,
        SupplierPayment,
        SupplierPaymentAllocation,
    )
    from scm.purchasing.models import Supplier

    today = timezone.localdate()
    have = Bill.objects.filter(number__startswith="BB-").count()
    S = Bill.State
    for start in range(have, n, BATCH):
        stop = min(start + BATCH, n)
        bills, lines, paid = [], [], []
        for i in range(start, stop):
            issue = today - timedelta(days=i * 7919 % 365)
            nets = [Decimal(100 + i % 900) + Decimal(i % 100) / 100, Decimal(50 + i % 37 * 10)]
            taxes = [(net * Decimal("0.13")).quantize(CENT) for net in nets]
            subtotal, tax = sum(nets), sum(taxes)
            total = subtotal + tax
            kind = i % 10
            state = {
                0: S.PAID,
                1: S.PARTLY_PAID,
                2: S.PARTLY_PAID,
                3: S.ON_HOLD,
                4: S.CANCELLED,
                5: S.MATCHED,
            }
            state = state.get(kind, S.APPROVED)
            paid_amount = total if kind == 0 else (total / 2).quantize(CENT) if kind in (1, 2) else Decimal(0)
            credited = Decimal("10.00") if i % 20 == 7 else Decimal(0)
            bills.append(
                Bill(
                    number=f"BB-{i:07d}",
                    supplier_id=supplier_ids[supplier_of(i, len(supplier_ids))],
                    supplier_invoice_number=f"INV-{i:07d}",
                    issue_date=issue,
                    due_date=issue + timedelta(days=30),
                    state=state,
                    subtotal=subtotal,
                    tax_total=tax,
                    total=total,
                    paid_amount=paid_amount,
                    credited_amount=credited,
                    cancel_reason="重复开票" if state == S.CANCELLED else "",
                    cancelled_at=timezone.now() if state == S.CANCELLED else None,
                )
            )
            lines.append((nets, taxes))
        with transaction.atomic():
            Bill.objects.bulk_create(bills)
            assert bills[0].pk is not None, "bulk_create must return ids (PostgreSQL, SQLite ≥ 3.35)"
            BillLine.objects.bulk_create(
                BillLine(
                    bill=bill,
                    description=f"货物 {k + 1}",
                    quantity=Decimal(1),
                    unit_price=net,
                    tax_rate=Decimal("0.13"),
                    net_amount=net,
                    tax_amount=tax,
                )
                for bill, (nets, taxes) in zip(bills, lines, strict=True)
                for k, (net, tax) in enumerate(zip(nets, taxes, strict=True))
            )
            for bill in bills:
                if bill.paid_amount > 0:
                    paid.append(bill)
            payments = SupplierPayment.objects.bulk_create(
                SupplierPayment(
                    number=f"BSP-{bill.number[3:]}",
                    supplier_id=bill.supplier_id,
                    amount=bill.paid_amount,
                    paid_at=min(bill.issue_date + timedelta(days=10), today),
                    method="bank_transfer",
                    reference=f"网银 {bill.number[3:]}",
                )
                for bill in paid
            )
            SupplierPaymentAllocation.objects.bulk_create(
                SupplierPaymentAllocation(payment=payment, bill=bill, amount=bill.paid_amount)
                for payment, bill in zip(payments, paid, strict=True)
            )
            SupplierCreditNote.objects.bulk_create(
                SupplierCreditNote(
                    number=f"BSC-{bill.number[3:]}",
                    supplier_id=bill.supplier_id,
                    bill=bill,
                    issue_date=bill.issue_date + timedelta(days=1) if bill.issue_date < today else today,
                    reason="价格更正",
                    total=bill.credited_amount,
                )
                for bill in bills
                if bill.credited_amount > 0
            )
    have_notes = set(
        SupplierCreditNote.objects.filter(number__startswith="BSA-").values_list("supplier_id", flat=True)
    )
    SupplierCreditNote.objects.bulk_create(
        SupplierCreditNote(
            number=f"BSA-{s:05d}",
            supplier_id=pk,
            issue_date=today - timedelta(days=s % 300),
            reason="退货折让",
            total=Decimal("100.00"),
        )
        for s, pk in enumerate(supplier_ids)
        if s % 50 == 0 and pk not in have_notes
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (
                Supplier,
                Bill,
                BillLine,
                SupplierPayment,
                SupplierPaymentAllocation,
                SupplierCreditNote,
            ):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def measure(client, url) -> tuple[int, float, float, int]:
    """Queries per call (the least of two: the session middleware writes now and then), p50 and
    p95 in ms over RUNS calls, and the response's size."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    client.get(url)  # warm
    seen = []
    for _ in range(2):
        count[0] = 0
        with connection.execute_wrapper(counter):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        seen.append(count[0])
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return min(seen), statistics.median(times), percentile(times, 95), len(response.content)


def cases(big_supplier_id):
    today = timezone.localdate()
    period = f"date_from={(today - timedelta(days=365)).isoformat()}&date_to={today.isoformat()}"
    statement = reverse("finance:supplier_statement", args=[big_supplier_id])
    return [
        ("AP aging page", reverse("finance:ap_aging")),
        ("AP aging API", reverse("payables-aging")),
        ("statement page", f"{statement}?{period}"),
        ("statement API", f"{reverse('payables-statement', args=[big_supplier_id])}?{period}"),
        ("statement PDF", f"{statement}?{period}&format=pdf"),
    ]


def main():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from finance.payables.models import Bill, SupplierPayment

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-finance")
    user.groups.add(Group.objects.get_or_create(name="finance")[0])
    client = Client()
    client.force_login(user)
    sizes = [(max(1, SUPPLIERS // 10), max(1, BILLS // 10)), (SUPPLIERS, BILLS)]
    results = {}
    for n_suppliers, n_bills in sizes:
        started = time.perf_counter()
        if Bill.objects.filter(number__startswith="BB-").count() > n_bills:
            print(f"warning: the database holds more than {n_bills} bills; use a fresh one for this size")
        supplier_ids = grow_suppliers(n_suppliers)[:n_suppliers]
        grow_bills(n_bills, supplier_ids)
        setup = time.perf_counter() - started
        big = supplier_ids[0]
        year_ago = timezone.localdate() - timedelta(days=365)
        statement_rows = (
            Bill.objects.filter(supplier_id=big, issue_date__gte=year_ago).exclude(state="cancelled").count()
            + SupplierPayment.objects.filter(supplier_id=big, paid_at__gte=year_ago).count()
        )
        print(
            f"{n_suppliers} suppliers, {Bill.objects.count()} bills (set-up {setup:.1f}s); the statement's "
            f"supplier: ~{statement_rows} entries in the year",
            flush=True,
        )
        results[n_suppliers] = {name: measure(client, url) for name, url in cases(big)}
    small, full = sizes[0][0], sizes[1][0]
    print(f"AP aging and supplier statement on {connection.vendor}; p50/p95 of {RUNS} requests")
    print(
        f"{'request':<16} {'queries @' + str(small):>13} {'queries @' + str(full):>14} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'KB':>7}"
    )
    for name in results[full]:
        q_small = results[small][name][0]
        q_full, p50, p95, size = results[full][name]
        flags = []
        if q_small != q_full:
            flags.append("query count grows with size")
        if p50 >= 100:
            flags.append("p50 over 100 ms")
        flag = f"  <- {'; '.join(flags)}" if flags else ""
        print(f"{name:<16} {q_small:>13} {q_full:>14} {p50:>8.1f} {p95:>8.1f} {size / 1024:>7.0f}{flag}")


if __name__ == "__main__":
    main()
