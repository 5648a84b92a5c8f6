"""The demand history kept by events (integration.planning.history): shipments, returns and
stock-out days, and its rebuild from the documents."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integration.fulfilment import services, shipping
from integration.fulfilment.models import Backorder, Return, Shipment
from integration.planning import history
from integration.planning.models import DemandDay, DemandSource
from tests.integration.fulfilment.factories import (
    CITIES,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, warehouse_user):
    return {"wh": three_warehouses(), "rep": sales_user, "picker": warehouse_user}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call ``func`` and let the events it publishes (and theirs) run."""

    def call(func, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(**kwargs)

    return call


def customer_near(world, code):
    _name, latitude, longitude = CITIES[code]
    return CustomerFactory(owner=world["rep"], latitude=latitude, longitude=longitude)


def order_for(world, run, *lines, customer=None):
    order = make_order(customer or CustomerFactory(owner=world["rep"]), world["rep"], *lines)
    run(services.order_confirm, order=order, user=world["rep"])
    order.refresh_from_db()
    return order


def ship(world, run, order, warehouse, picked=None):
    """Ship what ``order`` holds in ``warehouse``: all of it, or ``picked`` of each line."""
    shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=world["picker"])
    for line in shipment.lines.all():
        line.picked_quantity = line.quantity if picked is None else Decimal(picked)
        line.save()
    run(
        shipping.shipment_ship,
        shipment=shipment,
        carrier="顺丰速运",
        tracking_number="SF1",
        user=world["picker"],
    )
    return Shipment.objects.get(pk=shipment.pk)


def history_rows():
    return sorted(
        DemandDay.objects.values_list("product_id", "warehouse_id", "day", "shipped", "returned", "stockout")
    )


def test_a_shipment_adds_what_left_per_product_on_its_day_at_its_warehouse(world, run):
    sh = world["wh"]["SH"]
    a, b = ProductFactory(), ProductFactory()
    receive(a, sh, 10)
    receive(b, sh, 10)
    order = order_for(world, run, (a, 3), (b, 2), (a, 4))
    ship(world, run, order, sh, picked=2)  # 2 of each line left; the rest stays reserved
    assert history_rows() == [
        (a.pk, sh.pk, timezone.localdate(), Decimal(4), Decimal(0), False),
        (b.pk, sh.pk, timezone.localdate(), Decimal(2), Decimal(0), False),
    ]


def test_a_shipment_counts_on_the_local_day_it_left(world, django_capture_on_commit_callbacks):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(CustomerFactory(owner=world["rep"]), world["rep"], (product, 3))
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    shipment.lines.update(picked_quantity=3)
    with django_capture_on_commit_callbacks() as callbacks:
        shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF1")
    # 17:30 UTC on 1 March is half past one in the morning of 2 March in Shanghai.
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=datetime(2024, 3, 1, 17, 30, tzinfo=UTC))
    for callback in callbacks:
        callback()
    assert DemandDay.objects.get().day == date(2024, 3, 2)


def test_a_shipment_handled_twice_counts_once(world, run):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    shipment = ship(world, run, order_for(world, run, (product, 3)), world["wh"]["SH"])
    assert history.demand_record_shipment(shipment_id=shipment.pk) is False
    assert DemandDay.objects.get().shipped == 3
    assert DemandSource.objects.filter(reference=f"shipment:{shipment.pk}").count() == 1


def test_two_shipments_on_the_same_day_add_up(world, run):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 10)
    ship(world, run, order_for(world, run, (product, 3)), world["wh"]["SH"])
    ship(world, run, order_for(world, run, (product, 4)), world["wh"]["SH"])
    assert DemandDay.objects.get().shipped == 7


def test_recording_a_shipment_takes_two_statements_whatever_its_lines(
    world, run, django_capture_on_commit_callbacks
):
    counts = []
    for size in (1, 6):
        products = [ProductFactory() for _ in range(size)]
        for product in products:
            receive(product, world["wh"]["SH"], 5)
        order = order_for(world, run, *[(product, 2) for product in products])
        shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
        shipment.lines.update(picked_quantity=2)
        with django_capture_on_commit_callbacks():  # the events do not run
            shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF1")
        with CaptureQueriesContext(connection) as queries:
            history.demand_record_shipment(shipment_id=shipment.pk)
        counts.append(sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]))
        assert DemandDay.objects.filter(product__in=products, shipped=2).count() == size
    assert counts == [2, 2]


@pytest.mark.parametrize("disposition", [Return.Disposition.RESTOCK, Return.Disposition.SCRAP])
def test_a_return_lowers_the_demand_of_its_day_at_the_warehouse_the_goods_left(world, run, disposition):
    product = ProductFactory()
    receive(product, world["wh"]["BJ"], 5)
    order = order_for(world, run, (product, 4), customer=customer_near(world, "BJ"))
    shipment = ship(world, run, order, world["wh"]["BJ"])
    run(
        shipping.return_create,
        shipment_line=shipment.lines.get(),
        quantity=3,
        disposition=disposition,
        reason="包装破损",
    )
    day = DemandDay.objects.get()
    assert (day.warehouse_id, day.day, day.shipped, day.returned) == (
        world["wh"]["BJ"].pk,
        timezone.localdate(),
        4,
        3,
    )


