"""Order intake over HTTP (gunicorn, a real worker) while a service fails under it: the broker
stops and comes back, or the database's connections are killed. No request answers 500 (503 is
allowed where the database was lost), no order is left half-written, and once the services are
back every accepted order is reserved exactly once."""

import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from core.events import dispatch
from crm.sales.models import SalesOrder, SalesOrderLine
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import Reservation, StockLevel
from tests.factories import UserFactory
from tests.faults.conftest import api_token, call, log_of, other_backends, wait_until
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.fault, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

CLIENTS = 6
# More than the clients can order in the test's seconds on a fast machine (about 75 orders a second
# here): an order beyond the stock would wait as a backorder, never reserved.
STOCK = 100_000


@pytest.fixture
def shop():
    warehouse = three_warehouses()["SH"]
    product = ProductFactory(list_price=Decimal("10.00"))
    receive(product, warehouse, STOCK)
    rep = UserFactory(roles=["sales"])
    customers = [CustomerFactory(owner=rep) for _ in range(3)]
    return {"product": product, "customers": customers, "token": api_token(rep)}


def place_orders(base, shop, *, seconds: float) -> tuple[list[int], list[int]]:
    """``CLIENTS`` clients place 1-unit orders for ``seconds``: (statuses, ids of the orders
    the API accepted)."""
    statuses, accepted, errors = [], [], []
    stop_at = time.monotonic() + seconds

    def client(n):
        try:
            while time.monotonic() < stop_at:
                body = {
                    "customer": shop["customers"][n % 3].pk,
                    "lines": [{"product": shop["product"].pk, "quantity": "1"}],
                }
                status, answer = call(base, "POST", "/api/v1/order-workflow/place/", shop["token"], body)
                statuses.append(status)
                if status == 201:
                    accepted.append(answer["id"])
                elif status == 503:
                    time.sleep(0.2)  # as Retry-After asks (shortened)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    return threads, statuses, accepted, errors


def reserved_exactly_once(shop, accepted: list[int]) -> None:
    lines = SalesOrderLine.objects.filter(order_id__in=accepted)
    assert lines.count() == len(accepted)
    held = Reservation.objects.filter(product=shop["product"]).aggregate(q=Sum("quantity"))["q"] or 0
    assert held == len(accepted), "an order reserved twice, or not at all"
    assert StockLevel.objects.filter(product=shop["product"]).aggregate(r=Sum("reserved"))["r"] == len(
        accepted
    )
    assert not lines.exclude(reserved_quantity=1).exists()
    assert stock_differences() == []


def test_orders_are_accepted_during_a_broker_outage_and_all_reserved_after_it(
    shop, redis_server, start_web, start_worker, use_broker, processes, settings
):
    settings.EVENTS_SWEEP_GRACE_SECONDS = 0
    worker = start_worker(redis_server.url)
    base = start_web(redis_server.url)
    use_broker(redis_server.url)  # the sweep below queues on the same broker

    threads, statuses, accepted, errors = place_orders(base, shop, seconds=16)
    time.sleep(4)
    redis_server.stop()
    outage_started = len(statuses)
    time.sleep(6)
    during_outage = len(statuses) - outage_started
    redis_server.start()
    for t in threads:
        t.join()

    print("answers:", Counter(statuses), "during the outage:", during_outage)
    assert errors == []
    assert [s for s in statuses if s >= 500] == [], sorted(set(statuses))
    assert during_outage > 0, "no order was placed while the broker was down"
    assert set(statuses) == {201}

    def all_reserved():
        waiting = SalesOrder.objects.filter(pk__in=accepted).exclude(state=SalesOrder.State.RESERVED).count()
        if waiting:
            dispatch.sweep()  # beat's sweep: what was published while the broker was down
        return waiting == 0

    wait_until(all_reserved, timeout=90, alive=[worker], every=2, what="every order reserved")
    assert worker.poll() is None, log_of(processes, worker)[-3000:]
    reserved_exactly_once(shop, accepted)


def test_killed_database_connections_during_intake_answer_no_500_and_leave_no_partial_order(
    shop, redis_server, start_web, start_worker, use_broker, processes, settings
):
    settings.EVENTS_SWEEP_GRACE_SECONDS = 0
    worker = start_worker(redis_server.url)
    base = start_web(redis_server.url)
    use_broker(redis_server.url)

    threads, statuses, accepted, errors = place_orders(base, shop, seconds=14)
    killed = 0
    for _ in range(5):
        time.sleep(2)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({other_backends()}) AS others")
            killed += len(cursor.fetchall())
    for t in threads:
        t.join()

    print("answers:", Counter(statuses), "backends killed:", killed)
    assert errors == []
    assert killed > 0
    assert [s for s in statuses if s >= 500 and s != 503] == [], sorted(set(statuses))
    assert statuses.count(201) > 0

    # Every order in the database was accepted (201) and whole: a refused one left nothing.
    orders = SalesOrder.objects.filter(lines__product=shop["product"]).distinct()
    assert sorted(orders.values_list("pk", flat=True)) == sorted(accepted)
    assert not orders.filter(lines__isnull=True).exists()
    assert not orders.filter(state=SalesOrder.State.DRAFT).exists()

    def all_reserved():
        waiting = orders.exclude(state=SalesOrder.State.RESERVED).count()
        if waiting:
            dispatch.sweep()  # a dispatch task whose handler lost its connection is retried
        return waiting == 0

    wait_until(all_reserved, timeout=120, alive=[worker], every=2, what="every order reserved")
    reserved_exactly_once(shop, accepted)
