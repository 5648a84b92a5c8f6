"""Batch picks: several orders of one warehouse in one walk, each order in its tote."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from crm.sales.models import SalesOrder
from integration.fulfilment import batches, selectors
from integration.fulfilment.models import PickBatch, Shipment
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import make_bin, pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, warehouse_user, django_capture_on_commit_callbacks):
    sh = three_warehouses()["SH"]
    near, far = make_bin(sh, "A-01", 10), make_bin(sh, "D-09", 90)
    cups = ProductFactory(sku="CUP", barcode="6900000005001")
    pens = ProductFactory(sku="PEN", barcode="6900000005002")
    receive_into(cups, sh, 20, far)
    receive_into(pens, sh, 20, near)
    customer = CustomerFactory(owner=sales_user)
    today = timezone.localdate()

    def order(*lines, **fields):
        return reserved_order(customer, sales_user, django_capture_on_commit_callbacks, *lines, **fields)

    orders = [
        order((cups, 2), (pens, 1), requested_date=today + timedelta(days=5)),
        order((pens, 3), priority=SalesOrder.Priority.URGENT),
        order((cups, 1), requested_date=today + timedelta(days=1)),
    ]
    return {
        "sh": sh,
        "near": near,
        "far": far,
        "cups": cups,
        "pens": pens,
        "orders": orders,
        "user": warehouse_user,
    }


def totes(batch):
    return {s.order_id: s.tote for s in Shipment.objects.filter(batch=batch)}


def test_the_next_orders_by_priority_and_due_date_get_totes_in_that_order(world):
    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="3")
    first, urgent, soon = world["orders"]
    assert totes(batch) == {urgent.pk: "T1", soon.pk: "T2", first.pk: "T3"}


def test_the_walk_goes_through_the_bins_once_for_every_order(world):
    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="3")
    walk = selectors.batch_walk(batch=batch, user=world["user"])["lines"]
    assert [(line.location.code, line.tote) for line in walk] == [
        ("A-01", "T1"),
        ("A-01", "T3"),
        ("D-09", "T2"),
        ("D-09", "T3"),
    ]


def test_each_product_scan_says_its_tote(world):
    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="3")
    batches.pick_batch_scan(batch=batch, code=world["near"].barcode)
    with translation.override("en"):
        first = batches.pick_batch_scan(batch=batch, code=world["pens"].barcode, quantity="3")
        second = batches.pick_batch_scan(batch=batch, code=world["pens"].barcode)
    assert (first.tote, second.tote) == ("T1", "T3")
    assert "T1" in first.message


def test_totes_ship_one_by_one_and_the_batch_is_done_after_the_last(
    world, django_capture_on_commit_callbacks
):
    batch = batches.pick_batch_create(
        warehouse=world["sh"], user=world["user"], order_ids=[o.pk for o in world["orders"][1:]]
    )
    batches.pick_batch_scan(batch=batch, code=world["near"].barcode)
    batches.pick_batch_scan(batch=batch, code=world["pens"].barcode, quantity="3")
    batches.pick_batch_scan(batch=batch, code=world["far"].barcode)
    batches.pick_batch_scan(batch=batch, code=world["cups"].barcode)
    shipments = sorted(Shipment.objects.filter(batch=batch), key=lambda s: s.tote)
    with django_capture_on_commit_callbacks(execute=True):
        batches.pick_batch_ship(batch=batch, carrier="顺丰速运", tracking_numbers={shipments[0].pk: "SF-T1"})
    assert PickBatch.objects.get(pk=batch.pk).state == PickBatch.State.PICKING
    with django_capture_on_commit_callbacks(execute=True):
        batches.pick_batch_ship(batch=batch, carrier="顺丰速运", tracking_numbers={shipments[1].pk: "SF-T2"})
    assert PickBatch.objects.get(pk=batch.pk).state == PickBatch.State.DONE
    assert set(Shipment.objects.filter(batch=batch).values_list("state", flat=True)) == {"shipped"}


def test_shipping_totes_is_all_or_nothing(world, django_capture_on_commit_callbacks):
    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="3")
    batches.pick_batch_scan(batch=batch, code=world["near"].barcode)
    batches.pick_batch_scan(batch=batch, code=world["pens"].barcode)
    t1, t2 = (Shipment.objects.get(batch=batch, tote=t) for t in ("T1", "T2"))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        batches.pick_batch_ship(
            batch=batch, carrier="顺丰速运", tracking_numbers={t1.pk: "SF1", t2.pk: "SF2"}
        )
    assert "T2" in exc.value.message_dict["tracking_numbers"][0]
    assert Shipment.objects.get(pk=t1.pk).state == Shipment.State.PICKING


def test_an_order_already_in_a_batch_cannot_go_into_another(world):
    batches.pick_batch_create(warehouse=world["sh"], user=world["user"], order_ids=[world["orders"][0].pk])
    with pytest.raises(ValidationError) as exc:
        batches.pick_batch_create(
            warehouse=world["sh"], user=world["user"], order_ids=[world["orders"][0].pk]
        )
    assert "orders" in exc.value.message_dict
    assert PickBatch.objects.count() == 1


@pytest.mark.parametrize("count", ["0", "51", "2.5", "abc", "1e30", ""])
def test_a_count_that_is_no_whole_number_from_1_to_50_is_refused_and_nothing_is_written(world, count):
    with pytest.raises(ValidationError) as exc:
        batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count=count)
    assert "count" in exc.value.message_dict
    assert not PickBatch.objects.exists() and not Shipment.objects.exists()


def test_an_open_pick_list_joins_the_batch_with_what_was_picked(world):
    order = world["orders"][1]
    shipment = pick_list(order, world["sh"])
    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], order_ids=[order.pk])
    shipment.refresh_from_db()
    assert (shipment.batch_id, shipment.tote) == (batch.pk, "T1")


def test_finishing_a_batch_puts_the_totes_not_shipped_back_on_the_queue(world):
    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="2")
    batches.pick_batch_finish(batch=batch, user=world["user"])
    assert PickBatch.objects.get(pk=batch.pk).state == PickBatch.State.DONE
    assert set(Shipment.objects.values_list("batch", "tote", "state")) == {(None, "", "picking")}


def test_the_batch_page_ships_a_tote_and_scans(world, client, django_capture_on_commit_callbacks):
    client.force_login(world["user"])
    response = client.post(reverse("fulfilment:batch-create"), {"warehouse": world["sh"].pk, "count": "1"})
    batch = PickBatch.objects.get()
    assert response.url == reverse("fulfilment:batch", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and b'data-testid="tote"' in page.content
    scan = reverse("fulfilment:batch-scan", args=[batch.pk])
    answer = client.post(scan, {"code": world["near"].barcode}, HTTP_HX_REQUEST="true")
    # The walk and the totes come back together (the totes' progress and ship buttons follow).
    assert answer["X-Scan-Result"] == "ok" and b'id="batch-body"' in answer.content
    assert (
        client.post(scan, {"code": world["pens"].barcode, "quantity": "3"}, HTTP_HX_REQUEST="true")[
            "X-Scan-Result"
        ]
        == "ok"
    )
    tote = Shipment.objects.get(batch=batch)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("fulfilment:batch-ship", args=[batch.pk]),
            {"carrier": "顺丰速运", f"tracking-{tote.pk}": "SF77", "ship": str(tote.pk)},
        )
    assert done.url == reverse("fulfilment:picking") + f"?warehouse={world['sh'].pk}"
    assert Shipment.objects.get(pk=tote.pk).state == Shipment.State.SHIPPED


def test_the_batch_page_issues_a_fixed_number_of_queries(world, client):
    client.force_login(world["user"])
    small = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="1")
    large = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="2")
    client.get(reverse("fulfilment:batch", args=[small.pk]))  # the session's first request
    counts = []
    for batch in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("fulfilment:batch", args=[batch.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_shipping_the_last_tote_from_its_own_pick_list_closes_the_batch(
    world, django_capture_on_commit_callbacks
):
    from integration.fulfilment import shipping

    batch = batches.pick_batch_create(warehouse=world["sh"], user=world["user"], count="1")
    batches.pick_batch_scan(batch=batch, code=world["near"].barcode)
    batches.pick_batch_scan(batch=batch, code=world["pens"].barcode, quantity="3")
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(
            shipment=Shipment.objects.get(batch=batch), carrier="顺丰速运", tracking_number="SF5"
        )
    assert PickBatch.objects.get(pk=batch.pk).state == PickBatch.State.DONE
