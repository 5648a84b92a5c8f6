"""After a shipment leaves, the next pick of the same warehouse opens: the picker's own open pick
list, else the next order of the queue that nobody is picking, else the warehouse's queue."""

import pytest
from django.urls import reverse

from crm.sales.models import SalesOrder
from integration.fulfilment import picking
from integration.fulfilment.models import Shipment
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

BARCODE = "6900000007001"


@pytest.fixture
def world(sales_user, warehouse_user, django_capture_on_commit_callbacks):
    wh = three_warehouses()
    product = ProductFactory(barcode=BARCODE)
    receive_into(product, wh["SH"], 10)
    receive_into(product, wh["BJ"], 10)
    customer = CustomerFactory(owner=sales_user)

    def order(quantity=1, **fields):
        return reserved_order(
            customer, sales_user, django_capture_on_commit_callbacks, (product, quantity), **fields
        )

    return {"wh": wh, "order": order, "picker": warehouse_user}


def ship(client, shipment, capture):
    client.post(reverse("fulfilment:shipment-scan", args=[shipment.pk]), {"code": BARCODE})
    with capture(execute=True):
        return client.post(
            reverse("fulfilment:shipment-ship", args=[shipment.pk]),
            {"carrier": "顺丰速运", "tracking_number": "SF100"},
        )


def test_after_ship_the_next_order_of_the_queue_opens(world, client, django_capture_on_commit_callbacks):
    first = world["order"]()
    second = world["order"]()
    client.force_login(world["picker"])
    response = ship(
        client, pick_list(first, world["wh"]["SH"], world["picker"]), django_capture_on_commit_callbacks
    )
    following = Shipment.objects.get(order=second, state=Shipment.State.PICKING)
    assert response.url == reverse("fulfilment:shipment", args=[following.pk])
    assert following.warehouse == world["wh"]["SH"] and following.created_by == world["picker"]


def test_the_next_pick_is_the_urgent_order_before_the_older_one(world):
    world["order"]()
    urgent = world["order"](priority=SalesOrder.Priority.URGENT)
    following = picking.next_pick_open(warehouse=world["wh"]["SH"], user=world["picker"])
    assert following.order_id == urgent.pk


def test_the_pickers_own_open_pick_list_comes_first(world):
    world["order"](priority=SalesOrder.Priority.URGENT)
    mine = pick_list(world["order"](), world["wh"]["SH"], world["picker"])
    assert picking.next_pick_open(warehouse=world["wh"]["SH"], user=world["picker"]).pk == mine.pk


def test_an_order_someone_else_is_picking_is_not_opened(world, manager_user):
    pick_list(world["order"](), world["wh"]["SH"], manager_user)
    assert picking.next_pick_open(warehouse=world["wh"]["SH"], user=world["picker"]) is None


def test_with_nothing_left_the_warehouses_queue_opens(world, client, django_capture_on_commit_callbacks):
    only = world["order"]()
    client.force_login(world["picker"])
    response = ship(
        client, pick_list(only, world["wh"]["SH"], world["picker"]), django_capture_on_commit_callbacks
    )
    assert response.url == reverse("fulfilment:picking") + f"?warehouse={world['wh']['SH'].pk}"


def test_the_next_pick_stays_in_the_same_warehouse(world):
    order = world["order"]()
    pick_list(order, world["wh"]["SH"], world["picker"])
    assert picking.next_pick_open(warehouse=world["wh"]["BJ"], user=world["picker"]) is None
