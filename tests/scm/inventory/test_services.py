from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.events import names
from core.models import AuditLog
from core.numbers import number_at_least
from scm.inventory import reservations, services, transfers
from scm.inventory.models import Lot, StockLevel, StockMove, Transfer
from scm.inventory.selectors import lot_locations, scan_lookup
from tests.scm.inventory.factories import (
    ProductFactory,
    ProductUnitFactory,
    WarehouseFactory,
    lot_product,
    serial_product,
)

pytestmark = pytest.mark.django_db


def future(days=90):
    return timezone.localdate() + timedelta(days=days)


def snapshot():
    return (
        list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        StockMove.objects.count(),
        Lot.objects.count(),
        Transfer.objects.count(),
    )


def test_adjust_down_writes_a_move_with_the_reason_and_an_audit_row():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    move = services.stock_adjust(product=product, warehouse=wh, quantity=-3, reason="broken in aisle 4")
    assert (move.kind, move.quantity, move.reason) == ("adjustment", -3, "broken in aisle 4")
    assert StockLevel.objects.get(product=product).on_hand == 7
    assert AuditLog.objects.filter(action="stock.adjustment", object_id=str(move.pk)).exists()


def test_adjust_without_reason_is_refused():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    with pytest.raises(ValidationError) as err:
        services.stock_adjust(product=product, warehouse=wh, quantity=-1, reason=" ")
    assert "reason" in err.value.message_dict


def test_adjust_cannot_take_reserved_stock():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    reservations.stock_reserve(product=product, quantity=4, demand="d:1")
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.stock_adjust(product=product, warehouse=wh, quantity=-2, reason="lost")
    assert "quantity" in err.value.message_dict
    assert snapshot() == before


def test_scrap_of_an_expired_lot_is_allowed():
    product, wh = lot_product(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5, lot_number="L1", expiry_date=future())
    lot = Lot.objects.get(number="L1")
    Lot.objects.filter(pk=lot.pk).update(expiry_date=timezone.localdate() - timedelta(days=1))
    move = services.stock_scrap(product=product, warehouse=wh, quantity=5, lot=lot, reason="expired")
    assert (move.kind, move.quantity) == ("scrap", -5)
    assert StockLevel.objects.get(lot=lot).on_hand == 0


def test_transfer_ships_into_transit_then_arrives():
    product, a, b = ProductFactory(), WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=10)
    transfer = transfers.transfer_create(source=a, destination=b, lines=[{"product": product, "quantity": 4}])
    transfers.transfer_ship(transfer=transfer)
    assert StockLevel.objects.get(warehouse=a).on_hand == 6
    assert not StockLevel.objects.filter(warehouse=b).exists()
    transfers.transfer_receive(transfer=transfer)
    assert StockLevel.objects.get(warehouse=b).on_hand == 4
    kinds = sorted(StockMove.objects.filter(reference=transfer.number).values_list("kind", flat=True))
    assert kinds == ["transfer_in", "transfer_out"]


def test_transfer_is_received_only_once():
    product, a, b = ProductFactory(), WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=10)
    transfer = transfers.stock_transfer(product=product, source=a, destination=b, quantity=2)
    transfers.transfer_receive(transfer=transfer)
    with pytest.raises(ValidationError) as err:
        transfers.transfer_receive(transfer=Transfer.objects.get(pk=transfer.pk))
    assert "state" in err.value.message_dict
    assert StockLevel.objects.get(warehouse=b).on_hand == 2


def test_transfer_ship_is_all_or_nothing_when_a_line_is_short():
    p1, p2 = ProductFactory(), ProductFactory()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=p1, warehouse=a, quantity=10)
    services.stock_receive(product=p2, warehouse=a, quantity=1)
    transfer = transfers.transfer_create(
        source=a, destination=b, lines=[{"product": p1, "quantity": 5}, {"product": p2, "quantity": 2}]
    )
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        transfers.transfer_ship(transfer=transfer)
    assert "lines" in err.value.message_dict
    assert snapshot() == before
    assert Transfer.objects.get(pk=transfer.pk).state == "draft"


def test_serial_is_a_lot_of_one_and_lot_location_follows_it():
    product = serial_product()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=1, lot_number="SN-1")
    lot = Lot.objects.get(number="SN-1")
    transfer = transfers.stock_transfer(product=product, source=a, destination=b, quantity=1, lot=lot)
    assert lot_locations(lot_id=lot.pk)["in_transit"][0].transfer == transfer
    transfers.transfer_receive(transfer=transfer)
    assert [lv.warehouse.code for lv in lot_locations(lot_id=lot.pk)["levels"]] == ["B"]


def test_serial_in_transit_cannot_be_received_elsewhere():
    product = serial_product()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=1, lot_number="SN-2")
    lot = Lot.objects.get(number="SN-2")
    transfers.stock_transfer(product=product, source=a, destination=b, quantity=1, lot=lot)
    with pytest.raises(ValidationError) as err:
        services.stock_receive(
            product=product, warehouse=a, quantity=1, lot_number="SN-2", kind=StockMove.Kind.RETURN
        )
    assert "lot_number" in err.value.message_dict


def test_database_refuses_a_serial_in_two_warehouses():
    from django.db import IntegrityError, transaction

    product = serial_product()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=1, lot_number="SN-3")
    lot = Lot.objects.get(number="SN-3")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(product=product, warehouse=b, lot=lot, serial=True, on_hand=1)


def test_box_barcode_scans_as_its_unit():
    unit = ProductUnitFactory(factor=Decimal(24), barcode="6900000000024")
    scan = scan_lookup(code="6900000000024")
    assert (scan.product, scan.unit, scan.factor) == (unit.product, unit, 24)


