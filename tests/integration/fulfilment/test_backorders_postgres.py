"""The backorder rule on PostgreSQL with real Celery workers: stock that arrives, or that a
cancellation frees, serves the waiting orders in the worker; racing receipts never reserve more
than arrived."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from core.events import names
from core.events.models import Delivery
from crm.sales.models import SalesOrder, SalesOrderLine
from integration.fulfilment import services
from integration.fulfilment.models import Backorder, ReservationRun
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import Reservation, StockLevel
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import (
    CITIES,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory
from tests.worker import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.django_db(transaction=True)]
S = SalesOrder.State


def state_of(order) -> str:
    return SalesOrder.objects.values_list("state", flat=True).get(pk=order.pk)


def reserved_by_the_rule(order) -> bool:
    """The confirmation's reservation rule has run for the order."""
    return ReservationRun.objects.filter(order=order).exists()


def no_pending(event_name) -> bool:
    return not Delivery.objects.filter(event__name=event_name, state=Delivery.State.PENDING).exists()


@pytest.fixture
def world():
    warehouses = three_warehouses()
    rep = UserFactory(roles=["sales"])
    return {"wh": warehouses, "product": ProductFactory(), "rep": rep, "customer": CustomerFactory(owner=rep)}


def confirmed(world, quantity, customer=None):
    order = make_order(customer or world["customer"], world["rep"], (world["product"], quantity))
    services.order_confirm(order=order, user=world["rep"])
    return order


def test_receipt_serves_the_backorder_in_the_worker(world, celery_worker_process):
    receive(world["product"], world["wh"]["SH"], 80)
    order = confirmed(world, 100)
    wait_for(lambda: state_of(order) == S.PARTLY_RESERVED, celery_worker_process)
    receive(world["product"], world["wh"]["SH"], 20)
    wait_for(lambda: state_of(order) == S.RESERVED, celery_worker_process)
    assert SalesOrderLine.objects.get(order=order).reserved_quantity == 100
    assert Backorder.objects.get(order=order).quantity == 0
    assert order.events.filter(kind="backorder_served").count() == 1
    assert stock_differences() == []


def test_cancelling_order_a_serves_order_b_in_the_worker(world, celery_worker_process):
    receive(world["product"], world["wh"]["SH"], 10)
    order_a = confirmed(world, 10)
    wait_for(lambda: state_of(order_a) == S.RESERVED, celery_worker_process)
    order_b = confirmed(world, 6)
    wait_for(lambda: reserved_by_the_rule(order_b), celery_worker_process)
    assert state_of(order_b) == S.CONFIRMED
    services.order_cancel(order=order_a, user=world["rep"])
    wait_for(lambda: state_of(order_b) == S.RESERVED, celery_worker_process)
    assert SalesOrderLine.objects.get(order=order_b).reserved_quantity == 6
    assert stock_differences() == []


def test_two_receipts_racing_never_reserve_more_than_arrived(world, start_celery_worker):
    """Four orders wait for 20 each (80); 10 units arrive in Shanghai and 15 in Beijing at the
    same moment, in two transactions, while two workers run the rule: exactly the 25 that
    arrived are reserved, every handler succeeds at its first try, the ledger still holds."""
    workers = [start_celery_worker(), start_celery_worker()]
    customers = []
    for code in ("SH", "BJ", "SH", "BJ"):
        _name, lat, lng = CITIES[code]
        customers.append(CustomerFactory(owner=world["rep"], latitude=lat, longitude=lng))
    orders = [confirmed(world, 20, customer) for customer in customers]
    wait_for(lambda: all(reserved_by_the_rule(o) for o in orders), *workers)
    assert Backorder.objects.aggregate(q=Sum("quantity"))["q"] == 80
    barrier = threading.Barrier(2)
    errors = []

    def arrive(code, quantity):
        try:
            barrier.wait()
            receive(world["product"], world["wh"][code], quantity)
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=args) for args in (("SH", 10), ("BJ", 15))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    wait_for(lambda: no_pending(names.STOCK_AVAILABLE), *workers)
    # Both receipts' events, each delivered to every handler of stock.available at the first try.
    deliveries = Delivery.objects.filter(event__name=names.STOCK_AVAILABLE)
    assert deliveries.values("event").distinct().count() == 2
    assert set(deliveries.values_list("state", "attempts")) == {(Delivery.State.DONE, 1)}
    assert StockLevel.objects.filter(product=world["product"]).aggregate(r=Sum("reserved"))["r"] == 25
    assert Reservation.objects.aggregate(q=Sum("quantity"))["q"] == 25
    lines = SalesOrderLine.objects.filter(order__in=orders)
    assert lines.aggregate(r=Sum("reserved_quantity"))["r"] == 25
    for line in lines:
        assert line.reserved_quantity + line.backorder.quantity == Decimal(20)
    assert stock_differences() == []
