"""The backorder rule's cost: the ``stock.available`` handler when nothing waits (every receipt
pays it), and one receipt serving 1, 50 and 200 waiting orders (time and statements).

PostgreSQL only: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench python
bench/bench_backorders.py``. The database is migrated if needed; the script adds its products,
customer and orders (named BENCH-*) and leaves them.
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SIZES = (1, 50, 200)
REPEAT = 500


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench_backorders needs PostgreSQL (set DATABASE_URL)")
    ensure_database()
    from django.contrib.auth import get_user_model

    from crm.customers.models import Customer
    from crm.sales.orders import services as order_services
    from integration.fulfilment import services
    from integration.fulfilment.backorders import backorders_serve
    from scm.inventory import services as stock
    from scm.inventory.models import Product, Warehouse

    tag = f"{int(time.time())}"
    warehouse, _ = Warehouse.objects.get_or_create(
        code="BENCH-BO", defaults={"name": "BENCH backorders", "latitude": 31.2, "longitude": 121.5}
    )
    rep, _ = get_user_model().objects.get_or_create(username="bench-backorders")
    customer = Customer.objects.create(code=f"BENCH-BO-{tag}", name=f"BENCH 客户 {tag}", owner=rep)

    idle = Product.objects.create(sku=f"BENCH-BO-IDLE-{tag}", name="BENCH idle", list_price=Decimal("1"))
    with CaptureQueriesContext(connection) as queries:
        backorders_serve(product_ids=[idle.pk], event_id=None)
    start = time.perf_counter()
    for _ in range(REPEAT):
        backorders_serve(product_ids=[idle.pk], event_id=None)
    idle_us = (time.perf_counter() - start) / REPEAT * 1e6
    print(f"nothing waiting: {idle_us:.0f} µs per event, {len(queries)} statement(s)")

    for size in SIZES:
        product = Product.objects.create(
            sku=f"BENCH-BO-{size}-{tag}", name=f"BENCH {size}", list_price=Decimal("1")
        )
        for _ in range(size):
            order = order_services.order_create(
                customer=customer, owner=rep, lines=[{"product": product, "quantity": 2}]
            )
            services.order_confirm(order=order, user=rep)
        # The orders wait (nothing in stock); the reservation rule ran in-process on commit.
        with transaction.atomic():
            stock.stock_receive(product=product, warehouse=warehouse, quantity=2 * size, reference="BENCH")
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                served = backorders_serve(product_ids=[product.pk], event_id=None)
                elapsed = time.perf_counter() - start
            assert served is not None and served.reserved == 2 * size, served
            transaction.set_rollback(True)
        print(
            f"{size:>4} waiting orders served by one receipt: {elapsed * 1000:.1f} ms, "
            f"{len(queries)} statements ({len(queries) / size:.1f} per order)"
        )


if __name__ == "__main__":
    main()
