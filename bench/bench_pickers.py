"""The pickers, one keystroke at a time: 100,000 customers, 10,000 products (each with a box
barcode) stocked in 5 warehouses, 200 suppliers and 200 users.

Prints, for typical queries (pinyin prefix, initials, a Chinese fragment, a code, a phone, a
barcode, a box barcode), the queries one request costs and the p50 and p95 of the request
(the search endpoint through Django's test client, the way the page's picker asks it), for a
manager (reads every customer) and a rep (record rules). Aim: p95 under 50 ms. Usage:

    .venv/bin/python bench/bench_pickers.py          # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pickers .venv/bin/python bench/bench_pickers.py
    BENCH_CUSTOMERS=100000 BENCH_PRODUCTS=10000 BENCH_RUNS=60 (defaults)

Point DATABASE_URL at a database of its own: the data is made once and reused by re-runs.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench_pickers.sqlite3"

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from crm.customers.models import Customer, Team  # noqa: E402
from scm.inventory.models import Product, StockLevel, Warehouse  # noqa: E402
from scm.purchasing.models import Supplier  # noqa: E402
from tests.picker_world import GIVEN, SURNAMES, bulk_customers, bulk_products, phone  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
REPS = 20


def ensure_data():
    User = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("sales", "manager", "purchasing")}
    manager, created = User.objects.get_or_create(username="bench-manager", defaults={"last_name": "经理"})
    if created:
        manager.groups.add(groups["manager"])
    reps = []
    for i in range(REPS):
        rep, created = User.objects.get_or_create(
            username=f"bench-rep{i}", defaults={"last_name": SURNAMES[i], "first_name": GIVEN[i % len(GIVEN)]}
        )
        if created:
            rep.groups.add(groups["sales"])
        reps.append(rep)
    for i in range(User.objects.count(), 200):
        user = User.objects.create(
            username=f"bench-user{i}", last_name=SURNAMES[i % len(SURNAMES)], first_name=GIVEN[i % len(GIVEN)]
        )
        user.groups.add(groups["purchasing" if i % 3 else "sales"])
    team, _ = Team.objects.get_or_create(name="bench-team")
    team.members.add(*reps[:5])
    have = Customer.objects.count()
    # Each rep owns a twentieth of the customers, in runs of 1,000; the first five are a team.
    step = 1000
    for start in range(have, CUSTOMERS, step):
        owner = reps[(start // step) % REPS]
        bulk_customers(
            min(step, CUSTOMERS - start),
            owner=owner,
            team=team if (start // step) % REPS < 5 else None,
            start=start,
        )
    have = Product.objects.count()
    if have < PRODUCTS:
        bulk_products(PRODUCTS - have, start=have)
    warehouses = [
        Warehouse.objects.get_or_create(code=f"W{i}", defaults={"name": f"{city}仓"})[0]
        for i, city in enumerate(["北京", "上海", "广州", "成都", "武汉"])
    ]
    if not StockLevel.objects.exists():
        ids = list(Product.objects.values_list("pk", flat=True))
        for warehouse in warehouses:
            StockLevel.objects.bulk_create(
                [StockLevel(product_id=pk, warehouse=warehouse, on_hand=Decimal(100)) for pk in ids],
                batch_size=5000,
            )
    for i in range(Supplier.objects.count(), 200):
        Supplier.objects.create(
            code=f"V{i:05d}", name=f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i % len(GIVEN)]}贸易有限公司"
        )
    if settings.DB_IS_POSTGRES:
        # As autovacuum leaves a table: statistics, and the trigram indexes' pending entries
        # (bulk inserts land in a GIN index's pending list) merged.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return manager, reps[0]


def measure(client, url, q):
    connection.queries_log.clear()  # a full log (after the bulk inserts) would capture nothing
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"q": q})
    queries = len(ctx.captured_queries)  # read now: the next request empties the log
    assert response.status_code == 200, response.status_code
    found = len(response.json().get("results", ()))
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url, {"q": q})
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return queries, found, statistics.median(times), p95


CASES = [
    ("customer-picker", "customers", "pinyin prefix", "zhang"),
    ("customer-picker", "customers", "pinyin syllables", "zhangwei"),
    ("customer-picker", "customers", "initials", "zw"),
    ("customer-picker", "customers", "one initial", "z"),
    ("customer-picker", "customers", "Chinese fragment", "伟商"),
    ("customer-picker", "customers", "Chinese name", "张伟商贸"),
    ("customer-picker", "customers", "code", "B00012"),
    ("customer-picker", "customers", "phone fragment", phone(12345)[3:9]),
    ("customer-picker", "customers", "(empty: first rows)", ""),
    ("inventory-product-picker", "products", "pinyin prefix", "kuangquan"),
    ("inventory-product-picker", "products", "initials", "kqs"),
    ("inventory-product-picker", "products", "Chinese fragment", "矿泉"),
    ("inventory-product-picker", "products", "SKU", "P00012"),
    ("inventory-product-picker", "products", "barcode", "6900000001234"),
    ("inventory-product-picker", "products", "box barcode", "7900000001234"),
    ("supplier-picker", "suppliers", "initials", "zw"),
    ("api-user-picker", "users", "pinyin", "zhang"),
]


def main():
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    manager, rep = ensure_data()
    print(
        f"{connection.vendor}: {Customer.objects.count()} customers, {Product.objects.count()} products, "
        f"{StockLevel.objects.count()} stock levels, {Supplier.objects.count()} suppliers, "
        f"{get_user_model().objects.count()} users (set-up {time.perf_counter() - started:.1f}s); "
        f"{RUNS} requests per query"
    )
    for who, user in (("manager", manager), ("rep", rep)):
        client = Client()
        client.force_login(user)
        client.get(reverse("customer-picker"), {"q": "a"})  # session, roles, connection
        # What any request costs here (session, user, roles, the framework): the floor.
        queries, _found, p50, p95 = measure(client, reverse("api-me"), "")
        print(
            f"{who:8s} {'(floor)':9s} {'GET /api/v1/me/':22s} {'':18s} {queries} queries         "
            f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
        )
        for name, what, label, q in CASES:
            if who == "rep" and what != "customers":
                continue
            queries, found, p50, p95 = measure(client, reverse(name), q)
            flag = "ok" if p95 < 50 else "SLOW"
            print(
                f"{who:8s} {what:9s} {label:22s} {q!r:18s} {queries} queries {found:2d} rows "
                f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {flag}"
            )


if __name__ == "__main__":
    main()
