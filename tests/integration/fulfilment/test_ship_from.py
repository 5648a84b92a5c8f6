"""An order's ship-from warehouse and its ship-complete choice, as fulfilment honours them: the
reservation rule reserves only in the ship-from warehouse (what it lacks there waits as a
backorder), and an order that waits to ship complete gets no pick list until every line holds
its stock."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.sales.orders import services as order_services
from integration.fulfilment import selectors, services, shipping
from integration.fulfilment.backorders import backorders_serve
from integration.fulfilment.models import Backorder
from scm.inventory.models import Reservation
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user):
    # The customer is near Shanghai: without a ship-from, SH is taken first.
    return {
        "wh": three_warehouses(),
        "product": ProductFactory(list_price=Decimal("10.00")),
        "customer": CustomerFactory(owner=sales_user),
        "rep": sales_user,
    }


def confirmed(world, quantity, capture, **fields):
    order = order_services.order_create(
        customer=world["customer"],
        owner=world["rep"],
        lines=[{"product": world["product"], "quantity": quantity}],
        **fields,
    )
    with capture(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    order.refresh_from_db()
    return order


def test_the_rule_reserves_only_in_the_ship_from_warehouse_and_backorders_the_rest(
    world, django_capture_on_commit_callbacks
):
    receive(world["product"], world["wh"]["SH"], 50)
    receive(world["product"], world["wh"]["BJ"], 3)
    order = confirmed(world, 5, django_capture_on_commit_callbacks, ship_from=world["wh"]["BJ"])
    held = list(
        Reservation.objects.filter(demand=order.lines.get().demand).values_list("warehouse__code", "quantity")
    )
    assert held == [("BJ", Decimal("3"))]
    assert Backorder.objects.get(line__order=order).quantity == 2


def test_without_a_ship_from_the_nearest_warehouse_serves_the_order(
    world, django_capture_on_commit_callbacks
):
    receive(world["product"], world["wh"]["SH"], 50)
    receive(world["product"], world["wh"]["BJ"], 3)
    order = confirmed(world, 5, django_capture_on_commit_callbacks)
    assert set(
        Reservation.objects.filter(demand=order.lines.get().demand).values_list("warehouse__code", flat=True)
    ) == {"SH"}


def test_stock_arriving_elsewhere_does_not_serve_a_ship_from_backorder(
    world, django_capture_on_commit_callbacks
):
    order = confirmed(world, 4, django_capture_on_commit_callbacks, ship_from=world["wh"]["BJ"])
    receive(world["product"], world["wh"]["SH"], 10)
    backorders_serve(product_ids=[world["product"].pk])
    assert order.lines.get().reserved_quantity == 0
    receive(world["product"], world["wh"]["BJ"], 10)
    backorders_serve(product_ids=[world["product"].pk])
    assert order.lines.get().reserved_quantity == 4


def test_an_order_that_waits_to_ship_complete_gets_no_pick_list_until_complete(
    world, django_capture_on_commit_callbacks
):
    receive(world["product"], world["wh"]["SH"], 3)
    order = confirmed(world, 5, django_capture_on_commit_callbacks, ship_complete=True)
    assert order.lines.get().reserved_quantity == 3
    assert order not in selectors.pick_list_orders(warehouse_id=world["wh"]["SH"].pk)
    assert order not in selectors.picks_due(user=world["rep"])
    with pytest.raises(ValidationError) as refused:
        shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    assert "order" in refused.value.message_dict
    receive(world["product"], world["wh"]["SH"], 2)
    backorders_serve(product_ids=[world["product"].pk])
    assert order in selectors.pick_list_orders(warehouse_id=world["wh"]["SH"].pk)
    assert shipping.shipment_start(order=order, warehouse=world["wh"]["SH"]).lines.get().quantity == 5


def test_an_order_that_ships_partially_is_picked_with_what_it_holds(
    world, django_capture_on_commit_callbacks
):
    receive(world["product"], world["wh"]["SH"], 3)
    order = confirmed(world, 5, django_capture_on_commit_callbacks)
    assert order in selectors.pick_list_orders(warehouse_id=world["wh"]["SH"].pk)
    assert shipping.shipment_start(order=order, warehouse=world["wh"]["SH"]).lines.get().quantity == 3


def test_a_quarantine_or_inactive_warehouse_cannot_be_the_ship_from(world):
    closed = world["wh"]["GZ"]
    closed.is_active = False
    closed.save()
    with pytest.raises(ValidationError) as refused:
        order_services.order_create(
            customer=world["customer"],
            owner=world["rep"],
            lines=[{"product": world["product"], "quantity": 1}],
            ship_from=closed,
        )
    assert "ship_from" in refused.value.message_dict
