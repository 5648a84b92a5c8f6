"""Product list and stock overview with 10,000 products × 5 warehouses: the query count of each
page (the same at 1,000 and at 10,000 products: independent of the number of rows) and the
median server time of a request (Django test client, full middleware stack).

``python bench/bench_inventory_pages.py [products]`` — SQLite file var/bench_pages.sqlite3 unless
DATABASE_URL is set. Data is bulk-loaded (products, levels and the receipts that explain them).
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_pages.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

TARGET = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WAREHOUSES = 5
RUNS = 5


def grow(n: int) -> None:
    """Bring the catalogue to ``n`` products, each stocked in every warehouse."""
    from scm.inventory.models import Category, Product, StockLevel, StockMove, Warehouse

    whs = [
        Warehouse.objects.get_or_create(code=f"W{i}", defaults={"name": f"仓库 {i}"})[0]
        for i in range(WAREHOUSES)
    ]
    cats = [Category.objects.get_or_create(name=f"类目 {i}", parent=None)[0] for i in range(20)]
    have = Product.objects.count()
    batch = 2000
    for start in range(have, n, batch):
        stop = min(start + batch, n)
        products = Product.objects.bulk_create(
            Product(
                sku=f"P{i:06d}",
                name=f"商品 {i}",
                category=cats[i % len(cats)],
                barcode=f"69{i:011d}",
                list_price=Decimal(10 + i % 90),
                cost=Decimal(5 + i % 40),
                reorder_point=Decimal(i % 200),
            )
            for i in range(start, stop)
        )
        if connection.vendor == "sqlite":  # bulk_create does not return ids on every backend
            products = list(Product.objects.filter(sku__in=[p.sku for p in products]))
        levels, moves = [], []
        for p in products:
            for w in whs:
                q = Decimal(p.pk % 97 + w.pk)
                levels.append(StockLevel(product=p, warehouse=w, on_hand=q))
                moves.append(StockMove(kind="receipt", product=p, warehouse=w, quantity=q, reference="BENCH"))
        StockLevel.objects.bulk_create(levels)
        StockMove.objects.bulk_create(moves)


def measure(client, url) -> tuple[int, float]:
    client.get(url)  # warm
    # Counted with an execute wrapper: the request signals reset Django's own query log.
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    # Twice, keeping the smaller: the session middleware writes now and then, whatever the page.
    seen = []
    for _ in range(2):
        count[0] = 0
        with connection.execute_wrapper(counter):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seen.append(count[0])
    count[0] = min(seen)
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t)
    return count[0], statistics.median(times) * 1000


PAGES = [
    ("product list", "/inventory/"),
    ("product list, sorted by on hand", "/inventory/?ordering=-on_hand_total"),
    ("product list, search", "/inventory/?q=P0001"),
    ("product list, page 50", "/inventory/?page=50"),
    ("stock overview", "/inventory/stock/"),
    ("stock overview, one warehouse", "/inventory/stock/?warehouse=2"),
    ("low stock", "/inventory/low-stock/"),
]


def main():
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get_or_create(name="manager")[0])
    client = Client()
    client.force_login(user)
    results = {}
    for n in (min(1000, TARGET), TARGET):
        grow(n)
        results[n] = {name: measure(client, url) for name, url in PAGES}
    small, big = min(results), max(results)
    print(f"inventory pages on {connection.vendor}, {WAREHOUSES} warehouses; median of {RUNS} requests")
    head = f"{'queries @' + str(small):>13} {'queries @' + str(big):>14} {'median ms @' + str(big):>16}"
    print(f"{'page':<34} {head}")
    for name, _url in PAGES:
        q_small = results[small][name][0]
        q_big, ms = results[big][name]
        flag = "" if q_small == q_big else "  <- query count grows with rows"
        print(f"{name:<34} {q_small:>13} {q_big:>14} {ms:>16.1f}{flag}")


if __name__ == "__main__":
    main()