def test_receiving_two_boxes_stores_48_base_units():
    unit = ProductUnitFactory(factor=Decimal(24))
    wh = WarehouseFactory()
    services.stock_receive(product=unit.product, warehouse=wh, quantity=2, unit=unit, unit_cost="48.00")
    assert StockLevel.objects.get(product=unit.product).on_hand == 48


def test_reserving_one_box_reserves_24_base_units():
    unit = ProductUnitFactory(factor=Decimal(24))
    wh = WarehouseFactory()
    services.stock_receive(product=unit.product, warehouse=wh, quantity=48)
    reservations.stock_reserve(product=unit.product, quantity=1, unit=unit, demand="box:1")
    assert StockLevel.objects.get(product=unit.product).reserved == 24


def test_receipt_updates_moving_average_cost():
    product, wh = ProductFactory(cost=Decimal("10")), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10, unit_cost="10")
    services.stock_receive(product=product, warehouse=wh, quantity=10, unit_cost="20")
    product.refresh_from_db()
    assert product.cost == Decimal("15.0000")


# --- every bad input of the issue: a field error, nothing written -----------------------------


def _bad(call, field):
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        call()
    assert field in err.value.message_dict, err.value.message_dict
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, "-0.5", "abc"])
def test_receive_refuses_zero_negative_or_non_numbers(quantity):
    product, wh = ProductFactory(), WarehouseFactory()
    _bad(lambda: services.stock_receive(product=product, warehouse=wh, quantity=quantity), "quantity")


def test_reserve_refuses_negative_quantity():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    _bad(lambda: reservations.stock_reserve(product=product, quantity=-1, demand="x"), "quantity")


def test_unknown_barcode_names_the_barcode_field():
    with pytest.raises(ValidationError) as err:
        scan_lookup(code="000-nothing")
    assert "barcode" in err.value.message_dict


def test_lot_tracked_product_without_lot_is_refused():
    product, wh = lot_product(), WarehouseFactory()
    _bad(lambda: services.stock_receive(product=product, warehouse=wh, quantity=5), "lot_number")


def test_receiving_an_expired_lot_is_refused():
    product, wh = lot_product(), WarehouseFactory()
    yesterday = timezone.localdate() - timedelta(days=1)
    _bad(
        lambda: services.stock_receive(
            product=product, warehouse=wh, quantity=5, lot_number="OLD", expiry_date=yesterday
        ),
        "expiry_date",
    )


def test_serial_received_twice_is_refused():
    product, wh = serial_product(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=1, lot_number="SN-9")
    _bad(
        lambda: services.stock_receive(product=product, warehouse=wh, quantity=1, lot_number="SN-9"),
        "lot_number",
    )


def test_serial_received_again_after_it_shipped_is_still_refused_as_a_receipt():
    product, wh = serial_product(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=1, lot_number="SN-10")
    lot = Lot.objects.get(number="SN-10")
    reservations.stock_reserve(product=product, quantity=1, demand="o:1")
    reservations.stock_consume(demand="o:1", warehouse=wh, quantity=1, lot=lot)
    _bad(
        lambda: services.stock_receive(product=product, warehouse=wh, quantity=1, lot_number="SN-10"),
        "lot_number",
    )


def test_fraction_of_a_unit_that_cannot_be_split_is_refused():
    unit = ProductUnitFactory(factor=Decimal(24), divisible=False)
    wh = WarehouseFactory()
    _bad(
        lambda: services.stock_receive(product=unit.product, warehouse=wh, quantity="1.5", unit=unit),
        "quantity",
    )


def test_transfer_to_the_same_warehouse_is_refused():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    _bad(
        lambda: transfers.stock_transfer(product=product, source=wh, destination=wh, quantity=1),
        "destination",
    )


def test_transfer_of_more_than_available_is_refused():
    product, a, b = ProductFactory(), WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=5)
    _bad(lambda: transfers.stock_transfer(product=product, source=a, destination=b, quantity=6), "lines")


def test_scrap_of_more_than_available_is_refused():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    _bad(
        lambda: services.stock_scrap(product=product, warehouse=wh, quantity=6, reason="dropped"),
        "quantity",
    )


def test_reserving_more_than_available_all_or_nothing_is_refused():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    _bad(
        lambda: reservations.stock_reserve(product=product, quantity=6, demand="x", partial=False),
        "quantity",
    )


def test_falling_below_the_reorder_point_publishes_one_event():
    from core.events.models import Event

    product, wh = ProductFactory(reorder_point=10, reorder_quantity=50), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=12)
    reservations.stock_reserve(product=product, quantity=1, demand="o:1")
    assert not Event.objects.filter(name=names.STOCK_BELOW_REORDER_POINT).exists()
    reservations.stock_reserve(product=product, quantity=2, demand="o:2")
    reservations.stock_reserve(product=product, quantity=1, demand="o:3")
    events = Event.objects.filter(name=names.STOCK_BELOW_REORDER_POINT)
    assert [e.payload["available"] for e in events] == ["9.000"]


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("10.000"), "10"), (Decimal("2.500"), "2.5"), (100, "100")]
)
def test_quantities_in_messages_are_plain_numbers(value, text):
    assert services.plain_qty(value) == text


def test_a_transfer_number_comes_from_the_counter_of_the_year():
    year = timezone.localdate().year
    number_at_least(prefix="TR", year=year, value=99)
    transfer = transfers.transfer_create(
        source=WarehouseFactory(code="A"), destination=WarehouseFactory(code="B")
    )
    assert transfer.number == f"TR-{year}-000100"
