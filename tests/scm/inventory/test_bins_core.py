"""Bins move with the ledger: receipts into a bin, shipping out of one, put-away, and stock that
leaves without naming a bin taking what the implicit location lacks from the bins."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from scm.inventory import bins, locations, reservations, services
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import Location, LocationStock, StockLevel, StockMove
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def _bin(warehouse, code, sequence, barcode=""):
    return Location.objects.create(
        warehouse=warehouse, code=code, zone=code[0], sequence=sequence, barcode=barcode
    )


def _held(location, product):
    return (
        LocationStock.objects.filter(location=location, product=product)
        .values_list("on_hand", flat=True)
        .first()
    )


def test_receiving_into_a_bin_puts_the_stock_there_and_the_move_names_it():
    wh, product = WarehouseFactory(), ProductFactory()
    a1 = _bin(wh, "A-01", 10)
    move = services.stock_receive(product=product, warehouse=wh, quantity=12, location=a1)
    assert move.location_id == a1.pk
    assert _held(a1, product) == 12
    assert stock_differences() == []


def test_a_bin_of_another_warehouse_is_refused_on_receipt_and_nothing_is_written():
    wh, other, product = WarehouseFactory(), WarehouseFactory(), ProductFactory()
    elsewhere = _bin(other, "A-01", 1)
    with pytest.raises(ValidationError) as err:
        services.stock_receive(product=product, warehouse=wh, quantity=1, location=elsewhere)
    assert "location" in err.value.message_dict
    assert not StockMove.objects.exists() and not StockLevel.objects.exists()


def test_put_away_moves_stock_from_the_implicit_location_into_a_bin_and_nets_to_zero():
    wh, product = WarehouseFactory(), ProductFactory()
    a1 = _bin(wh, "A-01", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    out, into = locations.stock_relocate(product=product, warehouse=wh, quantity=6, to_location=a1)
    assert (out.quantity, out.location_id, into.quantity, into.location_id) == (-6, None, 6, a1.pk)
    assert _held(a1, product) == 6
    assert locations.implicit_quantity(product_id=product.pk, warehouse_id=wh.pk, lot_id=None) == 4
    assert StockLevel.objects.get(product=product, warehouse=wh).on_hand == 10
    assert stock_differences() == []


def test_putting_away_more_than_waits_in_the_implicit_location_is_refused():
    wh, product = WarehouseFactory(), ProductFactory()
    a1, a2 = _bin(wh, "A-01", 1), _bin(wh, "A-02", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=5, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=2)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        locations.stock_relocate(product=product, warehouse=wh, quantity=3, to_location=a2)
    assert "Only 2" in err.value.message_dict["quantity"][0]
    assert _held(a2, product) is None


def test_moving_more_than_a_bin_holds_is_refused():
    wh, product = WarehouseFactory(), ProductFactory()
    a1, a2 = _bin(wh, "A-01", 1), _bin(wh, "A-02", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=5, location=a1)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        locations.stock_relocate(product=product, warehouse=wh, quantity=6, from_location=a1, to_location=a2)
    assert "A-01 holds only 5" in err.value.message_dict["quantity"][0]
    assert _held(a1, product) == 5


def test_shipping_from_a_bin_takes_the_goods_out_of_that_bin():
    wh, product = WarehouseFactory(), ProductFactory()
    a1, a2 = _bin(wh, "A-01", 1), _bin(wh, "A-02", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=5, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=5, location=a2)
    reservations.stock_reserve(product=product, quantity=Decimal(4), demand="line:1", warehouse_ids=[wh.pk])
    move = reservations.stock_consume(demand="line:1", warehouse=wh, quantity=Decimal(4), location=a2)
    assert move.location_id == a2.pk
    assert (_held(a1, product), _held(a2, product)) == (5, 1)
    assert stock_differences() == []


def test_shipping_without_a_bin_takes_what_the_implicit_location_lacks_from_the_bins_in_pick_order():
    wh, product = WarehouseFactory(), ProductFactory()
    late, early = _bin(wh, "B-01", 20), _bin(wh, "A-01", 10)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=late)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=early)
    services.stock_receive(product=product, warehouse=wh, quantity=1)
    reservations.stock_reserve(product=product, quantity=Decimal(5), demand="line:1", warehouse_ids=[wh.pk])
    reservations.stock_consume(demand="line:1", warehouse=wh, quantity=Decimal(5))
    assert (_held(early, product), _held(late, product)) == (0, 2)
    assert stock_differences() == []


def test_an_adjustment_that_names_no_bin_draws_from_the_bins():
    wh, product = WarehouseFactory(), ProductFactory()
    a1 = _bin(wh, "A-01", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=4, location=a1)
    services.stock_adjust(product=product, warehouse=wh, quantity=-3, reason="broken")
    assert _held(a1, product) == 1
    assert stock_differences() == []


def test_a_warehouse_without_bins_writes_no_relocation_moves():
    wh, product = WarehouseFactory(), ProductFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=4)
    services.stock_scrap(product=product, warehouse=wh, quantity=1, reason="broken")
    assert not StockMove.objects.filter(kind=StockMove.Kind.RELOCATION).exists()
    assert list(StockMove.objects.values_list("location_id", flat=True)) == [None, None]


def test_a_count_in_a_bin_adjusts_that_bin():
    wh, product = WarehouseFactory(), ProductFactory()
    a1 = _bin(wh, "A-01", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=4, location=a1)
    services.stock_adjust(product=product, warehouse=wh, quantity=2, reason="found", location=a1)
    assert _held(a1, product) == 6
    assert stock_differences() == []


def test_pick_sources_follow_the_pick_sequence_then_the_implicit_location():
    wh, product = WarehouseFactory(), ProductFactory()
    late, early = _bin(wh, "B-01", 20), _bin(wh, "A-01", 10)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=late)
    services.stock_receive(product=product, warehouse=wh, quantity=2, location=early)
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    sources = locations.pick_sources(
        warehouse_id=wh.pk, product_id=product.pk, lot_id=None, quantity=Decimal(7)
    )
    assert [(loc.code if loc else None, qty) for loc, qty in sources] == [("A-01", 2), ("B-01", 3), (None, 2)]


def test_pick_sources_leave_out_what_other_pick_lists_already_take_from_a_bin():
    wh, product = WarehouseFactory(), ProductFactory()
    a1, a2 = _bin(wh, "A-01", 1), _bin(wh, "A-02", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a2)
    sources = locations.pick_sources(
        warehouse_id=wh.pk,
        product_id=product.pk,
        lot_id=None,
        quantity=Decimal(2),
        planned={a1.pk: Decimal(3)},
    )
    assert [(loc.code, qty) for loc, qty in sources] == [("A-02", 2)]


def test_pick_sources_leave_out_what_a_picker_did_not_find_until_the_bin_is_counted():
    wh, product = WarehouseFactory(), ProductFactory()
    a1, a2 = _bin(wh, "A-01", 1), _bin(wh, "A-02", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a2)
    bins.bin_missing(location_id=a1.pk, product_id=product.pk, lot_id=None, base=Decimal(2))
    sources = locations.pick_sources(
        warehouse_id=wh.pk, product_id=product.pk, lot_id=None, quantity=Decimal(3)
    )
    assert [(loc.code, qty) for loc, qty in sources] == [("A-01", 1), ("A-02", 2)]
    bins.bin_counted([(a1.pk, product.pk, None)])
    sources = locations.pick_sources(
        warehouse_id=wh.pk, product_id=product.pk, lot_id=None, quantity=Decimal(3)
    )
    assert [(loc.code, qty) for loc, qty in sources] == [("A-01", 3)]


def test_a_bin_is_never_marked_short_of_more_than_it_holds():
    wh, product = WarehouseFactory(), ProductFactory()
    a1 = _bin(wh, "A-01", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a1)
    bins.bin_missing(location_id=a1.pk, product_id=product.pk, lot_id=None, base=Decimal(5))
    assert LocationStock.objects.get(location=a1).missing == 3


def test_stock_leaving_without_a_bin_draws_what_was_not_found_last():
    wh, product = WarehouseFactory(), ProductFactory()
    a1, a2 = _bin(wh, "A-01", 1), _bin(wh, "A-02", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a2)
    bins.bin_missing(location_id=a1.pk, product_id=product.pk, lot_id=None, base=Decimal(2))
    services.stock_adjust(product=product, warehouse=wh, quantity=-4, reason="transfer")
    assert (_held(a1, product), _held(a2, product)) == (2, 0)
    assert LocationStock.objects.get(location=a1).missing == 2
    services.stock_adjust(product=product, warehouse=wh, quantity=-2, reason="written off")
    assert LocationStock.objects.get(location=a1).missing == 0
    assert stock_differences() == []


def test_a_warehouse_without_bins_picks_everything_from_the_implicit_location():
    wh, product = WarehouseFactory(), ProductFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=3)
    assert locations.pick_sources(
        warehouse_id=wh.pk, product_id=product.pk, lot_id=None, quantity=Decimal(2)
    ) == [(None, Decimal(2))]


def test_a_scanned_bin_is_found_by_barcode_or_code():
    wh = WarehouseFactory()
    a1 = _bin(wh, "A-01-02", 1, barcode="LOC0001")
    assert locations.location_for_scan(warehouse=wh, code="LOC0001") == a1
    assert locations.location_for_scan(warehouse=wh, code="a-01-02") == a1


def test_a_scanned_bin_of_another_warehouse_says_which_warehouse_it_belongs_to():
    wh, other = WarehouseFactory(), WarehouseFactory(name="广州仓")
    _bin(other, "A-01", 1, barcode="LOC0009")
    with translation.override("en"), pytest.raises(ValidationError) as err:
        locations.location_for_scan(warehouse=wh, code="LOC0009")
    assert "belongs to another warehouse" in err.value.message_dict["location"][0]
    assert "广州仓" in err.value.message_dict["location"][0]


def test_an_unknown_bin_code_is_named_in_the_message():
    with translation.override("en"), pytest.raises(ValidationError) as err:
        locations.location_for_scan(warehouse=WarehouseFactory(), code="Z-99")
    assert err.value.message_dict["location"] == ["Unknown location Z-99."]


def test_check_stock_finds_a_bin_that_drifted_from_its_moves():
    wh, product = WarehouseFactory(), ProductFactory()
    a1 = _bin(wh, "A-01", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=4, location=a1)
    LocationStock.objects.filter(location=a1).update(on_hand=9)
    problems = stock_differences()
    assert any("its moves sum to 4" in p for p in problems)
    assert any("more than its 4" in p for p in problems)
