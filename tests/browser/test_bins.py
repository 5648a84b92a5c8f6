"""Bins in the browser: the locations list (desktop), the put-away screen at 1024×768 driven by
scans only, and the stock overview with each level's bins."""

import pytest

from scm.inventory import locations, locations_admin, services
from scm.inventory.models import LocationStock
from tests.browser.conftest import DESKTOP, TABLET, login
from tests.pdf_text import pdf_text
from tests.scm.inventory.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def beijing():
    wh = WarehouseFactory(code="BJ", name="北京仓")
    gz = WarehouseFactory(code="GZ", name="广州仓")
    locations_admin.location_zone_create(warehouse=wh, zone="A", aisles=2, shelves=2, bins=3, actor=None)
    locations_admin.location_zone_create(warehouse=wh, zone="B", aisles=1, shelves=2, bins=3, actor=None)
    office, food = CategoryFactory(name="办公用品"), CategoryFactory(name="食品饮料")
    paper = ProductFactory(sku="OF-A4-70", name="A4 复印纸 70g", barcode="6900000000011", category=office)
    pens = ProductFactory(sku="OF-GP-05B", name="中性笔 0.5mm 黑", barcode="6900000000028", category=office)
    water = ProductFactory(sku="FB-WT-550", name="饮用天然水 550ml", barcode="6900000000035", category=food)
    for product, qty in ((paper, 120), (pens, 300), (water, 48)):
        services.stock_receive(product=product, warehouse=wh, quantity=qty)
    first = wh.locations.order_by("sequence").first()
    locations.stock_relocate(product=paper, warehouse=wh, quantity=100, to_location=first)
    return {"wh": wh, "gz": gz, "paper": paper, "pens": pens, "water": water}


def waiting(page, rows):
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=waiting-row]")).to_have_count(rows)


def scan(page, code):
    page.fill("#scan", code)
    page.keyboard.press("Enter")


def test_the_locations_list(beijing, warehouse_user, open_page, screenshot):
    page = open_page(DESKTOP)
    login(page, warehouse_user.username)
    page.goto(f"/inventory/locations/?warehouse={beijing['wh'].pk}")
    assert page.locator("[data-testid=location-row]").count() == 18
    screenshot(page, "bins-locations")


def test_putting_away_by_scans_on_the_tablet(beijing, warehouse_user, open_page, screenshot):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto("/inventory/tablet/put-away/")
    assert page.locator("[data-testid=waiting-row]").count() == 3
    screenshot(page, "bins-put-away")
    # The pens: scanned first, their suggested bin shown (the office zone, next to the paper).
    scan(page, beijing["pens"].barcode)
    page.wait_for_selector("[data-testid=suggested-bin]")
    suggested = page.inner_text("[data-testid=suggested-bin]")
    assert suggested.startswith("A-")
    screenshot(page, "bins-put-away-suggested")
    scan(page, f"BJ-{suggested}")
    waiting(page, 2)
    assert LocationStock.objects.get(product=beijing["pens"]).on_hand == 300
    # The water: the bin first, then the product.
    scan(page, "BJ-B-01-01-01")
    page.wait_for_selector("[data-testid=held-bin]")
    scan(page, beijing["water"].barcode)
    waiting(page, 1)
    assert LocationStock.objects.get(product=beijing["water"]).location.code == "B-01-01-01"
    # A bin of another warehouse is refused on the spot.
    locations_admin.location_save(warehouse=beijing["gz"], zone="A", actor=None)
    page.click("[data-testid=clear-bin]")
    page.wait_for_selector("[data-testid=held-bin]", state="detached")
    scan(page, beijing["paper"].barcode)
    page.wait_for_selector("[data-testid=pending]")
    scan(page, "GZ-A")
    page.wait_for_selector("#scan-result[data-ok='0']")
    screenshot(page, "bins-put-away-refused")


def test_the_stock_overview_shows_bins(beijing, manager_user, open_page, screenshot):
    page = open_page(DESKTOP)
    login(page, manager_user.username)
    page.goto("/inventory/stock/")
    assert page.locator("[data-testid=not-put-away]").count() == 3
    screenshot(page, "bins-stock-overview")


def test_printing_a_zones_labels_from_the_list_on_the_tablet(beijing, warehouse_user, open_page, screenshot):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(f"/inventory/locations/?warehouse={beijing['wh'].pk}&zone=B")
    link = page.locator("[data-testid=print-labels]")
    box = link.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    screenshot(page, "bins-print-labels")
    # The link keeps the zone filter and answers the zone's labels (a PDF opened in a new tab).
    answer = page.request.get(link.get_attribute("href"))
    assert answer.headers["content-type"] == "application/pdf"
    codes = [line for line in pdf_text(answer.body()).splitlines() if line.startswith("B-")]
    assert codes == list(
        beijing["wh"].locations.filter(zone="B").order_by("sequence").values_list("code", flat=True)
    )
