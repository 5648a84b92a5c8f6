"""Price resolution and the bulk price change.

Prints, for documents of 10, 50 and 200 lines priced for a customer with a price list of its own
(quantity breaks), a group price list and promotions (an order discount with a stock condition,
buy X get Y), the queries ``lines_price`` costs (they must not grow with the lines) and its
median time; then the time of a bulk change's preview and of applying it over a category of
``BENCH_PRODUCTS`` products. Usage:

    .venv/bin/python bench/bench_prices.py          # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/bench_prices.py
    BENCH_PRODUCTS=2000 BENCH_RUNS=15 (defaults)
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench_prices.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.customers.models import Customer, CustomerGroup  # noqa: E402
from crm.sales.orders.prices import bulk, services  # noqa: E402
from crm.sales.orders.prices.models import Promotion  # noqa: E402
from crm.sales.orders.pricing import lines_price  # noqa: E402
from scm.inventory.models import Category, Product  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def setup():
    call_command("migrate", verbosity=0)
    manager, _ = get_user_model().objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get_or_create(name="manager")[0])
    category, _ = Category.objects.get_or_create(name="基准类目", parent=None)
    have = Product.objects.filter(category=category).count()
    Product.objects.bulk_create(
        [
            Product(sku=f"BP-{i:06d}", name=f"基准商品 {i}", category=category, list_price=Decimal("100.00"))
            for i in range(have, PRODUCTS)
        ]
    )
    products = list(Product.objects.filter(category=category).order_by("pk")[:200])
    group, _ = CustomerGroup.objects.get_or_create(code="BENCH", defaults={"name": "基准客户组"})
    customer, _ = Customer.objects.get_or_create(
        code="BENCH-C", defaults={"name": "基准客户", "group": group}
    )
    today = timezone.localdate()
    if not customer.price_lists.exists():
        services.price_list_save(
            user=manager,
            name="客户价",
            customer=customer,
            valid_from=today - timedelta(days=1),
            lines=[
                {"product": p, "price": "90", "min_quantity": q} for p in products[:80] for q in (0, 10, 100)
            ],
        )
        services.price_list_save(
            user=manager,
            name="客户组价",
            group=group,
            valid_from=today - timedelta(days=1),
            lines=[{"product": p, "price": "95"} for p in products[80:160]],
        )
        services.promotion_save(
            user=manager,
            name="满减",
            valid_from=today,
            valid_until=today + timedelta(days=30),
            threshold="1000",
            discount_percent="10",
            stock_product=products[0],
        )
        services.promotion_save(
            user=manager,
            name="买赠",
            kind=Promotion.Kind.BUY_GET,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            buy_product=products[160],
            buy_quantity="10",
            get_product=products[161],
            get_quantity="1",
        )
    return manager, customer, products, category


def bench_resolution(customer, products):
    print("lines_price: lines, queries, median ms")
    for count in (10, 50, 200):
        lines = [{"product": p.pk, "quantity": str(5 + i % 120)} for i, p in enumerate(products[:count])]
        with CaptureQueriesContext(connection) as queries:
            lines_price(lines, customer=customer)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            lines_price(lines, customer=customer)
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {count:4d} lines  {len(queries):2d} queries  {statistics.median(times):7.1f} ms")


def bench_bulk(manager, category):
    change = bulk.bulk_change_input(category=category, method="percent", direction="up", value="3")
    start = time.perf_counter()
    preview = bulk.bulk_price_preview(change)
    preview_ms = (time.perf_counter() - start) * 1000
    with transaction.atomic():
        start = time.perf_counter()
        changed = bulk.bulk_price_apply(change=change, token=preview.token, user=manager)
        apply_ms = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    rows = len(preview.rows)
    print(f"bulk change over {rows} products: preview {preview_ms:.0f} ms, apply {apply_ms:.0f} ms", end="")
    print(f" ({changed} prices)")


if __name__ == "__main__":
    manager, customer, products, category = setup()
    print(f"database: {connection.vendor}")
    bench_resolution(customer, products)
    bench_bulk(manager, category)
