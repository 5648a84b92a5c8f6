"""A ticket part reserved on a lot that is then put on hold: reserved again from the nearest
warehouse that has it free, or marked short with a timeline line and the assignee told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.events.models import Notification
from crm.service import parts
from crm.service.models import TicketEvent, TicketPart
from scm.inventory import holds
from scm.inventory import services as stock
from scm.inventory.models import Reservation, StockLevel
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import TicketFactory
from tests.crm.service.parts.factories import GUANGZHOU_CUSTOMER, city_warehouses
from tests.factories import UserFactory
from tests.scm.inventory.factories import lot_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    wh = city_warehouses()
    engineer = UserFactory(roles=["service"])
    lat, lon = GUANGZHOU_CUSTOMER
    ticket = TicketFactory(
        customer=CustomerFactory(latitude=lat, longitude=lon), category="repair", assignee=engineer
    )
    product = lot_product(name="压缩机电容")
    return {"wh": wh, "engineer": engineer, "ticket": ticket, "product": product}


def _receive(world, city, number, quantity):
    expiry = timezone.localdate() + timedelta(days=400)
    stock.stock_receive(
        product=world["product"],
        warehouse=world["wh"][city],
        quantity=quantity,
        lot_number=number,
        expiry_date=expiry,
    )
    return world["product"].lots.get(number=number)


def _part_on(world, lot_city="广州", number="L-BAD", quantity=2):
    lot = _receive(world, lot_city, number, 5)
    part = parts.ticket_part_add(
        ticket=world["ticket"], product=world["product"], quantity=quantity, user=world["engineer"]
    )
    assert Reservation.objects.get(demand=part.demand).lot_id == lot.pk
    return part, lot


def _hold(lot, capture, execute=False):
    with capture(execute=execute):
        holds.lot_hold(lot=lot, reason="卡纸", user=None)


def test_a_part_on_a_held_lot_is_reserved_again_in_the_nearest_warehouse_with_stock(
    world, django_capture_on_commit_callbacks
):
    part, bad = _part_on(world)
    _receive(world, "北京", "L-BJ", 5)
    good = _receive(world, "上海", "L-SH", 5)
    _hold(bad, django_capture_on_commit_callbacks)
    assert parts.ticket_parts_rereserve(lot_id=bad.pk) == {part.pk: "moved"}
    assert [(r.lot_id, r.quantity) for r in Reservation.objects.filter(demand=part.demand)] == [
        (good.pk, Decimal(2))
    ]
    assert StockLevel.objects.get(lot=bad).reserved == 0
    part.refresh_from_db()
    assert part.state == TicketPart.State.RESERVED
    assert TicketEvent.objects.filter(ticket=world["ticket"], kind=parts.PART_MOVED).count() == 1


def test_a_part_with_nothing_else_free_is_marked_short_and_the_assignee_told(
    world, django_capture_on_commit_callbacks
):
    part, bad = _part_on(world)
    _hold(bad, django_capture_on_commit_callbacks)
    assert parts.ticket_parts_rereserve(lot_id=bad.pk) == {part.pk: "short"}
    part.refresh_from_db()
    assert part.state == TicketPart.State.SHORT
    assert not Reservation.objects.filter(demand=part.demand).exists()
    assert StockLevel.objects.get(lot=bad).reserved == 0
    event = TicketEvent.objects.get(ticket=world["ticket"], kind=parts.PART_SHORT)
    assert event.data["lot"] == "L-BAD" and event.data["quantity"] == "2"
    note = Notification.objects.get(user=world["engineer"], kind="service.part_short")
    assert note.params["lot"] == "L-BAD"


def test_running_the_rule_twice_changes_nothing_the_second_time(world, django_capture_on_commit_callbacks):
    part, bad = _part_on(world)
    _hold(bad, django_capture_on_commit_callbacks)
    parts.ticket_parts_rereserve(lot_id=bad.pk)
    assert parts.ticket_parts_rereserve(lot_id=bad.pk) == {}
    assert TicketEvent.objects.filter(kind=parts.PART_SHORT).count() == 1
    assert Notification.objects.filter(kind="service.part_short").count() == 1


def test_holding_the_lot_moves_the_part_through_the_lot_held_rule(world, django_capture_on_commit_callbacks):
    part, bad = _part_on(world)
    good = _receive(world, "上海", "L-SH", 5)
    _hold(bad, django_capture_on_commit_callbacks, execute=True)
    assert [r.lot_id for r in Reservation.objects.filter(demand=part.demand)] == [good.pk]


def test_a_short_part_can_be_taken_off_the_ticket(world, django_capture_on_commit_callbacks):
    part, bad = _part_on(world)
    _hold(bad, django_capture_on_commit_callbacks)
    parts.ticket_parts_rereserve(lot_id=bad.pk)
    part.refresh_from_db()
    parts.ticket_part_remove(part=part, user=world["engineer"])
    part.refresh_from_db()
    assert part.state == TicketPart.State.RELEASED


def test_the_parts_panel_offers_no_stock_of_a_held_lot(world, django_capture_on_commit_callbacks):
    bad = _receive(world, "广州", "L-BAD", 5)
    _hold(bad, django_capture_on_commit_callbacks)
    stock_rows = parts.nearest_stock(customer=world["ticket"].customer, product=world["product"])
    assert sum(s.available for s in stock_rows) == 0
    with pytest.raises(Exception) as exc:
        parts.ticket_part_add(
            ticket=world["ticket"], product=world["product"], quantity=1, user=world["engineer"]
        )
    assert "quantity" in exc.value.message_dict
    assert not TicketPart.objects.exists()


def test_a_short_part_is_served_when_its_stock_arrives(world, django_capture_on_commit_callbacks):
    part, bad = _part_on(world)
    _hold(bad, django_capture_on_commit_callbacks)
    parts.ticket_parts_rereserve(lot_id=bad.pk)
    with django_capture_on_commit_callbacks(execute=True):
        good = _receive(world, "广州", "L-NEW", 5)
    part.refresh_from_db()
    assert part.state == TicketPart.State.RESERVED
    assert [(r.lot_id, r.quantity) for r in Reservation.objects.filter(demand=part.demand)] == [
        (good.pk, Decimal(2))
    ]


def test_a_short_part_stays_short_while_the_free_stock_cannot_cover_it(
    world, django_capture_on_commit_callbacks
):
    part, bad = _part_on(world, quantity=3)
    _hold(bad, django_capture_on_commit_callbacks)
    parts.ticket_parts_rereserve(lot_id=bad.pk)
    _receive(world, "广州", "L-FEW", 1)
    assert parts.ticket_parts_serve_short(product_ids=[world["product"].pk]) == {}
    part.refresh_from_db()
    assert part.state == TicketPart.State.SHORT
    assert not Reservation.objects.filter(demand=part.demand).exists()
