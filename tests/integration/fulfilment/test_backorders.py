"""The backorder rule: stock that becomes available serves the order lines waiting for it.

Stock set up outside ``django_capture_on_commit_callbacks(execute=True)`` publishes its
``stock.available`` event but nobody dispatches it (the test's transaction never commits): such
stock waits quietly until a test lets an event through."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.events import names
from core.events.models import Event, Notification
from crm.sales.models import SalesOrder
from integration.fulfilment import services, shipping
from integration.fulfilment.backorders import backorders_serve, backorders_sweep
from integration.fulfilment.handlers import serve_backorders
from integration.fulfilment.models import Backorder, Return
from scm.inventory import counts, transfers
from scm.inventory import services as stock
from scm.inventory.models import Product, Reservation, StockLevel
from tests.integration.fulfilment.factories import (
    CITIES,
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
S = SalesOrder.State


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    customer = CustomerFactory(owner=sales_user)
    ContactFactory(customer=customer)
    return {"wh": warehouses, "product": ProductFactory(), "customer": customer, "rep": sales_user}


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def run(order, user):
        with django_capture_on_commit_callbacks(execute=True):
            services.order_confirm(order=order, user=user)
        order.refresh_from_db()
        return order

    return run


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    """Run ``func`` with its events handled after commit, as the worker would."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def waiting_order(world, confirm, quantity, **fields):
    order = make_order(world["customer"], world["rep"], (world["product"], quantity))
    if fields:
        SalesOrder.objects.filter(pk=order.pk).update(**fields)
    return confirm(order, world["rep"])


def reserved(order) -> Decimal:
    return order.lines.get().reserved_quantity


def test_receipt_serves_the_waiting_backorder(world, confirm, live):
    receive(world["product"], world["wh"]["SH"], 80)
    order = waiting_order(world, confirm, 100)
    assert order.state == S.PARTLY_RESERVED and Backorder.objects.get().quantity == 20
    live(receive, world["product"], world["wh"]["SH"], 20)
    order.refresh_from_db()
    assert order.state == S.RESERVED
    assert reserved(order) == 100
    assert Backorder.objects.get().quantity == 0
    assert StockLevel.objects.get(product=world["product"]).reserved == 100


def test_receipt_of_less_than_waits_serves_what_came(world, confirm, live):
    order = waiting_order(world, confirm, 30)
    live(receive, world["product"], world["wh"]["SH"], 12)
    order.refresh_from_db()
    assert (order.state, reserved(order), Backorder.objects.get().quantity) == (S.PARTLY_RESERVED, 12, 18)


def test_cancelling_order_a_serves_order_b(world, confirm, live):
    receive(world["product"], world["wh"]["SH"], 10)
    order_a = waiting_order(world, confirm, 10)
    order_b = waiting_order(world, confirm, 6)
    assert (order_a.state, order_b.state) == (S.RESERVED, S.CONFIRMED)
    live(services.order_cancel, order=order_a, user=world["rep"])
    order_b.refresh_from_db()
    assert (order_b.state, reserved(order_b)) == (S.RESERVED, 6)
    assert Backorder.objects.get(order=order_b).quantity == 0


def test_transfer_arrival_serves_the_backorder(world, confirm, live, warehouse_user):
    order = waiting_order(world, confirm, 5)
    receive(world["product"], world["wh"]["BJ"], 5)  # its event is never let through
    transfer = transfers.stock_transfer(
        product=world["product"], source=world["wh"]["BJ"], destination=world["wh"]["SH"], quantity=5
    )
    live(transfers.transfer_receive, transfer=transfer, user=warehouse_user)
    order.refresh_from_db()
    assert (order.state, reserved(order)) == (S.RESERVED, 5)
    assert Reservation.objects.get(demand=order.lines.get().demand).warehouse == world["wh"]["SH"]


def test_positive_adjustment_serves_the_backorder(world, confirm, live):
    order = waiting_order(world, confirm, 3)
    live(stock.stock_adjust, product=world["product"], warehouse=world["wh"]["SH"], quantity=3, reason="盘盈")
    order.refresh_from_db()
    assert (order.state, reserved(order)) == (S.RESERVED, 3)


def test_count_that_finds_more_serves_the_backorder_with_one_event(world, confirm, live, warehouse_user):
    other = ProductFactory()
    receive(world["product"], world["wh"]["SH"], 2)
    order = waiting_order(world, confirm, 5)
    session = counts.count_start(warehouse=world["wh"]["SH"])
    counts.count_record(session=session, product=world["product"], quantity=5, replace=True)
    counts.count_record(session=session, product=other, quantity=4)
    counts.count_submit(session=session)
    counts.count_approve(session=session)
    live(counts.count_post, session=session, user=warehouse_user)
    order.refresh_from_db()
    assert (order.state, reserved(order)) == (S.RESERVED, 5)
    event = Event.objects.get(name=names.STOCK_AVAILABLE, payload__reason="count")
    assert event.payload["product_ids"] == sorted([world["product"].pk, other.pk])


