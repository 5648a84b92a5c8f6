"""Tests that need PostgreSQL: concurrent confirmations over the API, and the whole loop with a
real Celery worker (a ``celery -A config worker`` subprocess on the test database)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from crm.sales.models import SalesOrder
from integration.fulfilment.models import Backorder
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import StockLevel
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.integration.fulfilment.loop import run_loop
from tests.scm.inventory.factories import ProductFactory
from tests.worker import wait_for


@pytest.mark.many_connections
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_64_concurrent_confirmations_reserve_exactly_the_100_units_there_are():
    """64 API clients confirm 1-unit orders at once (two each: 128 orders) for a product with
    100 units over three warehouses: exactly 100 are reserved, 28 orders are backordered, no
    answer is a 5xx and the stock levels still equal the ledger."""
    warehouses = three_warehouses()
    product = ProductFactory()
    for code, qty in (("BJ", 40), ("SH", 35), ("GZ", 25)):
        receive(product, warehouses[code], qty)
    rep = UserFactory(roles=["sales"])
    customers = [
        CustomerFactory(owner=rep, latitude=wh.latitude, longitude=wh.longitude) for wh in warehouses.values()
    ]
    orders = [make_order(customers[i % 3], rep, (product, 1)) for i in range(128)]
    statuses, errors = [], []
    barrier = threading.Barrier(64)

    def client_thread(batch):
        client = APIClient()
        client.force_authenticate(rep)
        try:
            barrier.wait()
            for order in batch:
                statuses.append(client.post(f"/api/v1/order-workflow/{order.pk}/confirm/").status_code)
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client_thread, args=(orders[i::64],)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert statuses.count(200) == 128, sorted(set(statuses))
    assert StockLevel.objects.filter(product=product).aggregate(r=Sum("reserved"))["r"] == 100
    states = list(SalesOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("state", flat=True))
    assert states.count(SalesOrder.State.RESERVED) == 100
    assert states.count(SalesOrder.State.CONFIRMED) == 28
    assert Backorder.objects.filter(quantity=1).count() == 28
    assert stock_differences() == []


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_whole_loop_with_a_live_celery_worker(celery_worker_process):
    from config.celery import app

    assert not app.conf.task_always_eager
    warehouses = three_warehouses()
    product = ProductFactory(barcode="6902222222222", list_price=Decimal("25.00"))
    receive(product, warehouses["SH"], 10)
    rep = UserFactory(roles=["sales"])
    customer = CustomerFactory(owner=rep, credit_limit=Decimal("100000"))
    ContactFactory(customer=customer)

    def wait(predicate, timeout=60.0):
        wait_for(predicate, celery_worker_process, timeout=timeout)

    order = run_loop(
        customer=customer,
        rep=rep,
        picker=UserFactory(roles=["warehouse"]),
        finance_user=UserFactory(roles=["finance"]),
        product=product,
        warehouse=warehouses["SH"],
        wait=wait,
    )
    assert order.state == SalesOrder.State.PAID
