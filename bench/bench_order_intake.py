"""Order intake: clients create 3-line orders and confirm them through the REST API.

Two ways, each timed: two calls per order (create, then confirm), and one call that places the
order (creates and confirms it in one request and one transaction).

The app is served by gunicorn (two workers of one thread by default, persistent database connections)
with a Celery worker running the reservation rule, on PostgreSQL and Redis. For 1, 4 and 16 concurrent
clients it prints orders per second, median and 95th-percentile API latency, median and
95th-percentile time from confirm to reserved (the order's ``confirmed_at`` to the commit of the
reservation rule's run), and the database queries one order costs (the worker reserves the
orders that arrive while a dispatch task waits as one batch: see ``EVENTS_DISPATCH_DELAY_MS``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/bench_order_intake.py --seconds 10 --clients 1 4 16

The database is migrated and filled with what the benchmark needs (three warehouses, products
with plenty of stock, customers across the country, a sales user with a token).
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production settings (DEBUG off) on plain HTTP, for this machine only.
for key, value in {
    "SECRET_KEY": "bench-only-not-secret",
    "SECURE_COOKIES": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}.items():
    os.environ.setdefault(key, value)


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def setup_data():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.tokens import token_create
    from crm.customers.models import Customer
    from scm.inventory import services as stock
    from scm.inventory.models import Product, Warehouse

    cities = [
        ("BJ", "北京仓", "39.904200", "116.407400"),
        ("SH", "上海仓", "31.230400", "121.473700"),
        ("GZ", "广州仓", "23.129100", "113.264400"),
    ]
    warehouses = []
    for code, name, lat, lng in cities:
        wh, _ = Warehouse.objects.get_or_create(
            code=f"B{code}", defaults={"name": name, "latitude": Decimal(lat), "longitude": Decimal(lng)}
        )
        warehouses.append(wh)
    products = []
    for i in range(6):
        product, created = Product.objects.get_or_create(
            sku=f"BENCH-{i:03d}", defaults={"name": f"压测商品 {i}", "list_price": Decimal("19.90")}
        )
        if created:
            for wh in warehouses:
                stock.stock_receive(product=product, warehouse=wh, quantity=1_000_000, reference="BENCH")
        products.append(product)
    user, _ = get_user_model().objects.get_or_create(username="bench-sales")
    user.groups.add(Group.objects.get_or_create(name="sales")[0])
    # A token of its own for each run (tokens are stored hashed: an old one cannot be read back).
    _token, token = token_create(user=user, name="bench")
    customers = []
    for i, (_code, _name, lat, lng) in enumerate(cities * 4):
        customer, _ = Customer.objects.get_or_create(
            code=f"BENCH-C{i:02d}",
            defaults={
                "name": f"压测客户{i}",
                "owner": user,
                "latitude": Decimal(lat) + Decimal(i) / 100,
                "longitude": Decimal(lng),
            },
        )
        customers.append(customer.pk)
    return token, [p.pk for p in products], customers


def count_queries(token, products, customers):
    """Queries one order costs, measured in-process: the create call, the confirm call, and the
    reservation rule (run in-process here, by the worker in the timed runs)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def captured():
        # A request empties the query log as it starts: each count starts from an empty log.
        reset_queries()
        return CaptureQueriesContext(connection)

    from config.celery import app
    from core.events import queue
    from integration.fulfilment.reservations import order_reserve, orders_reserve

    app.conf.task_always_eager = False
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = order_body(products, customers, 0)
    # Steady state: what the first order of a process or of a year does once (the year's number
    # counter is made) is not counted.
    client.post("/api/v1/sales-orders/", body, content_type="application/json")
    with captured() as create_q:
        response = client.post("/api/v1/sales-orders/", body, content_type="application/json")
    order_id = response.json()["id"]

    real_enqueue = queue.enqueue_event
    queue.enqueue_event = lambda event_id: None  # the timed runs hand this to the worker
    try:
        with captured() as confirm_q:
            client.post(f"/api/v1/order-workflow/{order_id}/confirm/")
        with captured() as reserve_q:
            order_reserve(order_id=order_id)
        with captured() as place_q:
            client.post("/api/v1/order-workflow/place/", body, content_type="application/json")
        placed = [
            client.post("/api/v1/order-workflow/place/", body, content_type="application/json").json()["id"]
            for _ in range(10)
        ]
        with captured() as batch_q:  # the worker's batch of ten
            orders_reserve(runs=[(pk, None) for pk in placed])
    finally:
        queue.enqueue_event = real_enqueue
    return len(create_q), len(confirm_q), len(reserve_q), len(place_q), len(batch_q) / 10


def order_body(products, customers, n):
    lines = [
        {"product": products[(n + k) % len(products)], "quantity": str(1 + (n + k) % 3)} for k in range(3)
    ]
    return json.dumps({"customer": customers[n % len(customers)], "lines": lines})