def test_restocked_return_serves_the_backorder(world, confirm, live):
    receive(world["product"], world["wh"]["SH"], 5)
    shipped = waiting_order(world, confirm, 5)
    shipment = shipping.shipment_start(order=shipped, warehouse=world["wh"]["SH"])
    shipment.lines.update(picked_quantity=5)
    live(shipping.shipment_ship, shipment=shipment, carrier="顺丰速运", tracking_number="SF1")
    waiting = waiting_order(world, confirm, 2)
    assert waiting.state == S.CONFIRMED
    live(
        shipping.return_create,
        shipment_line=shipment.lines.get(),
        quantity=2,
        disposition=Return.Disposition.RESTOCK,
        reason="客户多订",
    )
    waiting.refresh_from_db()
    assert (waiting.state, reserved(waiting)) == (S.RESERVED, 2)


def test_backorder_of_a_partly_shipped_order_is_served(world, confirm, live):
    receive(world["product"], world["wh"]["SH"], 4)
    order = waiting_order(world, confirm, 10)
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    shipment.lines.update(picked_quantity=4)
    live(shipping.shipment_ship, shipment=shipment, carrier="顺丰速运", tracking_number="SF2")
    live(receive, world["product"], world["wh"]["SH"], 6)
    order.refresh_from_db()
    line = order.lines.get()
    assert (order.state, line.shipped_quantity, line.reserved_quantity) == (S.PARTLY_SHIPPED, 4, 6)


def test_priority_decides_who_gets_scarce_stock(world, confirm, live):
    normal = waiting_order(world, confirm, 10)
    urgent = waiting_order(world, confirm, 10, priority=SalesOrder.Priority.URGENT)
    high = waiting_order(world, confirm, 10, priority=SalesOrder.Priority.HIGH)
    live(receive, world["product"], world["wh"]["SH"], 15)
    got = {o.pk: reserved(o) for o in (normal, urgent, high)}
    assert got == {urgent.pk: 10, high.pk: 5, normal.pk: 0}


def test_earlier_requested_date_wins_among_equal_priorities_and_none_comes_last(world, confirm, live):
    today = timezone.localdate()
    undated = waiting_order(world, confirm, 10)
    later = waiting_order(world, confirm, 10, requested_date=today + timedelta(days=9))
    sooner = waiting_order(world, confirm, 10, requested_date=today + timedelta(days=3))
    live(receive, world["product"], world["wh"]["SH"], 15)
    assert [reserved(o) for o in (sooner, later, undated)] == [10, 5, 0]


def test_earlier_confirmation_wins_among_equal_priority_and_date(world, confirm, live):
    first = waiting_order(world, confirm, 10)
    second = waiting_order(world, confirm, 10)
    SalesOrder.objects.filter(pk=second.pk).update(confirmed_at=first.confirmed_at - timedelta(minutes=5))
    live(receive, world["product"], world["wh"]["SH"], 10)
    assert [reserved(o) for o in (second, first)] == [10, 0]


def test_backorder_is_served_from_the_warehouse_nearest_the_customer(world, confirm, live):
    _name, lat, lng = CITIES["GZ"]
    world["customer"].latitude, world["customer"].longitude = lat, lng
    world["customer"].save()
    order = waiting_order(world, confirm, 6)
    receive(world["product"], world["wh"]["BJ"], 10)
    live(receive, world["product"], world["wh"]["GZ"], 4)
    held = dict(
        Reservation.objects.filter(demand=order.lines.get().demand).values_list("warehouse__code", "quantity")
    )
    assert held == {"GZ": 4, "BJ": 2}


def test_backorder_takes_lots_first_expiry_first_out(world, confirm, live):
    product = ProductFactory(tracking=Product.Tracking.LOT)
    order = make_order(world["customer"], world["rep"], (product, 15))
    confirm(order, world["rep"])
    today = timezone.localdate()
    receive(product, world["wh"]["SH"], 10, "LATE", today + timedelta(days=200))
    live(receive, product, world["wh"]["SH"], 10, "SOON", today + timedelta(days=20))
    held = dict(
        Reservation.objects.filter(demand=order.lines.get().demand).values_list("lot__number", "quantity")
    )
    assert held == {"SOON": 10, "LATE": 5}


def test_handler_run_twice_serves_once_and_notifies_once(world, confirm):
    order = waiting_order(world, confirm, 10)
    receive(world["product"], world["wh"]["SH"], 4)
    event = Event.objects.filter(name=names.STOCK_AVAILABLE).latest("pk")
    receive(world["product"], world["wh"]["SH"], 6)  # more stock, but not this event's
    serve_backorders(event)
    serve_backorders(event)
    order.refresh_from_db()
    assert reserved(order) == 10
    assert Notification.objects.filter(user=world["rep"], kind="backorder_served").count() == 1
    assert order.events.filter(kind="backorder_served").count() == 1