def test_a_return_handled_twice_counts_once(world, run):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    shipment = ship(world, run, order_for(world, run, (product, 4)), world["wh"]["SH"])
    ret = run(
        shipping.return_create,
        shipment_line=shipment.lines.get(),
        quantity=1,
        disposition=Return.Disposition.SCRAP,
        reason="损坏",
    )
    assert history.demand_record_return(return_id=ret.pk) is False
    assert DemandDay.objects.get().returned == 1


def test_a_shortage_marks_the_day_a_stockout_at_the_customers_nearest_warehouse(world, run):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 1)
    order_for(world, run, (product, 5), customer=customer_near(world, "GZ"))  # 4 short
    day = DemandDay.objects.get()
    assert (day.product_id, day.warehouse_id, day.day, day.stockout) == (
        product.pk,
        world["wh"]["GZ"].pk,
        timezone.localdate(),
        True,
    )


def test_backorders_by_warehouse_assigns_each_to_its_customers_nearest_warehouse(world, run):
    product = ProductFactory()
    bj = order_for(world, run, (product, 2), customer=customer_near(world, "BJ"))
    gz1 = order_for(world, run, (product, 3), customer=customer_near(world, "GZ"))
    gz2 = order_for(world, run, (product, 4), customer=customer_near(world, "GZ"))
    assert history.backorders_by_warehouse() == {
        (product.pk, world["wh"]["BJ"].pk): {"quantity": Decimal(2), "orders": [bj.number]},
        (product.pk, world["wh"]["GZ"].pk): {"quantity": Decimal(7), "orders": [gz1.number, gz2.number]},
    }


def test_backorders_by_warehouse_reads_in_two_queries_whatever_their_number(world, run):
    counts = []
    for size in (1, 6):
        products = [ProductFactory() for _ in range(size)]
        for i, product in enumerate(products):
            order_for(world, run, (product, 1), customer=customer_near(world, list(CITIES)[i % 3]))
        with CaptureQueriesContext(connection) as queries:
            found = history.backorders_by_warehouse(product_ids=[p.pk for p in products])
        assert len(found) == size
        counts.append(len(queries))
    assert counts == [2, 2]


def test_stockout_mark_marks_the_day_for_every_waiting_product_and_keeps_its_demand(world, run):
    waiting, served = ProductFactory(), ProductFactory()
    receive(served, world["wh"]["SH"], 5)
    order_for(world, run, (waiting, 2))
    ship(world, run, order_for(world, run, (served, 2)), world["wh"]["SH"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert history.stockout_mark(day=tomorrow) == 1
    assert DemandDay.objects.get(product=waiting, day=tomorrow).stockout is True
    assert not DemandDay.objects.filter(product=served, stockout=True).exists()
    DemandDay.objects.filter(product=served).update(stockout=False)
    assert DemandDay.objects.get(product=served).shipped == 2


def test_rebuild_gives_the_history_the_events_kept(world, run):
    sh, bj = world["wh"]["SH"], world["wh"]["BJ"]
    a, b = ProductFactory(), ProductFactory()
    receive(a, sh, 20)
    receive(b, bj, 20)
    yesterday = timezone.now() - timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=yesterday):
        ship(world, run, order_for(world, run, (a, 3), (b, 2), customer=customer_near(world, "BJ")), sh)
        ship(world, run, order_for(world, run, (b, 5), customer=customer_near(world, "BJ")), bj)
    shipment = ship(world, run, order_for(world, run, (a, 4)), sh)
    ship(world, run, order_for(world, run, (a, 1), (a, 2)), sh)
    run(
        shipping.return_create,
        shipment_line=shipment.lines.get(),
        quantity=1,
        disposition=Return.Disposition.RESTOCK,
        reason="多发",
    )
    order_for(world, run, (b, 30), customer=customer_near(world, "GZ"))  # short today
    kept = history_rows()
    assert len(kept) == 4
    counts = history.demand_rebuild()
    assert history_rows() == kept
    assert counts == {"days": 4, "shipments": 4, "returns": 1, "stockout_days": 1}


def test_events_after_a_rebuild_are_not_counted_twice(world, run):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    shipment = ship(world, run, order_for(world, run, (product, 3)), world["wh"]["SH"])
    history.demand_rebuild()
    assert history.demand_record_shipment(shipment_id=shipment.pk) is False
    assert DemandDay.objects.get().shipped == 3


def test_rebuild_counts_a_served_backorder_as_stockout_until_it_was_served(world, run):
    product = ProductFactory()
    order_for(world, run, (product, 2))
    today = timezone.localdate()
    created = timezone.now() - timedelta(days=5)
    Backorder.objects.update(quantity=0, created_at=created, updated_at=created + timedelta(days=2))
    history.demand_rebuild()
    assert list(DemandDay.objects.filter(stockout=True).values_list("day", flat=True)) == [
        today - timedelta(days=5),
        today - timedelta(days=4),
        today - timedelta(days=3),
    ]


def test_the_rebuild_command_says_what_it_built(world, run):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    ship(world, run, order_for(world, run, (product, 3)), world["wh"]["SH"])
    out = StringIO()
    call_command("planning_demand_rebuild", stdout=out)
    assert (
        out.getvalue().strip()
        == "demand history rebuilt: 1 days from 1 shipments and 0 returns, 0 stock-out days"
    )
