"""The batch trace of one lot shipped to 5,000 customers, in a database of 1 million stock moves.

Prints the time of ``integration.aftersales.trace.lot_trace`` (median of 20 runs after one warm
run; aim < 200 ms) and its number of queries (fixed: the same for any number of customers).

The rows are written directly (``bulk_create`` and ``INSERT … SELECT generate_series``),
consistent with what the services would have left: a supplier, a purchase order and a posted
receipt bringing lot ``BLT-JAM-1`` of a toner cartridge into 上海仓; 5,000 customers with a
primary contact each and an owner, one shipped order of the lot each (1 to 5 cartridges); other
lots of other products shipped to the same orders (noise for the shipment-line index); what is
left of the lot in stock in two warehouses; and 1,000,000 stock moves over 2,000 products. Built
once and re-used.

``python bench/bench_lot_trace.py`` — PostgreSQL only:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench_trace`` by default (created when
missing). Sizes: BENCH_CUSTOMERS=5000 BENCH_MOVES=1000000.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench_trace")

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "5000"))
MOVES = int(os.environ.get("BENCH_MOVES", "1000000"))
NOISE_PRODUCTS = 2000


def _create_database() -> None:
    """Create the benchmark's database when it does not exist (connecting to ``postgres``)."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if os.environ["DATABASE_URL"].startswith("postgres"):
    _create_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

LOT = "BLT-JAM-1"


