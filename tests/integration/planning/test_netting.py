"""Suggestions from plans: every figure of the position counted once, transfers from the
nearest warehouse with a surplus before a purchase, purchases rounded to packs and the minimum
order, and open suggestions kept current instead of repeated."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from integration.planning import engine, netting
from integration.planning.models import Suggestion
from scm.inventory.incoming import incoming_supply_set
from scm.inventory.reservations import stock_reserve
from tests.integration.fulfilment.factories import receive, three_warehouses
from tests.integration.planning.factories import PlanOverrideFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wh():
    return three_warehouses()


@pytest.fixture
def product():
    return ProductFactory()


@pytest.fixture
def no_backorders(monkeypatch):
    waiting = {}
    monkeypatch.setattr(netting.history, "backorders_by_warehouse", lambda ids: waiting)
    return waiting


def _override(product, warehouse, point, up_to):
    PlanOverrideFactory(product=product, warehouse=warehouse, reorder_point=point, order_up_to=up_to)


def _open(**filters):
    return list(Suggestion.objects.filter(state=Suggestion.State.OPEN, **filters).order_by("kind", "pk"))


def test_on_hand_reserved_incoming_and_backorders_are_each_counted_once(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    receive(product, wh["GZ"], 30)
    stock_reserve(product=product, quantity=Decimal(10), demand="order:1", warehouse_ids=[wh["GZ"].pk])
    incoming_supply_set(
        reference="PO-1:1",
        product_id=product.pk,
        warehouse_id=wh["GZ"].pk,
        quantity=Decimal(15),
        expected_date=timezone.localdate() + timedelta(days=3),
    )
    no_backorders[(product.pk, wh["GZ"].pk)] = {"quantity": Decimal(5), "orders": ["SO-9"]}
    _override(product, wh["GZ"], 40, 100)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert s.reasons["position"] == "30"  # 30 − 10 + 15 − 5
    assert (s.kind, s.quantity) == (Suggestion.Kind.PURCHASE, Decimal(70))
    assert s.reasons["short_orders"] == ["SO-9"]


def test_a_purchase_is_rounded_up_to_packs_and_the_minimum_order(wh, product, no_backorders):
    box = ProductUnitFactory(product=product, name="箱", factor=Decimal(12))
    SupplierProductFactory(product=product, unit=box, pack_size=Decimal(5), min_order_quantity=Decimal(10))
    _override(product, wh["GZ"], 10, 23)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    # 23 pieces = 2 boxes, at least 10 boxes, in packs of 5: 10 boxes = 120 pieces
    assert (s.order_quantity, s.quantity) == (Decimal(10), Decimal(120))


def test_a_warehouse_with_a_surplus_covers_the_need_before_a_purchase(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    receive(product, wh["SH"], 30)  # no plan in 上海: all of it is surplus
    _override(product, wh["GZ"], 40, 50)
    engine.planning_run(product_ids=[product.pk])
    purchase, transfer = _open(product=product)  # by kind: purchase before transfer
    assert (transfer.kind, transfer.source_warehouse, transfer.warehouse, transfer.quantity) == (
        Suggestion.Kind.TRANSFER,
        wh["SH"],
        wh["GZ"],
        Decimal(30),
    )
    assert (purchase.kind, purchase.quantity) == (Suggestion.Kind.PURCHASE, Decimal(20))


def test_the_nearest_warehouse_with_a_surplus_gives_first(wh, product, no_backorders):
    receive(product, wh["BJ"], 100)
    receive(product, wh["SH"], 100)
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert (s.source_warehouse, s.quantity) == (wh["SH"], Decimal(40))  # 上海 is nearer 广州 than 北京


def test_a_warehouse_keeps_what_its_own_plan_needs(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    receive(product, wh["SH"], 30)
    _override(product, wh["SH"], 10, 18)  # 上海 keeps 18 of its 30
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    transfer = _open(product=product, kind=Suggestion.Kind.TRANSFER)[0]
    assert transfer.quantity == Decimal(12)


def test_a_second_run_updates_the_open_suggestion_instead_of_adding_one(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    receive(product, wh["GZ"], 5)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert s.quantity == Decimal(35)
    assert Suggestion.objects.count() == 1


def test_a_suggestion_no_longer_needed_expires_and_is_kept(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    receive(product, wh["GZ"], 50)
    engine.planning_run(product_ids=[product.pk])
    assert _open(product=product) == []
    assert Suggestion.objects.get().state == Suggestion.State.EXPIRED


def test_a_product_without_a_supplier_gets_a_purchase_suggestion_with_a_warning(wh, product, no_backorders):
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert s.supplier is None and s.quantity == Decimal(40)
    assert [w["key"] for w in s.warnings] == ["no_supplier"]


def test_a_backorder_without_any_plan_is_suggested_for_what_is_short(wh, product, no_backorders):
    SupplierProductFactory(product=product, supplier=SupplierFactory(), pack_size=1, min_order_quantity=0)
    no_backorders[(product.pk, wh["BJ"].pk)] = {"quantity": Decimal(7), "orders": ["SO-1"]}
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert (s.warehouse, s.quantity) == (wh["BJ"], Decimal(7))


def test_a_surplus_too_small_to_matter_is_left_to_the_purchase(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    receive(product, wh["SH"], 3)  # 3 of a need of 40: not worth a transfer
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert (s.kind, s.quantity) == (Suggestion.Kind.PURCHASE, Decimal(40))


def test_a_supplier_without_a_price_for_the_quantity_is_warned_about(wh, product, no_backorders):
    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)  # no price at all
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert [w["key"] for w in s.warnings] == ["no_price"]


def test_a_supplier_with_a_price_raises_no_warning(wh, product, no_backorders):
    sp = SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    SupplierPriceFactory(supplier_product=sp)
    _override(product, wh["GZ"], 10, 40)
    engine.planning_run(product_ids=[product.pk])
    (s,) = _open(product=product)
    assert s.warnings == []


def test_a_run_that_meets_another_runs_suggestion_runs_its_chunk_again(
    wh, product, no_backorders, monkeypatch
):
    from django.db import IntegrityError

    SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    _override(product, wh["GZ"], 10, 40)
    real, calls = netting.suggestions_refresh, []

    def clashing(ids, **kwargs):
        calls.append(ids)
        if len(calls) == 1:  # as when another run's open suggestion was written first
            raise IntegrityError(
                "duplicate key value violates unique constraint suggestion_one_open_purchase"
            )
        return real(ids, **kwargs)

    monkeypatch.setattr(netting, "suggestions_refresh", clashing)
    engine.planning_run(product_ids=[product.pk])
    assert len(calls) == 2
    assert [s.quantity for s in _open(product=product)] == [Decimal(40)]
