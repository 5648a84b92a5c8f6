"""Pick lists count in the units the customer ordered (boxes and pieces apart, never added
together) and show each order's due date and priority; the queue is sorted by them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from crm.sales.models import SalesOrder
from integration.fulfilment.walk import unit_text, unit_totals
from scm.inventory.models import ProductUnit
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

BOX = ProductUnit(name="箱", factor=Decimal(24))


def test_a_quantity_in_whole_boxes_shows_the_boxes_and_the_pieces():
    assert unit_text(Decimal(48), unit=BOX, base_unit="个") == "2 箱 (48 个)"


def test_what_does_not_make_a_whole_box_is_said_apart():
    assert unit_text(Decimal(30), unit=BOX, base_unit="个") == "1 箱 + 6 个 (30 个)"


def test_a_quantity_in_the_base_unit_is_just_that():
    assert unit_text(Decimal(5), unit=None, base_unit="根") == "5 根"


def test_totals_are_per_unit_never_added_across_units():
    assert unit_totals([(Decimal(1), None, "瓶"), (Decimal(5), None, "根"), (Decimal(48), BOX, "个")]) == [
        "1 瓶",
        "5 根",
        "2 箱",
    ]


@pytest.fixture
def world(sales_user, django_capture_on_commit_callbacks):
    sh = three_warehouses()["SH"]
    customer = CustomerFactory(owner=sales_user)

    def order(*lines, **fields):
        return reserved_order(customer, sales_user, django_capture_on_commit_callbacks, *lines, **fields)

    return {"sh": sh, "order": order}


@pytest.mark.django_db
def test_the_scan_page_shows_boxes_and_pieces_apart(world, client, warehouse_user):
    cups = ProductFactory(base_unit="个")
    box = ProductUnit.objects.create(product=cups, name="箱", factor=24, barcode="6900000003024")
    cables = ProductFactory(base_unit="根")
    receive_into(cups, world["sh"], 100)
    receive_into(cables, world["sh"], 10)
    shipment = pick_list(world["order"]((cups, 2, box), (cables, 5)), world["sh"])
    client.force_login(warehouse_user)
    page = client.get(reverse("fulfilment:shipment", args=[shipment.pk])).content.decode()
    assert "2 箱 (48 个)" in page and "5 根" in page
    # 2 boxes and 5 cables are never summed into one figure (53 of anything).
    assert not re.search(r"(?<![\w.:/-])53(?![\w.:/-])", page)


@pytest.mark.django_db
def test_the_queue_shows_what_each_order_holds_per_unit(world, client, warehouse_user):
    bottles = ProductFactory(base_unit="瓶")
    cables = ProductFactory(base_unit="根")
    receive_into(bottles, world["sh"], 10)
    receive_into(cables, world["sh"], 10)
    world["order"]((bottles, 1), (cables, 5))
    client.force_login(warehouse_user)
    page = client.get(reverse("fulfilment:picking") + f"?warehouse={world['sh'].pk}").content.decode()
    assert "1 瓶 · 5 根" in page
    assert "6 " not in page.split('data-testid="held"')[1][:40]


@pytest.mark.django_db
def test_the_queue_is_sorted_by_priority_then_due_date_and_shows_both(world, client, warehouse_user):
    product = ProductFactory()
    receive_into(product, world["sh"], 10)
    today = timezone.localdate()
    late = world["order"]((product, 1), requested_date=today + timedelta(days=9))
    soon = world["order"]((product, 1), requested_date=today + timedelta(days=2))
    urgent = world["order"]((product, 1), priority=SalesOrder.Priority.URGENT)
    client.force_login(warehouse_user)
    page = client.get(
        reverse("fulfilment:picking") + f"?warehouse={world['sh'].pk}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    positions = [page.index(f'data-order="{o.number}"') for o in (urgent, soon, late)]
    assert positions == sorted(positions)
    assert 'data-priority="urgent"' in page
    with translation.override("en"):
        assert date_format(today + timedelta(days=2), "SHORT_DATE_FORMAT") in page


@pytest.mark.django_db
def test_the_scan_page_shows_the_orders_due_date_and_priority(world, client, warehouse_user):
    product = ProductFactory()
    receive_into(product, world["sh"], 10)
    due = timezone.localdate() + timedelta(days=3)
    order = world["order"]((product, 1), priority=SalesOrder.Priority.HIGH, requested_date=due)
    shipment = pick_list(order, world["sh"])
    client.force_login(warehouse_user)
    page = client.get(reverse("fulfilment:shipment", args=[shipment.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert 'data-priority="high"' in body
    assert page.context["shipment"].order.requested_date == due
