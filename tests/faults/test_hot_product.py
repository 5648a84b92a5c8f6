"""One product, 60 seconds of everything at once over HTTP (gunicorn, a real worker): orders
placed, orders cancelled, reserved orders picked and shipped, stock adjusted up and down. No
deadlock (PostgreSQL's own count), no ship answered 409, no 5xx, and every stock invariant
holds afterwards."""

import random
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from core.events import dispatch
from core.events.models import Delivery
from crm.sales.models import SalesOrder
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import StockLevel
from tests.factories import UserFactory
from tests.faults.conftest import api_token, call, log_of, wait_until
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.fault, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

SECONDS = 60


def deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_placing_cancelling_shipping_and_adjusting_one_product_for_a_minute(
    redis_server, start_web, start_worker, use_broker, processes, settings
):
    settings.EVENTS_SWEEP_GRACE_SECONDS = 5
    warehouse = three_warehouses()["SH"]
    product = ProductFactory(list_price=Decimal("10.00"))
    receive(product, warehouse, 300)
    rep = UserFactory(roles=["sales"])
    customers = [CustomerFactory(owner=rep) for _ in range(4)]
    sales = api_token(rep)
    picker = api_token(UserFactory(roles=["warehouse"]))
    worker = start_worker(redis_server.url)
    base = start_web(redis_server.url, workers=6)
    use_broker(redis_server.url)
    deadlocks_before = deadlocks()

    placed: list[int] = []
    answers: dict[str, list[int]] = {"place": [], "cancel": [], "open": [], "ship": [], "adjust": []}
    errors: list[Exception] = []
    stop_at = time.monotonic() + SECONDS

    def place(n):
        body = {
            "customer": customers[n % len(customers)].pk,
            "lines": [{"product": product.pk, "quantity": str(random.randint(1, 3))}],
        }
        status, answer = call(base, "POST", "/api/v1/order-workflow/place/", sales, body)
        answers["place"].append(status)
        if status == 201:
            placed.append(answer["id"])

    def cancel(n):
        if len(placed) < 5:
            return
        order = random.choice(placed)
        status, _ = call(base, "POST", f"/api/v1/order-workflow/{order}/cancel/", sales, {"text": ""})
        answers["cancel"].append(status)

    def ship(n):
        reserved = [o for o in placed[-40:] if o % 3 == n % 3]
        if not reserved:
            return
        order = random.choice(reserved)
        status, shipment = call(
            base, "POST", "/api/v1/shipments/", picker, {"order": order, "warehouse": warehouse.pk}
        )
        answers["open"].append(status)
        if status not in (200, 201):
            return  # not reserved (yet), cancelled, or shipped already: a 400 that says so
        lines = [{"id": line["id"], "quantity": line["quantity"]} for line in shipment["lines"]]
        status, _ = call(
            base,
            "POST",
            f"/api/v1/shipments/{shipment['id']}/ship/",
            picker,
            {"carrier": "SF", "tracking_number": f"SF{order}", "lines": lines},
        )
        answers["ship"].append(status)

    def adjust(n):
        quantity = random.choice(["5", "-1", "3", "-2"])
        body = {"product": product.pk, "warehouse": warehouse.pk, "quantity": quantity, "reason": "count"}
        status, _ = call(base, "POST", "/api/v1/inventory/adjustments/", picker, body)
        answers["adjust"].append(status)

    def client(action, n, pause):
        try:
            while time.monotonic() < stop_at:
                action(n)
                time.sleep(pause)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    plan = [(place, 0.0)] * 4 + [(cancel, 0.5), (ship, 0.1), (ship, 0.1), (adjust, 0.3)]
    threads = [threading.Thread(target=client, args=(a, n, p)) for n, (a, p) in enumerate(plan)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    print("answers:", {k: Counter(v) for k, v in answers.items()})
    assert errors == []
    every = [s for statuses in answers.values() for s in statuses]
    assert [s for s in every if s >= 500] == [], {k: sorted(set(v)) for k, v in answers.items()}
    assert answers["ship"] and 409 not in answers["ship"], sorted(answers["ship"])
    # 400: the order was cancelled between opening its pick list and shipping it.
    assert answers["ship"].count(200) > 0 and set(answers["ship"]) <= {200, 400}, sorted(answers["ship"])
    assert 409 not in every, {k: v.count(409) for k, v in answers.items()}
    assert set(answers["adjust"]) <= {201, 400}

    def settled():
        pending = Delivery.objects.exclude(state=Delivery.State.DONE).exclude(state=Delivery.State.DEAD)
        if pending.exists():
            dispatch.sweep()
            return False
        return True

    wait_until(settled, timeout=120, alive=[worker], every=2, what="the worker caught up")
    assert not Delivery.objects.filter(state=Delivery.State.DEAD).exists()
    assert deadlocks() == deadlocks_before, "PostgreSQL detected a deadlock"
    assert worker.poll() is None, log_of(processes, worker)[-3000:]
    assert stock_differences() == []
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert 0 <= level.reserved <= level.on_hand
    assert (
        SalesOrder.objects.filter(state=SalesOrder.State.SHIPPED).exists()
        or SalesOrder.objects.filter(state=SalesOrder.State.INVOICED).exists()
    )
