"""Order intake step by step, in one process: the time of each call one order costs — create
and confirm through the API, the reservation rule's run, and placing the order in one call —
under the database connection options Django and psycopg offer, run in turns so that every
variant shares the machine's conditions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/10 \\
    .venv/bin/python bench/bench_intake_steps.py --orders 100 --rounds 5

Variants (``--variants``): ``client-binding`` (Django's default: parameters bound in Python, no
prepared statements), ``server-binding`` (``OPTIONS: {"server_side_binding": True}``) and
``prepared`` (server-side binding and psycopg's ``prepare_threshold``: a statement run that many
times on a connection is prepared once and then only executed).

Prints, per variant and step, the median and 95th-percentile time and the CPU time one call
costs (this process and its database server process: on a machine shared with other work, the
figure that moves least) in milliseconds, and the queries the step costs. ``--services`` also
times ``order_create`` and ``order_confirm``'s two ways (``ORDERS_CONFIRM_IN_ONE_STATEMENT``)
without HTTP. The database is migrated and filled as ``bench_order_intake`` fills it.
"""

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_order_intake as intake  # noqa: E402 - sets the environment of a production run

VARIANTS = {
    "client-binding": {},
    "server-binding": {"server_side_binding": True},
    "prepared": {"server_side_binding": True, "prepare_threshold": 5},
}
STEPS = ("create", "confirm", "reserve", "place")


def use_variant(name: str) -> None:
    """Reconnect with the variant's connection options (they apply when a connection opens)."""
    from django.db import connection

    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    for key in ("server_side_binding", "prepare_threshold"):
        options.pop(key, None)
    options.update(VARIANTS[name])


TICK = os.sysconf("SC_CLK_TCK")


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_seconds(pid: int) -> float:
    """CPU time spent so far by this process and by its database connection's server process
    (the same machine): what an order costs the machine, whoever else is using it."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / TICK


def one_order(client, products, customers, n, timings=None, cpu=None, pid=None):
    """Create, confirm and reserve one order, then place another; the time (and the CPU time,
    with ``cpu``) of each call."""
    from integration.fulfilment.reservations import order_reserve

    body = intake.order_body(products, customers, n)
    marks = []

    def mark():
        marks.append((time.perf_counter(), cpu_seconds(pid) if cpu is not None else 0.0))

    mark()
    response = client.post("/api/v1/sales-orders/", body, content_type="application/json")
    mark()
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    response = client.post(f"/api/v1/order-workflow/{order_id}/confirm/")
    mark()
    assert response.status_code == 200, response.content
    order_reserve(order_id=order_id)
    mark()
    response = client.post("/api/v1/order-workflow/place/", body, content_type="application/json")
    mark()
    assert response.status_code == 201, response.content
    order_reserve(order_id=response.json()["id"])
    for step, (start, end) in zip(STEPS, itertools.pairwise(marks), strict=True):
        if timings is not None:
            timings[step].append(end[0] - start[0])
        if cpu is not None:
            cpu[step] += end[1] - start[1]


def service_steps(variants, rounds: int, orders: int, products, customers) -> dict:
    """The services alone, without HTTP, authentication or JSON: ``order_create``, then
    ``order_confirm`` one way or the other (``ORDERS_CONFIRM_IN_ONE_STATEMENT``), in turns."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from crm.customers.models import Customer
    from crm.sales.orders.services import order_create
    from integration.fulfilment.services import order_confirm

    user = get_user_model().objects.get(username="bench-sales")
    customer = Customer.objects.get(pk=customers[0])
    lines = [{"product": pk, "quantity": "1"} for pk in products[:3]]
    ways = {"confirm, one statement": True, "confirm, steps": False}
    timings = {name: {step: [] for step in ("order_create", *ways)} for name in variants}
    for _round in range(rounds):
        for name in variants:
            use_variant(name)
            for way, one_statement in ways.items():
                settings.ORDERS_CONFIRM_IN_ONE_STATEMENT = one_statement
                for i in range(orders + 10):
                    t0 = time.perf_counter()
                    order = order_create(customer=customer, owner=user, lines=lines)
                    t1 = time.perf_counter()
                    order_confirm(order=order.pk, user=user)
                    t2 = time.perf_counter()
                    if i >= 10:  # the first few warm the connection and its prepared statements
                        timings[name]["order_create"].append(t1 - t0)
                        timings[name][way].append(t2 - t1)
    return timings


def count_queries(client, products, customers) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from integration.fulfilment.reservations import order_reserve

    body = intake.order_body(products, customers, 0)
    counts = {}
    reset_queries()
    with CaptureQueriesContext(connection) as q:
        response = client.post("/api/v1/sales-orders/", body, content_type="application/json")
    counts["create"] = len(q)
    order_id = response.json()["id"]
    reset_queries()
    with CaptureQueriesContext(connection) as q:
        client.post(f"/api/v1/order-workflow/{order_id}/confirm/")
    counts["confirm"] = len(q)
    with CaptureQueriesContext(connection) as q:
        order_reserve(order_id=order_id)
    counts["reserve"] = len(q)
    reset_queries()
    with CaptureQueriesContext(connection) as q:
        response = client.post("/api/v1/order-workflow/place/", body, content_type="application/json")
    counts["place"] = len(q)
    order_reserve(order_id=response.json()["id"])
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100, help="orders timed per variant and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument(
        "--services", action="store_true", help="also time order_create and order_confirm's two ways alone"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    token, products, customers = intake.setup_data()

    from django.test import Client

    from config.celery import app
    from core.events import queue

    app.conf.task_always_eager = False
    queue.enqueue_event = lambda event_id: None  # the reservation rule is timed on its own
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    timings = {name: {step: [] for step in STEPS} for name in args.variants}
    cpu = {name: dict.fromkeys(STEPS, 0.0) for name in args.variants}
    counts = {}
    n = int(time.time()) % 100_000 * 1000
    for _round in range(args.rounds):
        for name in args.variants:
            use_variant(name)
            pid = backend_pid()
            for _ in range(10):  # warm: the connection's first statements, prepared statements
                n += 1
                one_order(client, products, customers, n)
            counts.setdefault(name, count_queries(client, products, customers))
            for _ in range(args.orders):
                n += 1
                one_order(client, products, customers, n, timings[name], cpu[name], pid)
    timed = args.rounds * args.orders
    print("API calls, in-process: time p50/p95 and CPU time (this process and its database server")
    print("process) per call, in ms; queries per call")
    print(f"{'variant':>15} " + " ".join(f"{step + ' p50/p95 cpu':>25}" for step in STEPS))
    for name in args.variants:
        cells = []
        for step in STEPS:
            values = timings[name][step]
            p50, p95 = statistics.median(values) * 1000, intake.percentile(values, 95) * 1000
            cells.append(
                f"{p50:5.1f}/{p95:5.1f} {cpu[name][step] / timed * 1000:5.2f} ({counts[name][step]:>2}q)"
            )
        print(f"{name:>15} " + " ".join(f"{c:>25}" for c in cells))
    if args.services:
        services = service_steps(args.variants, args.rounds, args.orders, products, customers)
        print("services alone, time p50/p95 in ms:")
        steps = list(next(iter(services.values())))
        print(f"{'variant':>15} " + " ".join(f"{step:>24}" for step in steps))
        for name, by_step in services.items():
            cells = [
                f"{statistics.median(v) * 1000:6.2f} /{intake.percentile(v, 95) * 1000:6.2f}"
                for v in by_step.values()
            ]
            print(f"{name:>15} " + " ".join(f"{c:>24}" for c in cells))


if __name__ == "__main__":
    main()
