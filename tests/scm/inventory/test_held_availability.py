"""A lot on hold is still on hand but never available: every availability figure leaves it out
(one definition, ``holding.free_level_q``) and the stock pages show it apart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.events.models import Event
from scm.inventory import holding, holds, reservations, selectors, services
from scm.inventory.models import StockLevel
from tests.scm.inventory.factories import WarehouseFactory, lot_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock():
    """A lot product in one warehouse: lot GOOD of 5 and lot BAD of 7, BAD on hold."""
    product, wh = lot_product(reorder_point=Decimal(20)), WarehouseFactory(code="SH")
    expiry = timezone.localdate() + timedelta(days=365)
    for number, qty in (("GOOD", 5), ("BAD", 7)):
        services.stock_receive(
            product=product, warehouse=wh, quantity=qty, lot_number=number, expiry_date=expiry
        )
    bad = product.lots.get(number="BAD")
    holds.lot_hold(lot=bad, reason="卡纸", user=None)
    return {"product": product, "wh": wh, "bad": bad}


def test_available_to_promise_leaves_a_held_lot_out_and_shows_it_on_hold(stock):
    [row] = selectors.available_to_promise(product_id=stock["product"].pk)
    assert (row["on_hand"], row["available"], row["held"]) == (12, 5, 7)


def test_available_total_leaves_a_held_lot_out(stock):
    assert selectors.available_total(product_id=stock["product"].pk) == 5


def test_available_at_a_held_lot_is_nothing(stock):
    p, wh = stock["product"], stock["wh"]
    assert selectors.available_at(product_id=p.pk, warehouse_id=wh.pk, lot_id=stock["bad"].pk) == 0
    assert selectors.available_at(product_id=p.pk, warehouse_id=wh.pk) == 5


def test_product_list_counts_the_held_lot_on_hand_and_on_hold_not_available(stock):
    row = selectors.product_list().get(pk=stock["product"].pk)
    assert (row.on_hand_total, row.available_total, row.on_hold_total) == (12, 5, 7)


def test_low_stock_sees_only_what_is_free(stock):
    assert stock["product"] in list(selectors.low_stock())


def test_stock_by_warehouse_and_overview_leave_the_held_lot_out_of_available(stock):
    [row] = selectors.stock_by_warehouse(product_id=stock["product"].pk)
    assert (row["total_on_hand"], row["total_available"], row["total_held"]) == (12, 5, 7)
    levels = {lv.lot.number: lv.available for lv in selectors.stock_overview()}
    assert levels == {"GOOD": 5, "BAD": 0}


def test_stock_level_api_answers_nothing_available_for_a_held_lot(stock, api_client, sales_user):
    api_client.force_authenticate(sales_user)
    body = api_client.get("/api/v1/inventory/stock-levels/", {"product": stock["product"].pk}).json()
    assert {r["lot"]: Decimal(r["available"]) for r in body["results"]} == {
        stock["product"].lots.get(number="GOOD").pk: 5,
        stock["bad"].pk: 0,
    }


def test_low_stock_signal_counts_only_free_stock(stock):
    """Reserving 1 of GOOD drops free stock 5 → 4; the held 7 must not hide the crossing."""
    product = stock["product"]
    product.reorder_point = Decimal(5)
    product.save(update_fields=["reorder_point"])
    reservations.stock_reserve(product=product, quantity=1, demand="test:1")
    assert Event.objects.filter(name="stock.below_reorder_point").exists()


def test_the_one_definition_matches_the_reservation_sql(stock):
    free = StockLevel.objects.filter(holding.free_level_q()).values_list("lot__number", flat=True)
    candidates = holding.candidate_levels(stock["product"].pk, None)
    assert list(free) == ["GOOD"] and [c["lot_id"] for c in candidates] == [
        stock["product"].lots.get(number="GOOD").pk
    ]


def test_stock_pages_show_the_held_lot_apart(stock, client, manager_user):
    client.force_login(manager_user)
    overview = client.get(reverse("inventory:stock")).content.decode()
    assert 'data-testid="held-badge"' in overview
    detail = client.get(reverse("inventory:product_detail", args=[stock["product"].pk])).content.decode()
    assert 'data-testid="held-quantity"' in detail
    products = client.get(reverse("inventory:products")).content.decode()
    assert 'data-testid="held-quantity"' in products
