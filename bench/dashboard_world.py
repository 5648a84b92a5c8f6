"""The data of ``bench_dashboard.py``: its sizes (``BENCH_SCALE`` and the other variables read
there) and what it writes — the users, warehouses, customers and products, the open receivables
and payables, two years of facts, and the documents the rebuild reads. Imported by the benchmark
once Django is set up."""

import os
from datetime import timedelta
from decimal import Decimal
from random import Random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

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
