"""The order form's live line update (``POST /sales/orders/totals/``: price, amount, tax, totals,
availability per warehouse with incoming receipts, promise date, shortage warning) with 10,000
products × 5 warehouses of stock and expected receipts, and a customer with a price list and an
order promotion. Prints, for forms of 1, 5 and 20 lines, the queries of one request (the same
whatever the lines) and its p50 / p95 server time (Django test client, full middleware stack);
the aim is p95 < 50 ms. Then the line-preview API's and ``promise_dates_many``'s own times.

    .venv/bin/python bench/bench_order_lines.py [products]      # SQLite var/bench_order_lines.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/bench_order_lines.py
    BENCH_RUNS=60 (default)
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_order_lines.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

TARGET = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WAREHOUSES = 5
RUNS = int(os.environ.get("BENCH_RUNS", "60"))


def grow(n: int) -> None:
    """Bring the catalogue to ``n`` products, each stocked in every warehouse (with the receipts
    that explain the stock) and expected in two of them."""
    from scm.inventory.models import IncomingSupply, Product, StockLevel, StockMove, Warehouse

    whs = [
        Warehouse.objects.get_or_create(code=f"W{i}", defaults={"name": f"仓库 {i}", "transfer_days": 1 + i})[
            0
        ]
        for i in range(WAREHOUSES)
    ]
    today = timezone.localdate()
    have = Product.objects.count()
    for start in range(have, n, 2000):
        stop = min(start + 2000, n)
        Product.objects.bulk_create(
            Product(
                sku=f"L{i:06d}",
                name=f"商品 {i}",
                list_price=Decimal(10 + i % 90),
                cost=Decimal(5 + i % 40),
                tax_rate=Decimal("0.13"),
                lead_time_days=7 + i % 20,
            )
            for i in range(start, stop)
        )
        products = list(Product.objects.filter(sku__in=[f"L{i:06d}" for i in range(start, stop)]))
        levels, moves, incoming = [], [], []
        for p in products:
            for w in whs:
                q = Decimal(p.pk % 13 + w.pk)
                levels.append(StockLevel(product=p, warehouse=w, on_hand=q))
                moves.append(StockMove(kind="receipt", product=p, warehouse=w, quantity=q, reference="BENCH"))
            for k, w in enumerate(whs[:2]):
                incoming.append(
                    IncomingSupply(
                        reference=f"BENCH-{p.pk}-{k}",
                        product=p,
                        warehouse=w,
                        quantity=Decimal(50),
                        expected_date=today + timedelta(days=3 + 4 * k),
                    )
                )
        StockLevel.objects.bulk_create(levels)
        StockMove.objects.bulk_create(moves)
        IncomingSupply.objects.bulk_create(incoming)
    if connection.vendor == "postgresql":
        # The statistics a running database has (autovacuum): bulk-loaded tables have none yet.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def world():
    from crm.customers.models import Customer
    from crm.sales.orders.prices import services as prices
    from scm.inventory.models import Product

    user_model = get_user_model()
    rep, _ = user_model.objects.get_or_create(username="bench-lines-rep")
    rep.groups.add(Group.objects.get_or_create(name="sales")[0])
    manager, _ = user_model.objects.get_or_create(username="bench-lines-manager")
    manager.groups.add(Group.objects.get_or_create(name="manager")[0])
    customer, created = Customer.objects.get_or_create(
        code="BENCH-LINES", defaults={"name": "基准客户", "owner": rep, "credit_limit": 0}
    )
    products = list(Product.objects.order_by("pk")[:20])
    if created:
        today = timezone.localdate()
        prices.price_list_save(
            user=manager,
            name="客户价",
            customer=customer,
            valid_from=today - timedelta(days=1),
            lines=[{"product": p, "price": "9", "min_quantity": q} for p in products[:10] for q in (0, 10)],
        )
        prices.promotion_save(
            user=manager,
            name="满减",
            valid_from=today,
            valid_until=today + timedelta(days=30),
            threshold="500",
            discount_percent="5",
        )
    return rep, customer, products


def form(customer, products, count, ship_from=None):
    data = {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": str(count),
        "lines-INITIAL_FORMS": "0",
        "kind": "order",
    }
    for i, p in enumerate(products[:count]):
        # Some lines short: more than a warehouse's stock, so receipts and lead times are read.
        data.update({f"lines-{i}-product": p.pk, f"lines-{i}-quantity": str(3 + 9 * (i % 3))})
    if ship_from:
        data["ship_from"] = ship_from
    return data


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(call) -> tuple[int, float, float]:
    call()  # warm
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return count[0], statistics.median(times), percentile(times, 0.95)


def main():
    from crm.sales.orders.document_lines import document_lines
    from scm.inventory.models import Product, Warehouse
    from scm.inventory.promise import promise_dates_many

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    grow(TARGET)
    rep, customer, products = world()
    print(
        f"database: {connection.vendor}; products: {Product.objects.count()} × "
        f"{Warehouse.objects.count()} warehouses (set-up {time.perf_counter() - started:.1f} s)"
    )
    client = Client()
    client.force_login(rep)
    ship_from = Warehouse.objects.order_by("code").first()
    print("live line update POST /sales/orders/totals/ (aim p95 < 50 ms)")
    for count in (1, 5, 20):
        for label, sf in (("any warehouse", None), ("ship-from", ship_from.pk)):
            data = form(customer, products, count, sf)

            def post(data=data):
                response = client.post("/sales/orders/totals/", data)
                assert response.status_code == 200, response.status_code

            queries, p50, p95 = timed(post)
            print(
                f"  {count:2d} lines, {label:13s} {queries:2d} queries  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
            )
    api = Client()
    api.force_login(rep)
    body = {"customer": customer.pk, "product": products[3].pk, "quantity": "30"}

    def preview():
        response = api.post("/api/v1/order-line-preview/", body, content_type="application/json")
        assert response.status_code == 200, response.content

    queries, p50, p95 = timed(preview)
    print(
        f"line preview API POST /api/v1/order-line-preview/  {queries:2d} queries  "
        f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
    )
    lines = [(p, Decimal(12)) for p in products]
    queries, p50, p95 = timed(lambda: promise_dates_many(lines=lines, ship_from=ship_from, rows=False))
    print(
        f"promise_dates_many, 20 lines, as saving reads it  {queries} query  "
        f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms"
    )
    entries = [{"product": p.pk, "quantity": "12"} for p in products]
    queries, p50, p95 = timed(lambda: document_lines(entries, customer=customer, rows=True))
    print(
        f"document_lines, 20 lines with warehouses  {queries} queries  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms"
    )


if __name__ == "__main__":
    main()
