"""The manager's dashboard over two years of a big company's facts: 1,000,000 order lines
(200,000 orders of 5 lines on average) over 730 days, 20,000 customers, 10,000 products,
5 warehouses.

Prints, for a month, a quarter and a year (each against the period before):
``integration.insights.figures.dashboard`` time (median and max of 20 runs) and its number of
queries, and next to it the dashboard page's (``GET /insights/`` through ``django.test.Client``
signed in as a manager: the figures, the template and the middleware) — aim < 300 ms, the same
number of queries whatever the size; the manager's home page (the headline figures of the month
with the approvals); then the time of ``facts_rebuild`` (every fact recomputed from the
documents).

What is written (``bulk_create``, a few minutes at full size on SQLite):
- the facts directly, as the events would have left them: one ``OrderFact`` per order and one
  ``ShipmentFact`` per shipment, ``SalesDay`` per day × rep (20 reps), ``StockDay`` per day ×
  warehouse, ``CashDay``, ``ReceiptDay`` per day × supplier, ``TicketDay``, ``SurveyDay`` —
  the documents behind a million order lines would take far longer to write than the bench
  runs, and the dashboard never reads them;
- what the dashboard's current-state selectors read, at full size: the 20,000 customers with
  30,000 open invoices (receivables aging), 2,000 open bills (payables aging), 10,000 products
  with stock in the 5 warehouses (slow movers: recorded once, as the nightly refresh does, and
  timed), 5,000 opportunities (funnel, conversion);
- for the rebuild, real documents at a smaller size (``BENCH_REBUILD_LINES`` order lines, 50,000
  by default): orders and lines, shipped shipments with their lines and ledger moves; the
  rebuild's time per 10,000 order lines is printed with it.

``python bench/bench_dashboard.py`` — SQLite by default (a fresh file in /tmp), or PostgreSQL
with ``DATABASE_URL`` (the bench makes a database of its own next to it, ``<name>_dashboard``).
``BENCH_SCALE=0.05`` for a quick run (every size × 0.05).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
DB_FILE = Path("/tmp/tandem_bench_dashboard.sqlite3")


def _fresh_database() -> None:
    """A fresh SQLite file, or on PostgreSQL a database of its own next to ``DATABASE_URL``'s
    (``<name>_dashboard``, dropped and created again), so that a run never meets an earlier
    one's rows nor another benchmark's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
        return
    import psycopg

    base, _slash, name = url.rpartition("/")
    name = name.split("?")[0] + "_dashboard"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"


_fresh_database()

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402
from random import Random  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
LINES = int(int(os.environ.get("BENCH_LINES", "1000000")) * SCALE)
CUSTOMERS = max(50, int(int(os.environ.get("BENCH_CUSTOMERS", "20000")) * SCALE))
PRODUCTS = max(50, int(int(os.environ.get("BENCH_PRODUCTS", "10000")) * SCALE))
REBUILD_LINES = max(500, int(int(os.environ.get("BENCH_REBUILD_LINES", "50000")) * SCALE))
DAYS = 730
REPS = 20
SUPPLIERS = 200
RUNS = 20
BATCH = 5000
CITIES = [
    ("BDB-BJ", "北京仓"),
    ("BDB-SH", "上海仓"),
    ("BDB-GZ", "广州仓"),
    ("BDB-CD", "成都仓"),
    ("BDB-WH", "武汉仓"),
]
D = Decimal
rng = Random(16)


def say(text: str) -> None:
    print(text, flush=True)


def money(cents: int) -> Decimal:
    return D(cents) / 100