def test_a_second_run_of_an_event_changes_nothing_even_when_more_waits(world, confirm):
    receive(world["product"], world["wh"]["SH"], 4)
    event = Event.objects.filter(name=names.STOCK_AVAILABLE).latest("pk")
    first = waiting_order(world, confirm, 10)  # takes the 4
    receive(world["product"], world["wh"]["SH"], 3)
    assert backorders_serve(product_ids=[world["product"].pk], event_id=event.pk).reserved == 3
    assert backorders_serve(product_ids=[world["product"].pk], event_id=event.pk) is None
    assert reserved(first) == 7


def test_rep_is_told_when_the_backorder_is_served(world, confirm, live):
    order = waiting_order(world, confirm, 5)
    live(receive, world["product"], world["wh"]["SH"], 5)
    note = Notification.objects.get(user=world["rep"], kind="backorder_served")
    assert order.number in note.title_text() and note.url.endswith(f"/{order.pk}/")


def test_timeline_tells_when_the_backorder_was_served(world, confirm, live, client):
    order = waiting_order(world, confirm, 5)
    live(receive, world["product"], world["wh"]["SH"], 5)
    entry = order.events.get(kind="backorder_served")
    assert entry.text == "Backorder served (%(products)s): %(reserved)s reserved, nothing left on backorder."
    assert entry.data["params"]["reserved"] == "5"
    client.force_login(world["rep"])
    page = client.get(f"/sales/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Backorder served ({world['product'].name}): 5 reserved, nothing left on backorder." in page


def test_nothing_waiting_costs_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert backorders_serve(product_ids=[world["product"].pk], event_id=12345) is None


def test_an_order_cancelled_while_waiting_is_not_served(world, confirm, live):
    order = waiting_order(world, confirm, 5)
    live(services.order_cancel, order=order, user=world["rep"])
    live(receive, world["product"], world["wh"]["SH"], 5)
    assert StockLevel.objects.get(product=world["product"]).reserved == 0


def test_open_pick_list_offers_the_newly_reserved_quantity(world, confirm, live, warehouse_user, client):
    receive(world["product"], world["wh"]["SH"], 6)
    order = waiting_order(world, confirm, 10)
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=warehouse_user)
    assert sum(line.quantity for line in shipment.lines.all()) == 6
    live(receive, world["product"], world["wh"]["SH"], 4)
    assert [line.quantity for line in shipment.lines.all()] == [10]
    client.force_login(warehouse_user)
    page = client.get(f"/fulfilment/picking/?warehouse={world['wh']['SH'].pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert f"10 {world['product'].base_unit} to pick" in page.content.decode()


def test_new_lot_goes_on_the_open_pick_list_as_a_line_of_its_own(world, confirm, live, warehouse_user):
    product = ProductFactory(tracking=Product.Tracking.LOT)
    today = timezone.localdate()
    receive(product, world["wh"]["SH"], 3, "L-1", today + timedelta(days=90))
    order = make_order(world["customer"], world["rep"], (product, 5))
    confirm(order, world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=warehouse_user)
    live(receive, product, world["wh"]["SH"], 2, "L-2", today + timedelta(days=120))
    assert sorted(shipment.lines.values_list("lot__number", "quantity")) == [("L-1", 3), ("L-2", 2)]


def test_sweep_serves_a_backorder_whose_announcement_was_missed(world, confirm):
    order = waiting_order(world, confirm, 5)
    receive(world["product"], world["wh"]["SH"], 5)  # its event is never handled
    assert backorders_sweep() == 5
    order.refresh_from_db()
    assert (order.state, reserved(order)) == (S.RESERVED, 5)


def test_sweep_with_nothing_waiting_next_to_free_stock_costs_one_query(
    world, confirm, django_assert_num_queries
):
    waiting_order(world, confirm, 5)  # waits, but nothing is free
    receive(ProductFactory(), world["wh"]["SH"], 5)  # free, but nobody waits for it
    with django_assert_num_queries(1):
        assert backorders_sweep() == 0


def test_cancelling_an_order_of_two_lines_announces_one_event_per_warehouse(world, confirm):
    other = ProductFactory()
    receive(world["product"], world["wh"]["SH"], 5)
    receive(other, world["wh"]["SH"], 5)
    order = make_order(world["customer"], world["rep"], (world["product"], 2), (other, 3))
    confirm(order, world["rep"])
    services.order_cancel(order=order, user=world["rep"])
    event = Event.objects.get(name=names.STOCK_AVAILABLE, payload__reason="release")
    assert event.payload["product_ids"] == sorted([world["product"].pk, other.pk])
    assert event.payload["warehouse_id"] == world["wh"]["SH"].pk
