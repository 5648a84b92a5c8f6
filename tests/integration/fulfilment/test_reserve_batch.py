"""The reservation rule for a batch of confirmed orders (the worker took several at once): the
same result as one order at a time, in the statements of one."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.events import names
from core.events.models import Event, Notification
from crm.sales.models import SalesOrder
from integration.fulfilment import reservations, services
from integration.fulfilment.handlers import reserve_confirmed_orders
from integration.fulfilment.models import Backorder, ReservationRun
from scm.inventory.models import Reservation, StockLevel
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

S = SalesOrder.State
SHENZHEN = {"latitude": Decimal("22.543100"), "longitude": Decimal("114.057900")}
TIANJIN = {"latitude": Decimal("39.084200"), "longitude": Decimal("117.200900")}


@pytest.fixture
def world(sales_user):
    return {"wh": three_warehouses(), "rep": sales_user}


def confirmed(customer, rep, *lines, capture):
    """A confirmed order whose reservation has not run (its event is left pending)."""
    order = make_order(customer, rep, *lines)
    with capture(execute=False):
        return services.order_confirm(order=order, user=rep)


def alike(world, capture, *, stock, count, quantity):
    """``count`` confirmed orders of ``quantity`` of one product that Shanghai holds ``stock`` of."""
    product = ProductFactory()
    receive(product, world["wh"]["SH"], stock)
    customer = CustomerFactory(owner=world["rep"])
    return product, [
        confirmed(customer, world["rep"], (product, quantity), capture=capture) for _ in range(count)
    ]


def events_of(orders):
    by_order = {e.payload["order_id"]: e for e in Event.objects.filter(name=names.ORDER_CONFIRMED)}
    return [by_order[o.pk] for o in orders]


def held(order):
    line = order.lines.get()
    return {r.warehouse.code: r.quantity for r in Reservation.objects.filter(demand=line.demand)}


def test_batch_reserves_each_order_from_its_own_nearest_warehouse(world, django_capture_on_commit_callbacks):
    product = ProductFactory()
    for code in ("BJ", "SH", "GZ"):
        receive(product, world["wh"][code], 10)
    south = CustomerFactory(owner=world["rep"], **SHENZHEN)
    north = CustomerFactory(owner=world["rep"], **TIANJIN)
    capture = django_capture_on_commit_callbacks
    orders = [
        confirmed(south, world["rep"], (product, 4), capture=capture),
        confirmed(north, world["rep"], (product, 12), capture=capture),
    ]
    reserve_confirmed_orders(events_of(orders))
    assert held(orders[0]) == {"GZ": 4}
    assert held(orders[1]) == {"BJ": 10, "SH": 2}  # Tianjin: Beijing, then Shanghai


def test_batch_serves_orders_in_turn_and_backorders_what_is_left(world, django_capture_on_commit_callbacks):
    product, orders = alike(world, django_capture_on_commit_callbacks, stock=5, count=3, quantity=2)
    reserve_confirmed_orders(events_of(orders))
    states = [SalesOrder.objects.get(pk=o.pk).state for o in orders]
    assert states == [S.RESERVED, S.RESERVED, S.PARTLY_RESERVED]
    assert Backorder.objects.get().line.order_id == orders[2].pk
    assert Backorder.objects.get().quantity == 1
    assert StockLevel.objects.get(product=product).reserved == 5
    assert Event.objects.filter(name=names.STOCK_SHORTAGE, payload__order_id=orders[2].pk).count() == 1


def test_batch_gives_what_one_order_at_a_time_gives(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    south = CustomerFactory(owner=world["rep"], **SHENZHEN)
    north = CustomerFactory(owner=world["rep"], **TIANJIN)

    def scenario():
        product = ProductFactory()
        receive(product, world["wh"]["GZ"], 6)
        receive(product, world["wh"]["BJ"], 3)
        return product, [
            confirmed(customer, world["rep"], (product, qty), capture=capture)
            for customer, qty in ((south, 4), (north, 4), (south, 3))
        ]

    def outcome(orders):
        return [
            (SalesOrder.objects.get(pk=o.pk).state, held(o), o.lines.get().reserved_quantity) for o in orders
        ]

    _p1, one_by_one = scenario()
    for order in one_by_one:
        reservations.order_reserve(order_id=order.pk, event_id=events_of([order])[0].pk)
    _p2, batched = scenario()
    reserve_confirmed_orders(events_of(batched))
    assert outcome(batched) == outcome(one_by_one)


def test_batch_run_again_for_the_same_events_changes_nothing(world, django_capture_on_commit_callbacks):
    product, orders = alike(world, django_capture_on_commit_callbacks, stock=3, count=2, quantity=2)
    events = events_of(orders)
    reserve_confirmed_orders(events)
    receive(product, world["wh"]["SH"], 10)  # stock arrives: a re-run must still not act
    before = (list(Reservation.objects.values_list("demand", "quantity")), Notification.objects.count())
    reserve_confirmed_orders(events)
    after = (list(Reservation.objects.values_list("demand", "quantity")), Notification.objects.count())
    assert before == after
    assert ReservationRun.objects.count() == 2


def test_batch_with_an_order_twice_is_refused(world, django_capture_on_commit_callbacks):
    order = confirmed(
        CustomerFactory(owner=world["rep"]),
        world["rep"],
        (ProductFactory(), 1),
        capture=django_capture_on_commit_callbacks,
    )
    with pytest.raises(ValueError):
        reservations.orders_reserve(runs=[(order.pk, 1), (order.pk, 2)])


def test_batch_records_a_run_for_an_order_no_longer_reservable(world, django_capture_on_commit_callbacks):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    customer = CustomerFactory(owner=world["rep"])
    capture = django_capture_on_commit_callbacks
    cancelled = confirmed(customer, world["rep"], (product, 1), capture=capture)
    with capture(execute=False):
        services.order_cancel(order=cancelled, user=world["rep"])
    fine = confirmed(customer, world["rep"], (product, 1), capture=capture)
    reserve_confirmed_orders(events_of([cancelled, fine]))
    assert SalesOrder.objects.get(pk=fine.pk).state == S.RESERVED
    assert SalesOrder.objects.get(pk=cancelled.pk).state == S.CANCELLED
    assert ReservationRun.objects.get(order=cancelled).reserved == 0


def test_batch_of_ten_orders_costs_the_statements_of_one(world, django_capture_on_commit_callbacks):
    products = [ProductFactory() for _ in range(3)]
    for product in products:
        receive(product, world["wh"]["SH"], 100)
    customer = CustomerFactory(owner=world["rep"])
    lines = [(p, 1) for p in products]
    capture = django_capture_on_commit_callbacks
    one = [confirmed(customer, world["rep"], *lines, capture=capture)]
    ten = [confirmed(customer, world["rep"], *lines, capture=capture) for _ in range(10)]
    with CaptureQueriesContext(connection) as one_q:
        reserve_confirmed_orders(events_of(one))
    with CaptureQueriesContext(connection) as ten_q:
        reserve_confirmed_orders(events_of(ten))
    assert len(ten_q) == len(one_q)
    assert set(SalesOrder.objects.filter(pk__in=[o.pk for o in ten]).values_list("state", flat=True)) == {
        S.RESERVED
    }