def setup_base():
    from crm.customers.models import Customer
    from crm.sales.models import Opportunity, PipelineStage
    from scm.inventory.models import Product, StockLevel, StockMove, Warehouse
    from scm.purchasing.models import Supplier

    User = get_user_model()
    sales = Group.objects.get_or_create(name="sales")[0]
    manager = User.objects.create(username="bench-manager")
    manager.groups.add(Group.objects.get_or_create(name="manager")[0])
    reps = [User.objects.create(username=f"bench-rep-{i:02d}") for i in range(REPS)]
    for rep in reps:
        rep.groups.add(sales)
    warehouses = [Warehouse.objects.create(code=code, name=name) for code, name in CITIES]
    customers = Customer.objects.bulk_create(
        [
            Customer(code=f"BDC{i:06d}", name=f"客户{i:06d}贸易有限公司", owner=reps[i % REPS])
            for i in range(CUSTOMERS)
        ],
        batch_size=BATCH,
    )
    products = Product.objects.bulk_create(
        [
            Product(sku=f"BDP-{i:06d}", name=f"商品{i:06d}", list_price=D("100"), cost=D(rng.randint(10, 90)))
            for i in range(PRODUCTS)
        ],
        batch_size=BATCH,
    )
    levels, moves = [], []
    for p in products:
        for w in warehouses:
            qty = D(rng.randint(0, 200))
            if qty:
                levels.append(StockLevel(product=p, warehouse=w, on_hand=qty))
                moves.append(
                    StockMove(
                        kind="receipt",
                        product=p,
                        warehouse=w,
                        quantity=qty,
                        unit_cost=p.cost,
                        reference="BENCH",
                    )
                )
    StockLevel.objects.bulk_create(levels, batch_size=BATCH)
    StockMove.objects.bulk_create(moves, batch_size=BATCH)
    suppliers = Supplier.objects.bulk_create(
        [Supplier(code=f"BDS{i:04d}", name=f"供应商{i:04d}") for i in range(SUPPLIERS)], batch_size=BATCH
    )
    stages = list(PipelineStage.objects.order_by("order"))
    if not stages:
        stages = [PipelineStage.objects.create(name="初步接触", order=1, probability=10)]
    open_stages = [s for s in stages if not s.is_won and not s.is_lost] or stages
    now = timezone.now()
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                name=f"商机{i}",
                customer=customers[i % len(customers)],
                owner=reps[i % REPS],
                stage=open_stages[i % len(open_stages)],
                state=("open", "won", "lost")[i % 3],
                amount=D(rng.randint(1000, 100000)),
                closed_at=None if i % 3 == 0 else now - timedelta(days=rng.randint(0, DAYS)),
            )
            for i in range(max(100, int(5000 * SCALE)))
        ],
        batch_size=BATCH,
    )
    return manager, reps, warehouses, customers, products, suppliers


def setup_receivables(customers, suppliers):
    from finance.models import Invoice
    from finance.payables.models import Bill

    today = timezone.localdate()
    invoices = []
    for i in range(max(100, int(30000 * SCALE))):
        issued = today - timedelta(days=rng.randint(0, 150))
        total = money(rng.randint(10000, 5000000))
        invoices.append(
            Invoice(
                number=f"BDI{i:07d}",
                customer=customers[rng.randrange(len(customers))],
                issue_date=issued,
                due_date=issued + timedelta(days=30),
                subtotal=total,
                total=total,
            )
        )
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    bills = []
    for i in range(max(50, int(2000 * SCALE))):
        issued = today - timedelta(days=rng.randint(0, 120))
        total = money(rng.randint(10000, 9000000))
        bills.append(
            Bill(
                number=f"BDB{i:06d}",
                supplier=suppliers[i % len(suppliers)],
                supplier_invoice_number=f"S{i}",
                issue_date=issued,
                due_date=issued + timedelta(days=45),
                state=Bill.State.APPROVED,
                subtotal=total,
                total=total,
            )
        )
    Bill.objects.bulk_create(bills, batch_size=BATCH)


