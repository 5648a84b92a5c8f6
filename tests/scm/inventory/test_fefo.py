"""Which stock is taken first has one definition (``holding.fefo_order``), and every
reservation path takes stock in that order: warehouses in the order given, then within a
warehouse the earliest expiry first, stock without an expiry after every dated lot, ties by the
level's id; an expired lot never."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from scm.inventory import holding, reservations, services
from scm.inventory.models import Lot
from tests.scm.inventory.factories import WarehouseFactory, lot_product

TODAY = date(2026, 3, 1)


def _row(pk, warehouse_id, expiry):
    return {"pk": pk, "warehouse_id": warehouse_id, "expiry": expiry}


def _order(rows, warehouse_ids=None):
    return [r["pk"] for r in holding.fefo_order(rows, warehouse_ids=warehouse_ids, today=TODAY)]


def test_the_earliest_expiry_is_taken_first():
    rows = [_row(1, 1, TODAY + timedelta(days=30)), _row(2, 1, TODAY + timedelta(days=10))]
    assert _order(rows) == [2, 1]


def test_stock_without_an_expiry_comes_after_every_dated_lot():
    rows = [_row(1, 1, None), _row(2, 1, date(2099, 12, 31)), _row(3, 1, TODAY)]
    assert _order(rows) == [3, 2, 1]


def test_an_expired_lot_is_never_taken_and_one_expiring_today_still_is():
    rows = [_row(1, 1, TODAY - timedelta(days=1)), _row(2, 1, TODAY)]
    assert _order(rows) == [2]


def test_ties_go_to_the_older_level():
    rows = [_row(7, 1, TODAY), _row(3, 1, TODAY), _row(5, 1, None), _row(4, 1, None)]
    assert _order(rows) == [3, 7, 4, 5]


def test_the_warehouse_order_comes_before_expiry_and_other_warehouses_are_left_out():
    rows = [_row(1, 10, TODAY), _row(2, 20, None), _row(3, 20, TODAY + timedelta(days=1)), _row(4, 30, TODAY)]
    assert _order(rows, warehouse_ids=[20, 10]) == [3, 2, 1]


def test_without_a_warehouse_order_every_warehouse_counts_alike():
    rows = [_row(1, 10, TODAY + timedelta(days=9)), _row(2, 20, TODAY + timedelta(days=1))]
    assert _order(rows) == [2, 1]


# --- every reservation path takes stock in that order ----------------------------------------


def _stock_reserve(product, quantity, warehouse_ids):
    return reservations.stock_reserve(
        product=product, quantity=quantity, demand="test:1", warehouse_ids=warehouse_ids
    )


def _reserve_many(product, quantity, warehouse_ids):
    return reservations.stock_reserve_many(
        demands=[("test:1", product, quantity)], warehouse_ids=warehouse_ids
    )["test:1"]


def _reserve_many_per_demand(product, quantity, warehouse_ids):
    if warehouse_ids is None:
        pytest.skip("each demand's own warehouse order is a list")
    return reservations.stock_reserve_many(
        demands=[("test:1", product, quantity)], warehouse_ids_by_demand=[warehouse_ids]
    )["test:1"]


PATHS = {
    "stock_reserve": _stock_reserve,
    "stock_reserve_many": _reserve_many,
    "stock_reserve_many, a warehouse order per demand": _reserve_many_per_demand,
}


@pytest.fixture
def stocked(db):
    """Two units of each lot: in the near warehouse an expired lot, one without an expiry date,
    two expiring the same day (received in that order) and one expiring sooner; in the far
    warehouse the soonest of all."""
    product = lot_product()
    near, far = WarehouseFactory(code="NEAR"), WarehouseFactory(code="FAR")
    today = timezone.localdate()
    for warehouse, number, days in (
        (near, "EXPIRED", 5),
        (near, "NO-EXPIRY", 400),
        (near, "D30-A", 30),
        (near, "D30-B", 30),
        (near, "D10", 10),
        (far, "D2", 2),
    ):
        services.stock_receive(
            product=product,
            warehouse=warehouse,
            quantity=2,
            lot_number=number,
            expiry_date=today + timedelta(days=days),
        )
    Lot.objects.filter(product=product, number="EXPIRED").update(expiry_date=today - timedelta(days=1))
    Lot.objects.filter(product=product, number="NO-EXPIRY").update(expiry_date=None)
    return {"product": product, "near": near, "far": far}


def _taken(stocked, allocations):
    lots = dict(Lot.objects.filter(product=stocked["product"]).values_list("pk", "number"))
    return [(lots[a.lot_id], a.quantity) for a in allocations]


@pytest.mark.parametrize("path", PATHS)
def test_every_path_takes_the_warehouses_in_order_each_first_expiry_first_out(path, stocked):
    allocations = PATHS[path](stocked["product"], Decimal(9), [stocked["near"].pk, stocked["far"].pk])
    assert _taken(stocked, allocations) == [
        ("D10", 2),
        ("D30-A", 2),
        ("D30-B", 2),
        ("NO-EXPIRY", 2),
        ("D2", 1),
    ]


@pytest.mark.parametrize("path", PATHS)
def test_every_path_without_a_warehouse_order_takes_the_soonest_expiry_anywhere(path, stocked):
    allocations = PATHS[path](stocked["product"], Decimal(5), None)
    assert _taken(stocked, allocations) == [("D2", 2), ("D10", 2), ("D30-A", 1)]


@pytest.mark.parametrize("path", PATHS)
def test_no_path_takes_an_expired_lot_even_when_short(path, stocked):
    allocations = PATHS[path](stocked["product"], Decimal(50), [stocked["near"].pk, stocked["far"].pk])
    assert "EXPIRED" not in {lot for lot, _qty in _taken(stocked, allocations)}
    assert sum(a.quantity for a in allocations) == 10
