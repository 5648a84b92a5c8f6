"""Parts on tickets: the nearest warehouse that has them, reserved and used with the ledger
checked, warranty by serial, clear refusals that write nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from core.events import names
from core.events.models import Event
from crm.service import hooks, parts
from crm.service.models import Ticket, TicketEvent, TicketPart
from crm.service.warranty import add_months, warranty_until
from scm.inventory import services as stock
from scm.inventory.models import Product, Reservation, StockLevel, StockMove
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import TicketFactory
from tests.crm.service.parts.factories import GUANGZHOU_CUSTOMER, VisitFactory, city_warehouses
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def wh():
    return city_warehouses()


@pytest.fixture
def engineer():
    return UserFactory(roles=["service"])


@pytest.fixture
def ticket():
    lat, lon = GUANGZHOU_CUSTOMER
    return TicketFactory(customer=CustomerFactory(latitude=lat, longitude=lon), category="repair")


@pytest.fixture
def shipped_serials():
    """A fake shipped-lot provider (the module that ships fills it in the app): serial id →
    the day it was shipped to the customer."""
    shipped: dict[int, date] = {}

    def lot(customer_id, lot_id):
        if lot_id not in shipped:
            return None
        return hooks.ShippedLot(
            lot_id=lot_id,
            lot_number="",
            product_id=0,
            product_name="",
            shipment_id=1,
            shipment_number="SH-1",
            order_id=1,
            order_number="SO-1",
            shipped_on=shipped[lot_id],
            quantity=Decimal(1),
        )

    before = (hooks._lots_provider, hooks._lot_provider)
    hooks.register_shipped(lots=lambda *a: [], lot=lot)
    yield shipped
    hooks._lots_provider, hooks._lot_provider = before


def _held(part) -> dict[str, Decimal]:
    return {
        r.warehouse.name: r.quantity
        for r in Reservation.objects.filter(demand=part.demand).select_related("warehouse")
    }


def _level(product, warehouse) -> tuple[Decimal, Decimal]:
    level = StockLevel.objects.get(product=product, warehouse=warehouse, lot=None)
    return level.on_hand, level.reserved


# --- which warehouse --------------------------------------------------------------------------


def test_a_guangzhou_customer_gets_the_part_from_guangzhou_when_shanghai_has_it_too(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["上海"], quantity=5)
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    assert _held(part) == {"广州仓": Decimal(2)}


def test_a_part_only_in_beijing_is_reserved_in_beijing(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["北京"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    assert _held(part) == {"北京仓": Decimal(2)}


def test_one_warehouse_holding_it_all_is_preferred_to_splitting(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=1)
    stock.stock_receive(product=part_product, warehouse=wh["上海"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=3, user=engineer)
    assert _held(part) == {"上海仓": Decimal(3)}


def test_when_no_warehouse_holds_it_all_it_is_split_nearest_first(wh, ticket, engineer):
    part_product = ProductFactory()
    for city in ("北京", "上海", "广州"):
        stock.stock_receive(product=part_product, warehouse=wh[city], quantity=2)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=5, user=engineer)
    assert _held(part) == {"广州仓": Decimal(2), "上海仓": Decimal(2), "北京仓": Decimal(1)}


def test_a_serial_numbered_part_reserves_particular_units(wh, ticket, engineer):
    part_product = ProductFactory(tracking=Product.Tracking.SERIAL)
    for serial in ("SN-1", "SN-2", "SN-3"):
        stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=1, lot_number=serial)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    held = Reservation.objects.filter(demand=part.demand)
    assert sorted(r.lot.number for r in held) == ["SN-1", "SN-2"]
    assert all(r.quantity == 1 for r in held)


# --- refusals ---------------------------------------------------------------------------------


def test_a_part_no_warehouse_has_is_refused_and_nothing_is_written(wh, ticket, engineer):
    part_product = ProductFactory()
    with pytest.raises(ValidationError) as err:
        parts.ticket_part_add(ticket=ticket, product=part_product, quantity=1, user=engineer)
    assert "No warehouse has" in err.value.message_dict["quantity"][0]
    assert not TicketPart.objects.exists()
    assert not Reservation.objects.exists()
    assert not TicketEvent.objects.exists()


def test_a_part_short_everywhere_names_how_much_there_is_and_writes_nothing(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=2)
    stock.stock_receive(product=part_product, warehouse=wh["北京"], quantity=2)
    with pytest.raises(ValidationError) as err:
        parts.ticket_part_add(ticket=ticket, product=part_product, quantity=5, user=engineer)
    assert "Only 4 pcs" in err.value.message_dict["quantity"][0]
    assert not TicketPart.objects.exists()
    assert not Reservation.objects.exists()
    assert StockLevel.objects.filter(reserved__gt=0).count() == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "NaN", "1e30", "²", "1.5"])
def test_a_bad_quantity_is_refused_on_quantity(wh, ticket, engineer, quantity):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    with pytest.raises(ValidationError) as err:
        parts.ticket_part_add(ticket=ticket, product=part_product, quantity=quantity, user=engineer)
    assert "quantity" in err.value.message_dict
    assert not TicketPart.objects.exists()


def test_parts_cannot_be_added_to_a_closed_ticket(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.CLOSED)
    with pytest.raises(ValidationError) as err:
        parts.ticket_part_add(ticket=ticket, product=part_product, quantity=1, user=engineer)
    assert "ticket" in err.value.message_dict
    assert not Reservation.objects.exists()


# --- remove ----------------------------------------------------------------------------------


def test_removing_a_part_releases_its_reservation(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    assert _level(part_product, wh["广州"]) == (5, 2)
    parts.ticket_part_remove(part=part, user=engineer)
    part.refresh_from_db()
    assert part.state == TicketPart.State.RELEASED
    assert _level(part_product, wh["广州"]) == (5, 0)
    assert not Reservation.objects.filter(demand=part.demand).exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind=parts.PART_REMOVED).count() == 1


def test_a_part_of_a_closed_ticket_cannot_be_removed(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.CLOSED)
    with pytest.raises(ValidationError) as err:
        parts.ticket_part_remove(part=part, user=engineer)
    assert "ticket" in err.value.message_dict
    assert _level(part_product, wh["广州"]) == (5, 2)


def test_a_used_part_cannot_be_removed(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket))
    with pytest.raises(ValidationError) as err:
        parts.ticket_part_remove(part=part, user=engineer)
    assert "part" in err.value.message_dict


# --- consume and the ledger ---------------------------------------------------------------------


def test_a_done_visit_uses_the_reserved_parts_and_the_ledger_shows_it(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    assert _level(part_product, wh["广州"]) == (5, 2)
    visit = VisitFactory(ticket=ticket)

    used = parts.ticket_parts_consume(ticket=ticket, visit=visit, user=engineer)

    assert [p.pk for p in used] == [part.pk]
    part.refresh_from_db()
    assert part.state == TicketPart.State.CONSUMED and part.consumed_at is not None
    assert _level(part_product, wh["广州"]) == (3, 0)
    move = StockMove.objects.get(product=part_product, quantity__lt=0)
    assert (move.kind, move.quantity, move.warehouse_id, move.reference) == (
        StockMove.Kind.SHIPMENT,
        Decimal(-2),
        wh["广州"].pk,
        ticket.number,
    )
    assert not Reservation.objects.filter(demand=part.demand).exists()
    event = Event.objects.get(name=names.TICKET_PARTS_USED)
    assert event.payload == {"ticket_id": ticket.pk, "visit_id": visit.pk, "part_ids": [part.pk]}
    call_command("check_stock")


def test_a_serial_part_is_used_with_its_serial_on_the_ledger(wh, ticket, engineer):
    part_product = ProductFactory(tracking=Product.Tracking.SERIAL)
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=1, lot_number="SN-9")
    parts.ticket_part_add(ticket=ticket, product=part_product, quantity=1, user=engineer)
    parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket))
    move = StockMove.objects.get(product=part_product, quantity__lt=0)
    assert move.lot.number == "SN-9" and move.reference == ticket.number
    assert StockLevel.objects.get(product=part_product, lot=move.lot).on_hand == 0
    call_command("check_stock")


def test_using_the_parts_twice_does_not_take_the_stock_twice(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    visit = VisitFactory(ticket=ticket)
    parts.ticket_parts_consume(ticket=ticket, visit=visit)
    again = parts.ticket_parts_consume(ticket=ticket, visit=visit)
    assert again == []
    assert StockMove.objects.filter(product=part_product, quantity__lt=0).count() == 1
    assert _level(part_product, wh["广州"]) == (3, 0)
    assert Event.objects.filter(name=names.TICKET_PARTS_USED).count() == 1


def test_a_ticket_without_parts_publishes_nothing(ticket):
    assert parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket)) == []
    assert not Event.objects.filter(name=names.TICKET_PARTS_USED).exists()


def test_a_released_part_is_not_used(wh, ticket, engineer):
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    parts.ticket_part_remove(part=part, user=engineer)
    assert parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket)) == []
    assert _level(part_product, wh["广州"]) == (5, 0)


# --- warranty -----------------------------------------------------------------------------------


def _air_conditioner_ticket(ticket, months_ago: int, shipped_serials, warehouse):
    """The ticket is about serial AC-1 of a unit with 12 months' warranty, shipped to the
    customer ``months_ago`` (the ticket itself names no ship date: the serial decides)."""
    unit = ProductFactory(tracking=Product.Tracking.SERIAL, warranty_months=12)
    serial = stock.stock_receive(product=unit, warehouse=warehouse, quantity=1, lot_number="AC-1").lot
    shipped_serials[serial.pk] = add_months(timezone.localdate(), -months_ago)
    Ticket.objects.filter(pk=ticket.pk).update(product=unit, lot=serial)
    ticket.refresh_from_db()
    return ticket


def test_a_part_for_a_serial_shipped_ten_months_ago_with_twelve_months_warranty_is_free(
    wh, ticket, engineer, shipped_serials
):
    ticket = _air_conditioner_ticket(ticket, 10, shipped_serials, wh["北京"])
    part_product = ProductFactory(list_price=Decimal("80.00"))
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=1, user=engineer)
    assert part.under_warranty is True and part.unit_price == 0
    parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket))
    part.refresh_from_db()
    assert part.under_warranty is True and part.unit_price == 0


def test_a_part_for_a_serial_shipped_fourteen_months_ago_is_charged(wh, ticket, engineer, shipped_serials):
    ticket = _air_conditioner_ticket(ticket, 14, shipped_serials, wh["北京"])
    part_product = ProductFactory(list_price=Decimal("80.00"))
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=1, user=engineer)
    assert part.under_warranty is False and part.unit_price == Decimal("80.00")


def test_a_serial_never_shipped_to_the_customer_has_no_warranty(wh, ticket, engineer, shipped_serials):
    ticket = _air_conditioner_ticket(ticket, 10, shipped_serials, wh["北京"])
    shipped_serials.clear()
    assert warranty_until(ticket) is None


def test_the_warranty_runs_from_the_tickets_ship_date(ticket):
    unit = ProductFactory(warranty_months=36)
    Ticket.objects.filter(pk=ticket.pk).update(product=unit, shipped_on=date(2024, 8, 31))
    ticket.refresh_from_db()
    assert warranty_until(ticket) == date(2027, 8, 31)


def test_no_ship_date_or_no_warranty_months_means_no_warranty(ticket):
    Ticket.objects.filter(pk=ticket.pk).update(product=ProductFactory(warranty_months=12))
    ticket.refresh_from_db()
    assert warranty_until(ticket) is None
    Ticket.objects.filter(pk=ticket.pk).update(
        product=ProductFactory(warranty_months=0), shipped_on=date(2026, 1, 1)
    )
    ticket.refresh_from_db()
    assert warranty_until(ticket) is None


@pytest.mark.parametrize(
    ("day", "months", "end"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 1, 15), 12, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_months_are_added_with_month_ends_clamped(day, months, end):
    assert add_months(day, months) == end


# --- a ticket done without its parts ---------------------------------------------------------


def test_resolving_a_ticket_gives_back_the_stock_its_parts_still_hold(wh, ticket, engineer):
    from crm.service.services import ticket_transition

    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    part = parts.ticket_part_add(ticket=ticket, product=part_product, quantity=2, user=engineer)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.IN_PROGRESS)
    ticket_transition(ticket=ticket, action="resolve", user=engineer)
    part.refresh_from_db()
    assert part.state == TicketPart.State.RELEASED and _held(part) == {}
    assert _level(part_product, wh["广州"]) == (Decimal(5), Decimal(0))


def test_a_visit_of_a_resolved_ticket_cannot_be_completed(wh, ticket, engineer):
    from crm.service.visits import visit_complete

    visit = VisitFactory(ticket=ticket, engineer=engineer)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.RESOLVED)
    with pytest.raises(ValidationError) as refused:
        visit_complete(visit=visit, user=engineer)
    assert "state" in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.state == "planned"