def setup_facts(reps, warehouses, suppliers):
    """The facts of LINES order lines over DAYS days, as the events would have kept them."""
    from integration.insights.models import (
        CashDay,
        OrderFact,
        ReceiptDay,
        SalesDay,
        ShipmentFact,
        StockDay,
        SurveyDay,
        TicketDay,
    )

    today = timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    orders = LINES // 5
    rep_ids = [r.pk for r in reps]
    warehouse_ids = [w.pk for w in warehouses]
    sales: dict[tuple, list] = {}
    order_facts, shipment_facts = [], []
    for i in range(orders):
        # More orders in the second year and in spring and autumn.
        day = first + timedelta(days=min(DAYS - 1, int(DAYS * rng.random() ** 0.8)))
        customer = int(CUSTOMERS * rng.random() ** 1.6)
        owner = rep_ids[customer % REPS]
        lines = rng.randint(1, 9)
        net = money(rng.randint(5000, 2000000))
        short = 1 if rng.random() < 0.06 else 0
        due = day + timedelta(days=rng.randint(3, 10))
        delivered = day + timedelta(days=rng.randint(1, 12))
        shipped_day = min(day + timedelta(days=rng.randint(0, 3)), today)
        delivered_day = delivered if delivered <= today else None
        otif = delivered_day is not None and delivered_day <= due
        order_facts.append(
            OrderFact(
                order_id=i + 1,
                day=day,
                due_day=due,
                owner_id=owner,
                customer_id=customer + 1,
                net=net,
                lines=lines,
                backordered_lines=short,
                shipped_in_full=delivered_day is not None,
                delivered_day=delivered_day,
                on_time_in_full=otif,
            )
        )
        cost = (net * D("0.62")).quantize(D("0.01"))
        shipment_facts.append(
            ShipmentFact(
                shipment_id=i + 1,
                day=shipped_day,
                warehouse_id=warehouse_ids[customer % len(warehouse_ids)],
                order_id=i + 1,
                owner_id=owner,
                customer_id=customer + 1,
                quantity=D(lines * 3),
                net=net,
                cost=cost,
            )
        )
        s = sales.setdefault((day, owner), [0, 0, D(0), 0, D(0), D(0), 0, 0])
        s[0] += 1
        s[1] += lines
        s[2] += net
        s[3] += short
        t = sales.setdefault((shipped_day, owner), [0, 0, D(0), 0, D(0), D(0), 0, 0])
        t[4] += net
        t[5] += cost
        u = sales.setdefault((due, owner), [0, 0, D(0), 0, D(0), D(0), 0, 0])
        u[6] += 1
        u[7] += 1 if otif else 0
        if len(order_facts) >= BATCH:
            OrderFact.objects.bulk_create(order_facts)
            ShipmentFact.objects.bulk_create(shipment_facts)
            order_facts, shipment_facts = [], []
    OrderFact.objects.bulk_create(order_facts)
    ShipmentFact.objects.bulk_create(shipment_facts)
    SalesDay.objects.bulk_create(
        [
            SalesDay(
                day=day,
                owner_id=owner,
                orders=s[0],
                lines=s[1],
                net=s[2],
                backordered_lines=s[3],
                revenue=s[4],
                cost=s[5],
                due_orders=s[6],
                otif_orders=s[7],
            )
            for (day, owner), s in sales.items()
        ],
        batch_size=BATCH,
    )
    days = [first + timedelta(days=i) for i in range(DAYS)]
    StockDay.objects.bulk_create(
        [
            StockDay(
                day=d,
                warehouse_id=w,
                value_change=money(rng.randint(-3000000, 3200000)),
                quantity_change=D(rng.randint(-500, 520)),
                cogs=money(rng.randint(0, 3000000)),
                issued_quantity=D(rng.randint(0, 500)),
            )
            for d in days
            for w in warehouse_ids
        ],
        batch_size=BATCH,
    )
    CashDay.objects.bulk_create(
        [
            CashDay(
                day=d,
                invoiced=money(rng.randint(0, 90000000)),
                received=money(rng.randint(0, 90000000)),
                billed=money(rng.randint(0, 60000000)),
                paid_out=money(rng.randint(0, 60000000)),
            )
            for d in days
        ],
        batch_size=BATCH,
    )
    receipts = []
    for d in days:
        for s in rng.sample(suppliers, 20):
            n = rng.randint(1, 30)
            receipts.append(
                ReceiptDay(
                    day=d,
                    supplier_id=s.pk,
                    lines=n,
                    on_time_lines=rng.randint(0, n),
                    amount=money(rng.randint(1, 9000000)),
                )
            )
    ReceiptDay.objects.bulk_create(receipts, batch_size=BATCH)
    TicketDay.objects.bulk_create(
        [
            TicketDay(day=d, category=c, opened=rng.randint(0, 20), closed=rng.randint(0, 20))
            for d in days
            for c in ("complaint", "repair", "question")
        ],
        batch_size=BATCH,
    )
    surveys = []
    for d in days:
        p, s, x = rng.randint(0, 30), rng.randint(0, 15), rng.randint(0, 8)
        surveys.append(
            SurveyDay(day=d, kind="delivery", answers=p + s + x, promoters=p, passives=s, detractors=x)
        )
    SurveyDay.objects.bulk_create(surveys, batch_size=BATCH)


