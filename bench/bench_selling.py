"""The nightly selling refresh over two years of orders: 1,000,000 order lines, 20,000 customers,
10,000 products.

Prints the time of the nightly run (``integration.insights.selling_services.selling_refresh``:
purchase cycles detected, co-purchase rules counted, follow-up tasks made; aim < 60 s on a
2-core machine) step by step, twice (the second night finds the same cycles and makes no task
again), the statements each step issued, what it found, and the time and queries of one
customer's cross-sell suggestions (``crosssell.suggestions_for``, median of 20 customers).

The rows are written directly (``bulk_create``), as the services would have left them: 100
categories, products ``BSP-…`` with stock in three warehouses (北京 上海 广州) for four in five of
them, customers near one of the warehouses with 40 reps as owners, and confirmed-and-later orders
(a few cancelled) of 1 to 7 lines over 730 days: popular products ordered more (a long tail),
one customer in twelve buying one product every 3 to 10 weeks, one in twenty-five buying one
product in the same month each year, and 300 product pairs that customers buy within three weeks
of each other. Created once and re-used (a database per scale).

``python bench/bench_selling.py`` — PostgreSQL by default
(``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench_selling``, created if missing);
``BENCH_SCALE=0.05`` for a quick run at a twentieth of the size (its own database). Any
``DATABASE_URL`` works (SQLite too).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
_SUFFIX = "" if SCALE == 1 else f"_{str(SCALE).replace('.', '_')}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/tandem_bench_selling{_SUFFIX}")


def _create_database() -> None:
    """The PostgreSQL database named by DATABASE_URL, created when missing."""
    from urllib.parse import urlparse

    url = urlparse(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        return
    import psycopg

    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


_create_database()

import django  # noqa: E402

django.setup()

from random import Random  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

LINES = int(1_000_000 * SCALE)
CUSTOMERS = max(int(20_000 * SCALE), 50)
PRODUCTS = max(int(10_000 * SCALE), 50)
DAYS = 730
PAIRS = max(int(300 * SCALE), 10)
CITIES = [
    ("BSW-BJ", "北京仓", 39.9042, 116.4074),
    ("BSW-SH", "上海仓", 31.2304, 121.4737),
    ("BSW-GZ", "广州仓", 23.1291, 113.2644),
]


def _orders_plan(rng: Random, customers: list[int], products: list[int], today):
    """(customer index, day offset, [product ids]) for every order, about ``LINES`` lines."""
    from datetime import timedelta

    plan = []
    n_products = len(products)
    # Interval buyers: one product every 3 to 10 weeks, the gap varying by a tenth.
    for c in range(0, len(customers), 12):
        product = products[rng.randrange(n_products)]
        gap = rng.randint(21, 70)
        day = rng.randint(0, gap)
        while day < DAYS:
            plan.append((c, day, [product]))
            day += max(1, round(gap * rng.uniform(0.9, 1.1)))
    # Annual buyers: one product in the same month of each year.
    for c in range(5, len(customers), 25):
        product = products[rng.randrange(n_products)]
        month = rng.randint(1, 12)
        for back in range(DAYS // 365 + 1):
            year = today.year - back
            try:
                day = (today - today.replace(year=year, month=month, day=rng.randint(1, 28))).days
            except ValueError:
                continue
            if 0 <= day < DAYS:
                plan.append((c, DAYS - 1 - day, [product]))
    # Pairs bought together: A, then B within three weeks, by 30 customers each.
    for _ in range(PAIRS):
        a, b = rng.sample(products, 2)
        for c in rng.sample(range(len(customers)), 30):
            day = rng.randint(0, DAYS - 22)
            plan.append((c, day, [a]))
            plan.append((c, day + rng.randint(0, 21), [b]))
    # The rest: 1 to 7 lines, popular products more often (a long tail).
    weights = [1 / (rank + 20) for rank in range(n_products)]
    lines = sum(len(p[2]) for p in plan)
    while lines < LINES:
        count = min(rng.randint(1, 7), LINES - lines)
        chosen = list(dict.fromkeys(rng.choices(products, weights=weights, k=count)))
        plan.append((rng.randrange(len(customers)), rng.randrange(DAYS), chosen))
        lines += len(chosen)
    start = today - timedelta(days=DAYS - 1)
    return [(customers[c], start + timedelta(days=d), ps) for c, d, ps in plan]


def setup() -> dict:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from crm.customers.models import Customer
    from crm.sales.models import SalesOrder, SalesOrderLine
    from scm.inventory.models import Category, Product, StockLevel, Warehouse

    rng = Random(16)
    today = timezone.localdate()
    warehouses = []
    for code, name, lat, lng in CITIES:
        wh, _ = Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "latitude": Decimal(str(lat)), "longitude": Decimal(str(lng))}
        )
        warehouses.append(wh)
    if SalesOrderLine.objects.exists():
        return {"today": today, "created": False}
    User = get_user_model()
    sales = Group.objects.get_or_create(name="sales")[0]
    reps = []
    for i in range(40):
        rep, _ = User.objects.get_or_create(
            username=f"bench-rep-{i}", defaults={"first_name": "伟", "last_name": "张"}
        )
        rep.groups.add(sales)
        reps.append(rep)
    categories = Category.objects.bulk_create([Category(name=f"基准品类{i:03d}") for i in range(100)])
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"BSP-{i:06d}",
                name=f"基准商品{i:06d}",
                category=categories[i % len(categories)],
                list_price=Decimal(rng.randint(5, 2000)),
                cost=Decimal(rng.randint(3, 1500)),
            )
            for i in range(PRODUCTS)
        ],
        batch_size=5000,
    )
    StockLevel.objects.bulk_create(
        [
            StockLevel(product=p, warehouse=w, on_hand=Decimal(rng.randint(1, 500)), reserved=0)
            for p in products
            for w in warehouses
            if rng.random() < 0.8
        ],
        batch_size=10000,
    )
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"BSC-{i:06d}",
                name=f"基准客户{i:06d}有限公司",
                owner=reps[i % len(reps)],
                latitude=Decimal(str(round(CITIES[i % 3][2] + rng.uniform(-1, 1), 6))),
                longitude=Decimal(str(round(CITIES[i % 3][3] + rng.uniform(-1, 1), 6))),
                stage=Customer.Stage.CUSTOMER,
            )
            for i in range(CUSTOMERS)
        ],
        batch_size=5000,
    )
    owner_of = {c.pk: c.owner_id for c in customers}
    price_of = {p.pk: p.list_price for p in products}
    plan = _orders_plan(rng, [c.pk for c in customers], [p.pk for p in products], today)
    plan.sort(key=lambda item: item[1])
    states = ["paid"] * 12 + ["invoiced"] * 4 + ["shipped"] * 3 + ["cancelled"]
    stamp = timezone.now()
    for start in range(0, len(plan), 20000):
        chunk = plan[start : start + 20000]
        orders = SalesOrder.objects.bulk_create(
            [
                SalesOrder(
                    number=f"BSO-{start + i:07d}",
                    customer_id=customer_id,
                    owner_id=owner_of[customer_id],
                    state=rng.choice(states),
                    order_date=day,
                    confirmed_at=stamp,
                )
                for i, (customer_id, day, _ps) in enumerate(chunk)
            ]
        )
        lines = []
        for order, (_c, _d, product_ids) in zip(orders, chunk, strict=True):
            for product_id in product_ids:
                quantity = Decimal(rng.randint(1, 20))
                net = quantity * price_of[product_id]
                lines.append(
                    SalesOrderLine(
                        order=order,
                        product_id=product_id,
                        quantity=quantity,
                        base_quantity=quantity,
                        unit_price=price_of[product_id],
                        tax_rate=Decimal("0.13"),
                        net_amount=net,
                        tax_amount=(net * Decimal("0.13")).quantize(Decimal("0.01")),
                    )
                )
        SalesOrderLine.objects.bulk_create(lines, batch_size=10000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"today": today, "created": True}


def _step(func, **kwargs):
    """Seconds, statements and the result of ``func(**kwargs)``."""
    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        result = func(**kwargs)
        seconds = time.perf_counter() - started
    return seconds, count[0], result


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    info = setup()
    from crm.customers.models import Customer
    from crm.sales.models import SalesOrderLine
    from integration.insights import crosssell, cycles, reminders
    from integration.insights.models import CoPurchase, CycleReminder, PurchaseCycle

    if info["created"]:
        print(f"data written in {time.perf_counter() - started:.0f} s")
    lines = SalesOrderLine.objects.count()
    print(
        f"selling refresh: {lines:,} order lines, {Customer.objects.count():,} customers, "
        f"{PRODUCTS:,} products, {DAYS} days on {connection.vendor}, {os.cpu_count()} cores"
    )
    today = info["today"]
    for night in ("nightly run", "next night"):
        total = 0.0
        parts = []
        for name, func in (
            ("cycles", cycles.cycles_refresh),
            ("co-purchases", crosssell.copurchase_refresh),
            ("reminders", reminders.reminders_create),
        ):
            seconds, queries, result = _step(func, today=today)
            total += seconds
            parts.append(f"  {name:<13} {seconds:6.1f} s  {queries:>6,} statements  {result}")
        print(f"{night}: {total:.1f} s (aim < 60 s)")
        print("\n".join(parts))
    print(
        f"kept: {PurchaseCycle.objects.count():,} cycles, {CoPurchase.objects.count():,} co-purchase rules, "
        f"{CycleReminder.objects.count():,} reminders"
    )
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser(
        "bench-admin", "bench-admin@example.com", "bench-Secret-123"
    )
    buyers = list(
        Customer.objects.filter(pk__in=PurchaseCycle.objects.values("customer_id")).order_by("pk")[:20]
    ) or list(Customer.objects.order_by("pk")[:20])
    times, counts, found = [], [], []
    for customer in buyers:
        seconds, queries, result = _step(crosssell.suggestions_for, customer=customer, user=manager)
        times.append(seconds * 1000)
        counts.append(queries)
        found.append(len(result))
    print(
        f"suggestions for one customer: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms, "
        f"{max(counts)} queries at most, {statistics.mean(found):.1f} suggestions on average"
    )


if __name__ == "__main__":
    main()