def setup():
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from crm.customers.models import Contact, Customer
    from crm.sales.models import SalesOrder, SalesOrderLine
    from integration.fulfilment.models import Shipment, ShipmentLine
    from scm.inventory.models import Lot, Product, StockLevel, Warehouse
    from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, Supplier

    lot = Lot.objects.filter(number=LOT).select_related("product").first()
    if lot is not None and Shipment.objects.filter(number__startswith="BLT-SH-").count() >= CUSTOMERS:
        return lot
    print(f"writing {CUSTOMERS:,} customers and shipments, {MOVES:,} stock moves …", flush=True)
    started = time.perf_counter()
    User = get_user_model()
    reps = [
        User.objects.get_or_create(username=f"blt-rep-{i}", defaults={"first_name": f"代表{i}"})[0]
        for i in range(20)
    ]
    sh, _ = Warehouse.objects.get_or_create(code="BLT-SH", defaults={"name": "上海仓"})
    gz, _ = Warehouse.objects.get_or_create(code="BLT-GZ", defaults={"name": "广州仓"})
    product, _ = Product.objects.get_or_create(
        sku="BLT-TONER",
        defaults={"name": "硒鼓 HP 88A 兼容", "tracking": Product.Tracking.LOT, "cost": Decimal("80")},
    )
    lot, _ = Lot.objects.get_or_create(product=product, number=LOT, defaults={"source_reference": "BLT-R-1"})
    supplier, _ = Supplier.objects.get_or_create(code="BLT-S", defaults={"name": "宏达耗材有限公司"})
    today = timezone.localdate()
    po, _ = PurchaseOrder.objects.get_or_create(
        number="BLT-PO-1",
        defaults={
            "supplier": supplier,
            "owner": reps[0],
            "warehouse": sh,
            "state": "received",
            "order_date": today - timedelta(days=90),
        },
    )
    po_line = po.lines.first() or PurchaseOrderLine.objects.create(
        order=po,
        product=product,
        quantity=20000,
        base_quantity=20000,
        unit_price=Decimal("80"),
        tax_rate=Decimal("0.13"),
        expected_date=today - timedelta(days=80),
    )
    receipt, _ = Receipt.objects.get_or_create(
        number="BLT-R-1",
        defaults={
            "purchase_order": po,
            "supplier": supplier,
            "warehouse": sh,
            "state": "posted",
            "received_by": reps[0],
            "posted_at": timezone.now() - timedelta(days=80),
        },
    )
    if not receipt.lines.exists():
        ReceiptLine.objects.create(
            receipt=receipt,
            po_line=po_line,
            product=product,
            lot=lot,
            lot_number=LOT,
            quantity=20000,
            accepted_quantity=20000,
        )
    have = Customer.objects.filter(code__startswith="BLT-C").count()
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"BLT-C{i:06d}", name=f"客户{i}有限公司", owner=reps[i % len(reps)], phone=f"021{i:08d}"
            )
            for i in range(have, CUSTOMERS)
        ],
        batch_size=2000,
    )
    Contact.objects.bulk_create(
        [
            Contact(
                customer=c,
                name=f"联系人{c.code}",
                phone="13800000000",
                email=f"{c.code.lower()}@example.com",
                is_primary=True,
            )
            for c in customers
        ]
        + [Contact(customer=c, name=f"采购{c.code}", phone="13900000000") for c in customers],
        batch_size=4000,
    )
    customers = list(Customer.objects.filter(code__startswith="BLT-C").order_by("pk"))[:CUSTOMERS]
    shipped_at = timezone.now() - timedelta(days=30)
    orders = SalesOrder.objects.bulk_create(
        [
            SalesOrder(
                number=f"BLT-SO-{i:06d}",
                customer=c,
                owner=c.owner,
                state="shipped",
                order_date=today - timedelta(days=31),
            )
            for i, c in enumerate(customers)
        ],
        batch_size=2000,
    )
    lines = SalesOrderLine.objects.bulk_create(
        [
            SalesOrderLine(
                order=o,
                product=product,
                quantity=1 + i % 5,
                base_quantity=1 + i % 5,
                unit_price=Decimal("120"),
                tax_rate=Decimal("0.13"),
                shipped_quantity=1 + i % 5,
            )
            for i, o in enumerate(orders)
        ],
        batch_size=2000,
    )
    shipments = Shipment.objects.bulk_create(
        [
            Shipment(
                number=f"BLT-SH-{i:06d}",
                order=o,
                warehouse=sh,
                state="shipped",
                shipped_at=shipped_at + timedelta(minutes=i),
            )
            for i, o in enumerate(orders)
        ],
        batch_size=2000,
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=s,
                order_line=ln,
                product=product,
                lot=lot,
                quantity=ln.base_quantity,
                picked_quantity=ln.base_quantity,
            )
            for s, ln in zip(shipments, lines, strict=True)
        ],
        batch_size=2000,
    )
    StockLevel.objects.get_or_create(
        product=product, warehouse=sh, lot=lot, defaults={"on_hand": 3000, "reserved": 0}
    )
    StockLevel.objects.get_or_create(
        product=product, warehouse=gz, lot=lot, defaults={"on_hand": 1200, "reserved": 100}
    )
    # Other products with lots of their own, shipped on the same shipments (noise).
    have_noise = Product.objects.filter(sku__startswith="BLT-N-").count()
    Product.objects.bulk_create(
        [
            Product(sku=f"BLT-N-{i}", name=f"噪声商品 {i}", tracking=Product.Tracking.LOT, cost=Decimal("10"))
            for i in range(have_noise + 1, NOISE_PRODUCTS + 1)
        ],
        batch_size=2000,
    )
    if not Lot.objects.filter(number__startswith="N-").exists():
        Lot.objects.bulk_create(
            [
                Lot(product_id=pk, number=f"N-{pk}-{k}")
                for pk in Product.objects.filter(sku__startswith="BLT-N-").values_list("pk", flat=True)
                for k in range(10)
            ],
            batch_size=5000,
        )
    with connection.cursor() as c:
        c.execute(
            "WITH noise AS (SELECT id, product_id, row_number() OVER (ORDER BY id) AS r "
            "  FROM inventory_lot WHERE number LIKE 'N-%%'), "
            "total AS (SELECT count(*) AS n FROM noise), "
            "s AS (SELECT sh.id, sl.order_line_id AS line_id, row_number() OVER (ORDER BY sh.id) AS n "
            "  FROM fulfilment_shipment sh JOIN fulfilment_shipmentline sl ON sl.shipment_id = sh.id "
            "  WHERE sh.number LIKE 'BLT-SH-%%' AND sl.lot_id = %s) "
            "INSERT INTO fulfilment_shipmentline "
            "(shipment_id, order_line_id, product_id, lot_id, quantity, picked_quantity, returned_quantity) "
            "SELECT s.id, s.line_id, noise.product_id, noise.id, 1, 1, 0 "
            "FROM s CROSS JOIN generate_series(1, 10) k "
            "JOIN noise ON noise.r = 1 + ((s.n * 10 + k) %% (SELECT n FROM total))",
            [lot.pk],
        )
        c.execute("SELECT count(*) FROM inventory_stockmove")
        have_moves = c.fetchone()[0]
        if have_moves < MOVES:
            c.execute(
                "WITH ids AS (SELECT array_agg(id ORDER BY id) AS a FROM inventory_product "
                "  WHERE sku LIKE 'BLT-N-%%') "
                "INSERT INTO inventory_stockmove "
                "(kind, product_id, warehouse_id, lot_id, quantity, unit_cost, reference, reason, "
                "created_at) SELECT CASE WHEN g %% 2 = 0 THEN 'receipt' ELSE 'shipment' END, "
                "ids.a[1 + g %% array_length(ids.a, 1)], %s, NULL, CASE WHEN g %% 2 = 0 THEN 5 ELSE -5 END, "
                "10, 'BLT-M-' || g, '', now() - (g %% 700) * interval '1 day' "
                "FROM generate_series(1, %s) g, ids",
                [sh.pk, MOVES - have_moves],
            )
        c.execute("ANALYZE")
    print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    return Lot.objects.select_related("product").get(number=LOT)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_lot_trace needs PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    lot = setup()
    from integration.aftersales.trace import lot_trace
    from integration.fulfilment.models import ShipmentLine
    from scm.inventory.models import StockMove

    print(
        f"lot trace: lot {lot.number} shipped to {CUSTOMERS:,} customers; "
        f"{StockMove.objects.count():,} stock moves, {ShipmentLine.objects.count():,} shipment lines; "
        f"PostgreSQL, {os.cpu_count()} cores"
    )
    lot_trace(lot=lot.pk)  # warm
    times = []
    for _ in range(20):
        started = time.perf_counter()
        trace = lot_trace(lot=lot.pk)
        times.append((time.perf_counter() - started) * 1000)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        trace = lot_trace(lot=lot.pk)
    print(
        f"trace: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms (aim < 200 ms); "
        f"{len(queries.captured_queries)} queries (fixed); {len(trace.customers):,} customers, "
        f"{len(trace.shipped):,} shipments, supplier {trace.supplier_name}, "
        f"{trace.stock_quantity} in stock in {len(trace.in_stock)} warehouses"
    )


if __name__ == "__main__":
    main()