def setup_documents(reps, warehouses, customers, products):
    """REBUILD_LINES order lines of confirmed and shipped orders, with their shipments and
    ledger moves, for the rebuild."""
    from crm.sales.models import SalesOrder, SalesOrderLine
    from integration.fulfilment.models import Shipment, ShipmentLine
    from scm.inventory.models import StockMove

    now = timezone.now()
    orders = []
    n_orders = REBUILD_LINES // 5
    for i in range(n_orders):
        confirmed = now - timedelta(days=rng.randint(0, DAYS - 1), minutes=rng.randint(0, 600))
        customer = customers[rng.randrange(len(customers))]
        orders.append(
            SalesOrder(
                number=f"BDSO{i:07d}",
                customer=customer,
                owner_id=customer.owner_id,
                state="shipped",
                order_date=confirmed.date(),
                confirmed_at=confirmed,
                subtotal=D(0),
            )
        )
    SalesOrder.objects.bulk_create(orders, batch_size=BATCH)
    lines = []
    for o in orders:
        for _ in range(5):
            p = products[rng.randrange(len(products))]
            q = D(rng.randint(1, 20))
            lines.append(
                SalesOrderLine(
                    order=o,
                    product=p,
                    quantity=q,
                    base_quantity=q,
                    unit_price=D("100"),
                    tax_rate=D("0.13"),
                    net_amount=q * 100,
                    shipped_quantity=q,
                )
            )
    SalesOrderLine.objects.bulk_create(lines, batch_size=BATCH)
    shipments = [
        Shipment(
            number=f"BDSH{i:07d}",
            order=o,
            warehouse=warehouses[i % len(warehouses)],
            state="shipped",
            shipped_at=o.confirmed_at + timedelta(days=1),
        )
        for i, o in enumerate(orders)
    ]
    Shipment.objects.bulk_create(shipments, batch_size=BATCH)
    by_order = {s.order_id: s for s in shipments}
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=by_order[line.order_id],
                order_line=line,
                product=line.product,
                quantity=line.base_quantity,
                picked_quantity=line.base_quantity,
            )
            for line in lines
        ],
        batch_size=BATCH,
    )
    StockMove.objects.bulk_create(
        [
            StockMove(
                kind="shipment",
                product=line.product,
                warehouse_id=by_order[line.order_id].warehouse_id,
                quantity=-line.base_quantity,
                unit_cost=line.product.cost,
                reference=by_order[line.order_id].number,
            )
            for line in lines
        ],
        batch_size=BATCH,
    )


def measure(manager, params: dict) -> tuple[float, float, int]:
    from integration.insights.figures import dashboard
    from integration.insights.periods import period_from_params

    period, previous = period_from_params(params, today=timezone.localdate())
    dashboard(user=manager, period=period, previous=previous)  # warm, as the page is
    times = []
    queries = 0
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            dashboard(user=manager, period=period, previous=previous)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return statistics.median(times), max(times), queries


def measure_page(client, url: str) -> tuple[float, float, str]:
    """A page's time (median and max of ``RUNS`` requests, after one to warm up) and its queries
    (the fewest and most of the runs: the session middleware writes now and then). Over HTTPS,
    as behind the production proxy (plain HTTP is redirected)."""
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    times, counts = [], []
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(captured))
    low, high = min(counts), max(counts)
    return statistics.median(times), max(times), str(low) if low == high else f"{low}–{high}"


def main() -> None:
    say(
        f"bench_dashboard: {LINES:,} order lines over {DAYS} days, {CUSTOMERS:,} customers, "
        f"{PRODUCTS:,} products, {len(CITIES)} warehouses; {connection.vendor}"
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        manager, reps, warehouses, customers, products, suppliers = setup_base()
        setup_receivables(customers, suppliers)
        setup_facts(reps, warehouses, suppliers)
    from integration.insights.facts import fact_counts

    counts = fact_counts()
    say(
        f"written in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from integration.insights.facts import slow_movers_snapshot

    started = time.perf_counter()
    slow_movers_snapshot()
    say(f"slow movers recorded (the nightly refresh's step): {(time.perf_counter() - started) * 1000:.0f} ms")
    from urllib.parse import urlencode

    from django.test import Client

    client = Client()
    client.force_login(manager)
    say(f"median and max of {RUNS} runs")
    for params in (
        {"period": "month"},
        {"period": "quarter"},
        {"period": "year", "at": str(timezone.localdate().year - 1)},
    ):
        median, worst, queries = measure(manager, params)
        say(
            f"dashboard() {params['period']:7s}: median {median:6.0f} ms, max {worst:6.0f} ms, "
            f"{queries} queries"
        )
        median, worst, queries = measure_page(client, f"/insights/?{urlencode(params)}")
        say(
            f"  page      {params['period']:7s}: median {median:6.0f} ms, max {worst:6.0f} ms, "
            f"{queries} queries (GET /insights/)"
        )
    median, worst, queries = measure_page(client, "/")
    say(f"manager's home page   : median {median:6.0f} ms, max {worst:6.0f} ms, {queries} queries")

    from integration.insights.facts import facts_rebuild

    started = time.perf_counter()
    with transaction.atomic():
        setup_documents(reps, warehouses, customers, products)
    say(f"rebuild documents: {REBUILD_LINES:,} order lines written in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    counts = facts_rebuild()
    seconds = time.perf_counter() - started
    say(
        f"facts_rebuild: {seconds:.1f} s for {REBUILD_LINES:,} order lines "
        f"({seconds * 10000 / REBUILD_LINES:.2f} s per 10,000 lines): "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
