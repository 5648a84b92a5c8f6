"""The put-away rule (a bin holding the product, the same lot first; else an empty bin of its
category's zone; else the first empty bin) and the put-away tablet screen."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from scm.inventory import locations, putaway, services
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import LocationStock, StockMove
from tests.scm.inventory.bins_helpers import bin_at, held
from tests.scm.inventory.factories import CategoryFactory, ProductFactory, WarehouseFactory, lot_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _suggest(wh, product, lot=None):
    return putaway.put_away_suggestion(warehouse=wh, product=product, lot=lot)


def test_a_warehouse_without_bins_has_no_suggestion():
    wh, product = WarehouseFactory(), ProductFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    assert _suggest(wh, product) is None


def test_the_bin_already_holding_the_product_comes_first():
    wh, product = WarehouseFactory(), ProductFactory()
    bin_at(wh, "A", 1)
    b2 = bin_at(wh, "A", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=5, location=b2)
    assert _suggest(wh, product) == b2


def test_the_bin_holding_the_same_lot_comes_before_another_lots():
    wh, product = WarehouseFactory(), lot_product()
    b1, b2 = bin_at(wh, "A", 1), bin_at(wh, "A", 2)
    services.stock_receive(
        product=product, warehouse=wh, quantity=5, lot_number="L1", expiry_date=date(2030, 1, 1), location=b1
    )
    move = services.stock_receive(
        product=product, warehouse=wh, quantity=5, lot_number="L2", expiry_date=date(2030, 2, 1), location=b2
    )
    assert _suggest(wh, product, lot=move.lot) == b2
    assert _suggest(wh, product) == b1


def test_without_a_bin_holding_it_an_empty_bin_of_its_categorys_zone():
    wh, category = WarehouseFactory(), CategoryFactory()
    bin_at(wh, "A", 1)
    b_full, b_empty = bin_at(wh, "B", 1), bin_at(wh, "B", 2)
    services.stock_receive(
        product=ProductFactory(category=category), warehouse=wh, quantity=3, location=b_full
    )
    assert _suggest(wh, ProductFactory(category=category)) == b_empty


def test_the_zone_holding_most_of_the_category_wins():
    wh, category = WarehouseFactory(), CategoryFactory()
    a1 = bin_at(wh, "A", 1)
    bin_at(wh, "A", 2)
    b1, b2, b3 = bin_at(wh, "B", 1), bin_at(wh, "B", 2), bin_at(wh, "B", 3)
    for location in (a1, b1, b2):
        services.stock_receive(
            product=ProductFactory(category=category), warehouse=wh, quantity=1, location=location
        )
    assert _suggest(wh, ProductFactory(category=category)) == b3


def test_otherwise_the_first_empty_bin_in_walk_order():
    wh = WarehouseFactory()
    first = bin_at(wh, "C", 1, sequence=5)
    bin_at(wh, "A", 1, sequence=50)
    services.stock_receive(product=ProductFactory(), warehouse=wh, quantity=1, location=first)
    later = bin_at(wh, "B", 1, sequence=20)
    assert _suggest(wh, ProductFactory()) == later


def test_inactive_bins_are_never_suggested():
    wh, product = WarehouseFactory(), ProductFactory()
    bin_at(wh, "A", 1, is_active=False)
    b2 = bin_at(wh, "A", 2)
    assert _suggest(wh, product) == b2


def test_suggestions_for_many_products_cost_the_same_queries():
    wh, category = WarehouseFactory(), CategoryFactory()
    for n in range(1, 6):
        bin_at(wh, "A", n)
    few = [(ProductFactory(category=category), None) for _ in range(2)]
    many = few + [(ProductFactory(category=CategoryFactory()), None) for _ in range(12)]
    with CaptureQueriesContext(connection) as small:
        putaway.put_away_suggestions(warehouse=wh, items=few)
    with CaptureQueriesContext(connection) as large:
        result = putaway.put_away_suggestions(warehouse=wh, items=many)
    assert len(large.captured_queries) <= len(small.captured_queries)
    assert len(result) == len(many)


def test_not_put_away_lists_what_no_bin_holds():
    wh, product = WarehouseFactory(), ProductFactory()
    b1 = bin_at(wh, "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    locations.stock_relocate(product=product, warehouse=wh, quantity=4, to_location=b1)
    rows = list(putaway.not_put_away(warehouse_id=wh.pk))
    assert [(r.product_id, r.to_put_away) for r in rows] == [(product.pk, Decimal(6))]


# --- the tablet screen ------------------------------------------------------------------


@pytest.fixture
def world(client, warehouse_user):
    wh = WarehouseFactory(code="BJ")
    product = ProductFactory(sku="PEN-1", barcode="6900000000011")
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    client.force_login(warehouse_user)
    return {
        "wh": wh,
        "product": product,
        "a1": bin_at(wh, "A", 1),
        "a2": bin_at(wh, "A", 2),
        "client": client,
    }


def _scan(w, code, **extra):
    data = {"warehouse": w["wh"].pk, "code": code, **extra}
    with translation.override("en"):
        return w["client"].post(reverse("inventory:tablet_put_away_scan"), data).content.decode()


def test_scanning_the_product_shows_its_bin_and_moves_nothing(world):
    html = _scan(world, "6900000000011")
    assert 'data-testid="suggested-bin">A-01<' in html
    assert not LocationStock.objects.exists()


def test_product_then_bin_puts_everything_waiting_away(world):
    _scan(world, "6900000000011")
    html = _scan(world, world["a2"].barcode)
    assert 'data-ok="1"' in html
    assert held(world["a2"], world["product"]) == 10
    assert stock_differences() == []


def test_bin_then_product_puts_the_typed_quantity_away_and_keeps_the_bin(world):
    _scan(world, "BJ-A-01")
    html = _scan(world, "PEN-1", quantity="3")
    assert held(world["a1"], world["product"]) == 3
    assert 'data-held="A-01"' in html
    assert StockMove.objects.filter(kind="relocation").count() == 2


def test_tapping_a_row_waits_for_its_bin(world):
    level = world["product"].stock_levels.get()
    with translation.override("en"):
        html = (
            world["client"]
            .post(reverse("inventory:tablet_put_away_scan"), {"warehouse": world["wh"].pk, "row": level.pk})
            .content.decode()
        )
    assert 'data-pending="PEN-1"' in html
    _scan(world, "BJ-A-02")
    assert held(world["a2"], world["product"]) == 10


def test_a_bin_of_another_warehouse_is_refused(world):
    other = bin_at(WarehouseFactory(code="GZ"), "A", 1)
    _scan(world, "PEN-1")
    html = _scan(world, other.barcode)
    assert 'data-ok="0"' in html and "another warehouse" in html
    assert not LocationStock.objects.exists()


def test_an_unknown_bin_code_after_the_product_is_refused(world):
    _scan(world, "PEN-1")
    html = _scan(world, "Z-99-99")
    assert 'data-ok="0"' in html and "Unknown location" in html
    assert not LocationStock.objects.exists()


@pytest.mark.parametrize("quantity", ["-1", "NaN", "1e30", "²", "11"])
def test_a_bad_quantity_is_refused_and_nothing_moves(world, quantity):
    _scan(world, "PEN-1")
    html = _scan(world, "BJ-A-01", quantity=quantity)
    assert 'data-ok="0"' in html
    assert not LocationStock.objects.exists()
    assert not StockMove.objects.filter(kind="relocation").exists()


def test_the_screen_costs_the_same_queries_for_more_rows(world, django_assert_max_num_queries):
    client = world["client"]
    url = reverse("inventory:tablet_put_away")
    services.stock_receive(
        product=ProductFactory(category=CategoryFactory()), warehouse=world["wh"], quantity=2
    )
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(10):
        services.stock_receive(
            product=ProductFactory(category=CategoryFactory()), warehouse=world["wh"], quantity=2
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="waiting-row"') == 8
