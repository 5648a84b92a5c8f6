"""Reservations per second through ``stock_reserve`` at 1, 4 and 16 threads, beside a raw-SQL
baseline doing the same conditional UPDATE (``reserved + q WHERE on_hand - reserved >= q``) on the
same database in the same run, and their ratio.

PostgreSQL only: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench python
bench/bench_reservation.py [seconds per run]``. The database is migrated if needed; the script
adds one product and warehouse per run and leaves them (they are named BENCH-*).
"""

import os
import sys
import threading
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

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
THREADS = (1, 4, 16)


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def run(threads: int, op) -> float:
    """Operations per second over ``SECONDS`` with ``threads`` workers, each on its own connection."""
    done = [0] * threads
    stop = time.perf_counter() + SECONDS
    barrier = threading.Barrier(threads)

    def worker(i):
        try:
            op(i, 0)  # open the connection before the clock starts
            barrier.wait()
            n = 1
            while time.perf_counter() < stop:
                op(i, n)
                n += 1
            done[i] = n - 1
        finally:
            connection.close()

    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / (time.perf_counter() - start)


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench_reservation needs PostgreSQL (set DATABASE_URL)")
    ensure_database()
    from scm.inventory import reservations, services
    from scm.inventory.models import Product, StockLevel, Warehouse

    tag = f"{int(time.time())}"
    product = Product.objects.create(sku=f"BENCH-{tag}", name="bench")
    warehouse = Warehouse.objects.create(code=f"B{tag[-8:]}", name="bench")
    services.stock_receive(product=product, warehouse=warehouse, quantity=10_000_000)
    level_id = StockLevel.objects.get(product=product).pk
    one = Decimal(1)

    def service_op(i, n):
        reservations.stock_reserve(product=product, quantity=one, demand=f"bench:{tag}:{i}:{n}")

    def raw_op(i, n):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "UPDATE inventory_stocklevel SET reserved = reserved + %s "
                "WHERE id = %s AND on_hand - reserved >= %s",
                [one, level_id, one],
            )

    print(f"reservations per second ({SECONDS:g} s per run, one hot product, PostgreSQL)")
    print(f"{'threads':>8} {'service':>10} {'raw SQL':>10} {'ratio':>7}")
    for threads in THREADS:
        raw = run(threads, raw_op)
        svc = run(threads, service_op)
        print(f"{threads:>8} {svc:>10.0f} {raw:>10.0f} {svc / raw:>7.2f}")
    level = StockLevel.objects.get(pk=level_id)
    print(f"check: reserved {level.reserved} ≤ on hand {level.on_hand}")


if __name__ == "__main__":
    main()