def start_servers(port, web_workers, threads, worker_concurrency, web_nice=0, worker_nice=0):
    env = {**os.environ, "DEBUG": "0"}
    web = subprocess.Popen(
        [
            *(["nice", "-n", str(web_nice)] if web_nice else []),
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(web_workers),
            *(["-k", "gthread", "--threads", str(threads)] if threads > 0 else ["-k", "sync"]),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [
            *(["nice", "-n", str(worker_nice)] if worker_nice else []),
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            str(worker_concurrency),
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                break
        except OSError:
            time.sleep(0.5)
    from config.celery import app

    while time.monotonic() < deadline + 60:  # timed runs start once the worker answers
        if app.control.ping(timeout=1.0):
            break
    return web, worker


def run_level(port, token, products, customers, clients, seconds, offset, mode="two-calls"):
    latencies, order_ids, errors = [], [], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}

    def client(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = offset + index * 100_000
        while time.monotonic() < stop:
            n += 1
            try:
                t0 = time.perf_counter()
                path = "/api/v1/order-workflow/place/" if mode == "one-call" else "/api/v1/sales-orders/"
                conn.request("POST", path, order_body(products, customers, n), headers)
                r = conn.getresponse()
                created = json.loads(r.read() or b"{}")
                t1 = time.perf_counter()
                if r.status != 201:
                    raise RuntimeError(f"create {r.status}: {created}")
                calls = [t1 - t0]
                if mode == "two-calls":
                    conn.request("POST", f"/api/v1/order-workflow/{created['id']}/confirm/", "", headers)
                    r = conn.getresponse()
                    r.read()
                    if r.status != 200:
                        raise RuntimeError(f"confirm {r.status}")
                    calls.append(time.perf_counter() - t1)
                with lock:
                    latencies.extend(calls)
                    order_ids.append(created["id"])
            except Exception as exc:  # noqa: BLE001 - counted and shown
                with lock:
                    errors.append(str(exc)[:200])
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return latencies, order_ids, errors, elapsed


def reservation_delays(order_ids, timeout=60):
    """confirm → reserved per order, from the database (waits for the worker to catch up)."""
    from crm.sales.models import SalesOrder
    from integration.fulfilment.models import ReservationRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = ReservationRun.objects.filter(order_id__in=order_ids).count()
        if done >= len(order_ids):
            break
        time.sleep(0.5)
    rows = ReservationRun.objects.filter(order_id__in=order_ids).values_list(
        "created_at", "order__confirmed_at"
    )
    delays = [(run - confirmed).total_seconds() for run, confirmed in rows if confirmed]
    reserved = SalesOrder.objects.filter(pk__in=order_ids, state=SalesOrder.State.RESERVED).count()
    return delays, reserved


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=["two-calls", "one-call"],
        default=["two-calls", "one-call"],
        help="two-calls: POST /sales-orders/ then /confirm/; one-call: POST /order-workflow/place/",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--web-workers", type=int, default=2)
    # Two web workers of one thread each by default (gthread: connections are kept alive, so a
    # client's create and confirm share one). On two cores shared with the Celery worker and
    # PostgreSQL, more threads take CPU from the reservation worker (confirm → reserved grows)
    # for no more orders per second: --threads 8 shows that trade; --threads 0 runs sync workers
    # (a new connection per request).
    parser.add_argument("--threads", type=int, default=1, help="threads per web worker; 0: sync workers")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument(
        "--web-nice",
        type=int,
        default=0,
        help="run the web server at this nice level, so the reservation worker goes first",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="run the Celery worker at this nice level, so web requests go first",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database and CELERY_BROKER_URL to Redis.")
    if not os.environ.get("CELERY_BROKER_URL"):
        sys.exit("Set CELERY_BROKER_URL (Redis).")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    token, products, customers = setup_data()
    create_q, confirm_q, reserve_q, place_q, batch_q = count_queries(token, products, customers)
    print(
        f"queries per order: create {create_q} + confirm {confirm_q} (API) + reservation rule {reserve_q}"
        f" = {create_q + confirm_q + reserve_q}; placed in one call: {place_q} + {reserve_q}"
        f" = {place_q + reserve_q}; the rule for a batch of ten orders: {batch_q:.1f} per order"
    )
    web, worker = start_servers(
        args.port, args.web_workers, args.threads, args.worker_concurrency, args.web_nice, args.worker_nice
    )
    try:
        print(
            f"{'mode':>9} {'clients':>7} {'orders':>7} {'orders/s':>9} {'api p50':>8} {'api p95':>8} "
            f"{'res p50':>8} {'res p95':>8} {'reserved':>8} {'errors':>6}"
        )
        runs = [(mode, clients) for mode in args.modes for clients in args.clients]
        for i, (mode, clients) in enumerate(runs):
            latencies, order_ids, errors, elapsed = run_level(
                args.port, token, products, customers, clients, args.seconds, offset=i * 10_000_000, mode=mode
            )
            delays, reserved = reservation_delays(order_ids)
            print(
                f"{mode:>9} {clients:>7} {len(order_ids):>7} {len(order_ids) / elapsed:>9.1f} "
                f"{statistics.median(latencies) * 1000 if latencies else float('nan'):>6.0f}ms "
                f"{percentile(latencies, 95) * 1000:>6.0f}ms "
                f"{statistics.median(delays) * 1000 if delays else float('nan'):>6.0f}ms "
                f"{percentile(delays, 95) * 1000:>6.0f}ms {reserved:>8} {len(errors):>6}",
                flush=True,
            )
            if errors:
                print("   first error:", errors[0])
    finally:
        for proc in (web, worker):
            proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
