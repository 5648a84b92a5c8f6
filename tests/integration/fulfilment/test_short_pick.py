"""Short picks: goods not found where the pick list sends them are taken from another bin of the
warehouse, else reserved in another warehouse, else backordered; the rep and the managers hear."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.events import names
from core.events.models import Event, Notification
from integration.fulfilment import short_picks
from integration.fulfilment.models import Backorder, ShipmentLine, ShortPick
from scm.inventory.models import LocationStock, Reservation, StockLevel
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.integration.fulfilment.picking_world import make_bin, pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

R = ShortPick.Resolution


@pytest.fixture
def world(sales_user, manager_user, django_capture_on_commit_callbacks):
    wh = three_warehouses()
    sh = wh["SH"]
    first, second = make_bin(sh, "A-01", 10), make_bin(sh, "B-02", 20)
    product = ProductFactory(barcode="6900000006001")
    customer = CustomerFactory(owner=sales_user)

    def order(quantity):
        return reserved_order(customer, sales_user, django_capture_on_commit_callbacks, (product, quantity))

    return {
        "wh": wh,
        "sh": sh,
        "first": first,
        "second": second,
        "product": product,
        "order": order,
        "rep": sales_user,
        "manager": manager_user,
    }


def the_line(shipment, location):
    return ShipmentLine.objects.get(shipment=shipment, location=location)


def test_goods_not_in_their_bin_are_picked_from_another_bin_of_the_warehouse(world):
    receive_into(world["product"], world["sh"], 4, world["first"])
    receive_into(world["product"], world["sh"], 6, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    line = the_line(shipment, world["first"])
    outcome = short_picks.short_pick_record(shipment_line=line, quantity="2")
    assert [(r.resolution, r.quantity, r.location_id) for r in outcome.records] == [
        (R.OTHER_BIN, 2, world["first"].pk)
    ]
    assert the_line(shipment, world["first"]).quantity == 1
    assert the_line(shipment, world["second"]).quantity == 2
    assert Reservation.objects.get().quantity == 3  # still held here


def test_goods_no_bin_has_are_reserved_in_another_warehouse(world):
    receive_into(world["product"], world["sh"], 3, world["first"])
    receive(world["product"], world["wh"]["BJ"], 5)
    order = world["order"](3)
    shipment = pick_list(order, world["sh"])
    outcome = short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="2")
    assert [(r.resolution, r.quantity) for r in outcome.records] == [(R.RESERVED, 2)]
    held = dict(Reservation.objects.values_list("warehouse__code", "quantity"))
    assert held == {"SH": 1, "BJ": 2}
    assert order.lines.get().reserved_quantity == 3
    # Written off where it was not found, so the warehouse no longer offers it.
    assert LocationStock.objects.get(location=world["first"]).on_hand == 1
    assert StockLevel.objects.get(warehouse=world["sh"]).on_hand == 1


def test_goods_no_warehouse_has_are_backordered_and_the_rep_told(world, django_capture_on_commit_callbacks):
    receive_into(world["product"], world["sh"], 3, world["first"])
    order = world["order"](3)
    shipment = pick_list(order, world["sh"])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]))
    assert [(r.resolution, r.quantity) for r in outcome.records] == [(R.BACKORDERED, 3)]
    assert Backorder.objects.get(line=order.lines.get()).quantity == 3
    assert Event.objects.filter(name=names.STOCK_SHORTAGE, payload__order_id=order.pk).exists()
    assert Notification.objects.filter(user=world["rep"], kind="reservation").exists()
    assert Notification.objects.filter(user=world["manager"], kind="short_pick").exists()
    order.refresh_from_db()
    assert order.lines.get().reserved_quantity == 0
    # The phantom stock is not reserved again by the backorder rule.
    assert not Reservation.objects.exists()


def test_part_from_another_bin_and_the_rest_backordered(world):
    receive_into(world["product"], world["sh"], 4, world["first"])
    receive_into(world["product"], world["sh"], 1, world["second"])
    order = world["order"](4)
    shipment = pick_list(order, world["sh"])
    outcome = short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="3")
    assert [(r.resolution, r.quantity) for r in outcome.records] == [(R.OTHER_BIN, 1), (R.BACKORDERED, 2)]


def test_a_short_pick_in_a_warehouse_without_bins_reserves_elsewhere(world):
    receive(world["product"], world["wh"]["BJ"], 2)
    receive(world["product"], world["wh"]["GZ"], 5)
    shipment = pick_list(world["order"](2), world["wh"]["BJ"])
    outcome = short_picks.short_pick_record(shipment_line=ShipmentLine.objects.get(shipment=shipment))
    assert [(r.resolution, r.location_id) for r in outcome.records] == [(R.RESERVED, None)]
    assert dict(Reservation.objects.values_list("warehouse__code", "quantity")) == {"GZ": 2}
    assert StockLevel.objects.get(warehouse=world["wh"]["BJ"]).on_hand == 0


@pytest.mark.parametrize("bad", ["0", "-1", "4", "abc", "NaN", "1e30"])
def test_a_short_quantity_that_is_not_part_of_what_is_left_is_refused_and_nothing_is_written(world, bad):
    receive_into(world["product"], world["sh"], 3, world["first"])
    shipment = pick_list(world["order"](3), world["sh"])
    with pytest.raises(ValidationError) as exc:
        short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity=bad)
    assert "quantity" in exc.value.message_dict
    assert not ShortPick.objects.exists()
    assert the_line(shipment, world["first"]).quantity == 3
    assert Reservation.objects.get().quantity == 3


def test_the_not_found_button_records_the_short_pick(world, client, warehouse_user):
    receive_into(world["product"], world["sh"], 3, world["first"])
    receive_into(world["product"], world["sh"], 3, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    client.force_login(warehouse_user)
    line = the_line(shipment, world["first"])
    response = client.post(reverse("fulfilment:short-pick", args=[line.pk]), {"quantity": "3"})
    assert response.url == reverse("fulfilment:shipment", args=[shipment.pk])
    assert ShortPick.objects.get().resolution == R.OTHER_BIN


# --- a bin short until it is counted -------------------------------------------------------


def _missing(location, product):
    return LocationStock.objects.get(location=location, product=product).missing


def test_goods_taken_from_another_bin_stay_on_the_short_bins_books_marked_not_found(world):
    receive_into(world["product"], world["sh"], 4, world["first"])
    receive_into(world["product"], world["sh"], 6, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="2")
    stock = LocationStock.objects.get(location=world["first"], product=world["product"])
    assert (stock.on_hand, stock.missing) == (4, 2)


def test_the_next_pick_list_does_not_send_a_picker_for_goods_not_found(world):
    receive_into(world["product"], world["sh"], 4, world["first"])
    receive_into(world["product"], world["sh"], 6, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="2")
    # 4 on the books, 2 not found, 1 still on the first list: 1 left to send a picker for
    # (3 without the mark).
    following = pick_list(world["order"](3), world["sh"])
    sent = dict(following.lines.values_list("location__code", "quantity"))
    assert sent == {"A-01": 1, "B-02": 2}


def test_counting_the_short_bin_sends_pickers_there_again(world):
    from scm.inventory import counts

    receive_into(world["product"], world["sh"], 4, world["first"])
    receive_into(world["product"], world["sh"], 6, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="2")
    session = counts.count_start(warehouse=world["sh"], zone="A")
    counts.count_record(session=session, product=world["product"], quantity=4, location=world["first"])
    counts.count_submit(session=session)
    counts.count_approve(session=session)
    counts.count_post(session=session)
    assert _missing(world["first"], world["product"]) == 0
    following = pick_list(world["order"](3), world["sh"])
    assert dict(following.lines.values_list("location__code", "quantity")) == {"A-01": 3}


def test_what_is_not_found_never_exceeds_what_the_bin_holds(world):
    receive_into(world["product"], world["sh"], 3, world["first"])
    receive_into(world["product"], world["sh"], 6, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="3")
    assert _missing(world["first"], world["product"]) == 3
    from scm.inventory import services as stock

    stock.stock_adjust(
        product=world["product"], warehouse=world["sh"], quantity=-2, reason="broken", location=world["first"]
    )
    stock_row = LocationStock.objects.get(location=world["first"], product=world["product"])
    assert (stock_row.on_hand, stock_row.missing) == (1, 1)


def test_the_bins_page_and_api_show_what_was_not_found(world, client, api_client, warehouse_user):
    receive_into(world["product"], world["sh"], 4, world["first"])
    receive_into(world["product"], world["sh"], 6, world["second"])
    shipment = pick_list(world["order"](3), world["sh"])
    short_picks.short_pick_record(shipment_line=the_line(shipment, world["first"]), quantity="2")
    client.force_login(warehouse_user)
    page = client.get(reverse("inventory:location_detail", args=[world["first"].pk])).content.decode()
    assert 'data-testid="location-missing"' in page
    api_client.force_authenticate(warehouse_user)
    rows = api_client.get("/api/v1/inventory/location-stock/", {"location": world["first"].pk}).json()
    assert [r["missing"] for r in rows["results"]] == ["2.000"]
