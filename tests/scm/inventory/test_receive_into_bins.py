"""The receive tablet in a warehouse with bins: the product waits for its bin (the suggestion
shown), a bin scanned first takes what follows, "put away later" leaves it in no bin; a
warehouse without bins receives at once, as before."""

import pytest
from django.urls import reverse
from django.utils import translation

from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import LocationStock, StockLevel, StockMove
from tests.scm.inventory.bins_helpers import bin_at, held
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def world(client, warehouse_user):
    client.force_login(warehouse_user)
    return {"client": client, "product": ProductFactory(sku="PEN-1", barcode="6900000000011")}


def _scan(w, wh, code, **extra):
    data = {"warehouse": wh.pk, "code": code, "quantity": "4", **extra}
    with translation.override("en"):
        return w["client"].post(reverse("inventory:tablet_receive_scan"), data).content.decode()


def test_without_bins_a_scan_receives_at_once(world):
    wh = WarehouseFactory()
    html = _scan(world, wh, "6900000000011")
    assert 'data-ok="1"' in html
    move = StockMove.objects.get()
    assert (move.quantity, move.location_id) == (4, None)
    assert not LocationStock.objects.exists()


def test_with_bins_the_product_waits_for_its_bin_and_the_suggestion_shows(world):
    wh = WarehouseFactory()
    bin_at(wh, "A", 1)
    html = _scan(world, wh, "6900000000011")
    assert 'data-pending="6900000000011"' in html and 'data-testid="suggested-bin">A-01<' in html
    assert not StockMove.objects.exists()


def test_the_bin_scanned_after_the_product_receives_into_it(world):
    wh = WarehouseFactory(code="BJ")
    bin_at(wh, "A", 1)
    a2 = bin_at(wh, "A", 2)
    _scan(world, wh, "6900000000011")
    html = _scan(world, wh, "BJ-A-02")
    assert 'data-ok="1"' in html and 'data-held=""' in html
    assert held(a2, world["product"]) == 4
    assert StockMove.objects.get().location_id == a2.pk
    assert stock_differences() == []


def test_a_bin_scanned_first_takes_the_products_that_follow(world):
    wh = WarehouseFactory(code="BJ")
    a1 = bin_at(wh, "A", 1)
    assert 'data-held="A-01"' in _scan(world, wh, "BJ-A-01")
    _scan(world, wh, "6900000000011")
    html = _scan(world, wh, "PEN-1")
    assert held(a1, world["product"]) == 8
    assert 'data-held="A-01"' in html


def test_put_away_later_leaves_it_in_no_bin(world):
    wh = WarehouseFactory()
    bin_at(wh, "A", 1)
    _scan(world, wh, "6900000000011")
    _scan(world, wh, "", dock="1")
    assert StockLevel.objects.get().on_hand == 4
    assert not LocationStock.objects.exists()


def test_a_bin_of_another_warehouse_is_refused_and_nothing_is_received(world):
    wh, other = WarehouseFactory(code="BJ"), WarehouseFactory(code="GZ")
    bin_at(wh, "A", 1)
    bin_at(other, "A", 7)
    _scan(world, wh, "6900000000011")
    html = _scan(world, wh, "GZ-A-07")
    assert 'data-ok="0"' in html and "another warehouse" in html
    assert not StockMove.objects.exists()


def test_an_unknown_bin_code_is_refused(world):
    wh = WarehouseFactory()
    bin_at(wh, "A", 1)
    _scan(world, wh, "6900000000011")
    html = _scan(world, wh, "NO-SUCH-BIN")
    assert 'data-ok="0"' in html and "Unknown location" in html
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("quantity", ["-1", "NaN", "1e30", "²"])
def test_a_bad_quantity_into_a_bin_is_refused(world, quantity):
    wh = WarehouseFactory(code="BJ")
    bin_at(wh, "A", 1)
    _scan(world, wh, "6900000000011")
    html = _scan(world, wh, "BJ-A-01", quantity=quantity)
    assert 'data-ok="0"' in html
    assert not StockMove.objects.exists() and not LocationStock.objects.exists()


def test_the_server_keeps_the_waiting_product_so_a_reload_still_shows_it(world):
    wh = WarehouseFactory()
    bin_at(wh, "A", 1)
    _scan(world, wh, "6900000000011")
    with translation.override("en"):
        page = world["client"].get(reverse("inventory:tablet_receive"), {"warehouse": wh.pk}).content.decode()
    assert 'data-pending="6900000000011"' in page and 'data-testid="suggested-bin">A-01<' in page


def test_the_bin_state_of_one_warehouse_does_not_follow_to_another(world):
    bj, sh = WarehouseFactory(code="BJ"), WarehouseFactory(code="SH")
    bin_at(bj, "A", 1)
    bin_at(sh, "A", 1)
    _scan(world, bj, "6900000000011")
    html = _scan(world, sh, "SH-A-01")
    assert 'data-held="A-01"' in html
    assert not StockMove.objects.exists()
