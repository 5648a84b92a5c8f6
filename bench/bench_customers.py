"""Customer list and search with 100,000 customers (PostgreSQL).

Prints, for the list page and several searches, the number of queries at two page sizes (they
must be equal) and the median server time. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/bench_customers.py
    BENCH_CUSTOMERS=100000 BENCH_RUNS=15 (defaults)

The customers are created once (re-runs reuse them).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from random import Random  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from core.search import search_columns  # noqa: E402
from crm.customers.models import Customer, Region, Team  # noqa: E402

TOTAL = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "天津", "苏州"]
# Brand names are two characters drawn from this pool (1,600 brands), so a two-character search
# matches a believable few rows, not a tenth of the table.
CHARS = "华通宏达鑫源恒泰瑞丰金桥远航博雅盛世中联嘉禾天成新锐安信永昌汇百川东方凯旋万"
TRADES = ["贸易", "机械", "电子科技", "食品", "建材", "医疗器械", "物流", "餐饮管理"]


def ensure_data():
    User = get_user_model()
    sales_group, _ = Group.objects.get_or_create(name="sales")
    manager_group, _ = Group.objects.get_or_create(name="manager")
    reps = []
    for i in range(20):
        user, created = User.objects.get_or_create(username=f"bench-rep{i}")
        if created:
            user.groups.add(sales_group)
        reps.append(user)
    manager, created = User.objects.get_or_create(username="bench-manager")
    if created:
        manager.groups.add(manager_group)
    team, _ = Team.objects.get_or_create(name="bench-team")
    team.members.add(*reps[:5])
    region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "基准"})
    if os.environ.get("BENCH_RESET") == "1":
        Customer.objects.all()._raw_delete(Customer.objects.db)
    have = Customer.objects.count()
    if have < TOTAL:
        rng = Random(7)
        cache: dict[str, tuple] = {}
        batch = []
        for i in range(have, TOTAL):
            name = f"{rng.choice(CITIES)}{rng.choice(CHARS)}{rng.choice(CHARS)}{rng.choice(TRADES)}有限公司"
            cols = cache.get(name) or cache.setdefault(name, search_columns(name))
            batch.append(
                Customer(
                    code=f"B{i:07d}",
                    name=name,
                    phone=f"1{rng.randint(3000000000, 9999999999)}",
                    email=f"b{i}@bench.example.cn",
                    owner=reps[i % len(reps)],
                    team=team if i % len(reps) < 5 else None,
                    region=region,
                    credit_limit=rng.randrange(0, 500) * 1000,
                    search_pinyin=cols[0],
                    search_initials=cols[1],
                    name_normalized=cols[2],
                )
            )
            if len(batch) == 5000:
                # bulk_create skips save(): the search columns are filled above.
                Customer.objects.bulk_create(batch)
                batch = []
        if batch:
            Customer.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer")
    return manager, reps[0]


def measure(client, url):
    counts = []
    for size in (25, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}&page_size={size}")
        assert response.status_code == 200, response.status_code
        counts.append(len(ctx.captured_queries))
    times, sql_times = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            client.get(f"{url}&page_size=25")
            times.append((time.perf_counter() - start) * 1000)
        sql_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    return counts, statistics.median(times), statistics.median(sql_times)


def main():
    if not settings.DB_IS_POSTGRES:
        print("warning: not PostgreSQL; figures are for the embedded SQLite")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    manager, rep = ensure_data()
    print(f"customers: {Customer.objects.count()} (set-up {time.perf_counter() - started:.1f}s)")
    cases = [
        ("list", "/customers/?x=1"),
        ("list sorted by credit", "/customers/?ordering=-credit_limit"),
        ("list by name, backwards", "/customers/?ordering=-name"),
        ("list sorted by owner", "/customers/?ordering=owner"),
        ("search initials 'zs'", "/customers/?q=zs"),
        ("search pinyin 'huatong'", "/customers/?q=huatong"),
        ("search Chinese '华通'", "/customers/?q=华通"),
        ("search code 'B00012'", "/customers/?q=B00012"),
        ("search English 'tong'", "/customers/?q=tong"),
        ("search phone '13800'", "/customers/?q=13800"),
    ]
    for who, user in (("manager", manager), ("rep", rep)):
        client = Client()
        client.force_login(user)
        client.get("/customers/?x=1")  # warm up
        for label, url in cases:
            (q25, q100), median, sql = measure(client, url)
            flag = "ok" if q25 == q100 else "GROWS"
            print(
                f"{who:8s} {label:28s} queries 25/100 rows: {q25}/{q100} {flag:5s} "
                f"median {median:6.1f} ms (SQL {sql:5.1f} ms)"
            )


if __name__ == "__main__":
    main()
