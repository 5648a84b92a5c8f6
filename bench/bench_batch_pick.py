"""Building a batch pick for 50 orders (aim: under 200 ms): 50 reserved orders of three lines
each in a warehouse with 60 bins, batched in one call (``batches.pick_batch_create``: the totes,
the pick lists and their lines from the bins, with what open pick lists already take). Each
build runs in a transaction that is rolled back, so every run builds the same batch.

Runs on SQLite (a scratch file) and on PostgreSQL (``tandem_bench``) by default, each in a
process of its own; with ``DATABASE_URL`` set, on that database only:
``.venv/bin/python bench/bench_batch_pick.py`` or
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/bench_batch_pick.py``.
The script adds its warehouse, products, customer and orders (named BENCH-*) and leaves them.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ORDERS = 50
LINES = 3
RUNS = 30
DATABASES = {
    "SQLite": f"sqlite:///{Path(tempfile.gettempdir()) / 'tandem_bench_batch_pick.sqlite3'}",
    "PostgreSQL": "postgres://postgres@127.0.0.1:5432/tandem_bench",
}


def run_each_database():
    for name, url in DATABASES.items():
        print(f"--- {name}", flush=True)
        env = {**os.environ, "DATABASE_URL": url, "BENCH_DATABASE_NAME": name}
        subprocess.run([sys.executable, __file__], env=env, check=False)


def ensure_database():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def world(tag: str):
    """A warehouse of 60 bins holding 30 products (each in two bins), and 50 reserved orders."""
    from django.contrib.auth import get_user_model

    from crm.customers.models import Customer
    from crm.sales.orders import services as order_services
    from integration.fulfilment import services
    from scm.inventory import services as stock
    from scm.inventory.models import Location, Product, Warehouse

    warehouse = Warehouse.objects.create(
        code=f"BENCH-BP-{tag}", name=f"BENCH 批量拣货 {tag}", latitude=31.2, longitude=121.5
    )
    bins = [
        Location.objects.create(
            warehouse=warehouse, code=f"{z}-{n:02d}", zone=z, sequence=i, barcode=f"BENCH-{tag}-{z}{n:02d}"
        )
        for i, (z, n) in enumerate((z, n) for z in "ABC" for n in range(1, 21))
    ]
    products = [
        Product.objects.create(
            sku=f"BENCH-BP-{tag}-{i:02d}", name=f"BENCH 商品 {i}", list_price=Decimal("10")
        )
        for i in range(30)
    ]
    for i, product in enumerate(products):
        for location in (bins[i * 2], bins[(i * 2 + 31) % len(bins)]):
            stock.stock_receive(
                product=product, warehouse=warehouse, quantity=200, reference="BENCH", location=location
            )
    from django.contrib.auth.models import Group

    rep, _ = get_user_model().objects.get_or_create(username="bench-batch-pick")
    rep.groups.add(Group.objects.get_or_create(name="sales")[0])
    picker, _ = get_user_model().objects.get_or_create(username="bench-batch-picker")
    picker.groups.add(Group.objects.get_or_create(name="warehouse")[0])
    customer = Customer.objects.create(
        code=f"BENCH-BP-{tag}", name=f"BENCH 客户 {tag}", owner=rep, latitude=31.2, longitude=121.5
    )
    for n in range(ORDERS):
        order = order_services.order_create(
            customer=customer,
            owner=rep,
            lines=[
                {"product": products[(n * LINES + k) % len(products)], "quantity": 1 + (n + k) % 4}
                for k in range(LINES)
            ],
        )
        services.order_confirm(order=order, user=rep)
    return warehouse, picker


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from integration.fulfilment import batches

    ensure_database()
    warehouse, picker = world(f"{int(time.time())}")
    timings, statements = [], 0
    for run in range(RUNS + 1):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                batch = batches.pick_batch_create(warehouse=warehouse, user=picker, count=ORDERS)
                elapsed = time.perf_counter() - start
            assert batch.shipments.count() == ORDERS
            transaction.set_rollback(True)
        if run:  # the first run warms the caches
            timings.append(elapsed * 1000)
            statements = len(queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    name = os.environ.get("BENCH_DATABASE_NAME", connection.vendor)
    print(
        f"{name}: batch pick of {ORDERS} orders ({ORDERS * LINES} lines, 60 bins): "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms over {RUNS} runs, {statements} statements"
    )


if __name__ == "__main__":
    if os.environ.get("DATABASE_URL"):
        main()
    else:
        run_each_database()
