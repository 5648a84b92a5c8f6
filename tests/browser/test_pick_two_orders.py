"""A picker on a 1024×768 tablet picks and ships two orders in a row by scans only: the bin, the
product, the quantity (×N), then the parcel's tracking number; the second pick list opens by
itself when the first has shipped. Screenshots of the scan page and of a batch pick."""

import re

import pytest
from playwright.sync_api import expect

from integration.fulfilment import batches, services
from integration.fulfilment.models import Shipment
from tests.browser.conftest import TABLET, login
from tests.integration.fulfilment.factories import (
    CarrierFactory,
    CustomerFactory,
    make_order,
    three_warehouses,
)
from tests.integration.fulfilment.picking_world import make_bin, receive_into
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_orders(warehouse_user, sales_user):
    warehouse = three_warehouses()["SH"]
    CarrierFactory(name="顺丰速运")
    shelf = make_bin(warehouse, "A-01-02", 10, barcode="LOC-A0102")
    rack = make_bin(warehouse, "B-03-01", 20, barcode="LOC-B0301")
    cups = ProductFactory(name="保温杯 500ml", barcode="6901234500017", base_unit="个")
    pens = ProductFactory(name="中性笔 0.5mm", barcode="6901234500024", base_unit="支")
    receive_into(cups, warehouse, 50, shelf)
    receive_into(pens, warehouse, 80, rack)
    customer = CustomerFactory(owner=sales_user)
    orders = []
    for lines in (((cups, 6), (pens, 12)), ((cups, 2),)):
        order = make_order(customer, sales_user, *lines)
        services.order_confirm(order=order, user=sales_user)
        orders.append(order)
    return {"warehouse": warehouse, "orders": orders, "cups": cups, "pens": pens}


def scan(page, code):
    field = page.locator("[data-testid=scan-field]")
    expect(field).to_be_focused()
    field.press_sequentially(code)
    field.press("Enter")
    page.wait_for_selector("[data-testid=scan-feedback].scan-ok, [data-testid=scan-feedback].scan-error")
    answer = page.locator("[data-testid=scan-feedback]")
    feedback = answer.inner_text()
    assert "scan-ok" in answer.get_attribute("class"), feedback
    # The next scan's answer replaces this one.
    page.evaluate("document.querySelector('[data-testid=scan-feedback]').classList.remove('scan-ok')")
    return feedback


def ship(page, tracking):
    tracking_field = page.locator("[data-testid=tracking-number]")
    tracking_field.tap()
    tracking_field.press_sequentially(tracking)
    tracking_field.press("Enter")


def test_two_orders_picked_and_shipped_by_scans_the_second_opening_by_itself(
    open_page, warehouse_user, two_orders, screenshot
):
    first, second = two_orders["orders"]
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(f"/fulfilment/picking/?warehouse={two_orders['warehouse'].pk}")
    screenshot(page, "picking-queue")
    page.locator("[data-testid=pick-lists] .list-group-item", has_text=first.number).locator(
        "button[type=submit]"
    ).tap()
    page.wait_for_selector("[data-testid=scan-field]")

    assert "A-01-02" in scan(page, "LOC-A0102")
    scan(page, "6901234500017")
    assert "6 个" in scan(page, "×6")
    scan(page, "LOC-B0301")
    scan(page, "6901234500024")
    scan(page, "×12")
    screenshot(page, "pick-scan-page")
    ship(page, "SF1000000001")

    # The next order of the queue is open, still on the tablet's layout.
    page.wait_for_selector(f"h1:has-text('{second.number}')")
    expect(page.locator("body")).to_have_class(re.compile(r"\btablet\b"))
    scan(page, "LOC-A0102")
    scan(page, "6901234500017")
    scan(page, "×2")
    ship(page, "SF1000000002")
    page.wait_for_selector("[data-testid=warehouse-switch]")

    shipped = dict(Shipment.objects.values_list("order_id", "tracking_number"))
    assert shipped == {first.pk: "SF1000000001", second.pk: "SF1000000002"}
    assert set(Shipment.objects.values_list("state", flat=True)) == {"shipped"}


def test_a_batch_pick_on_the_tablet(open_page, warehouse_user, two_orders, screenshot):
    batch = batches.pick_batch_create(warehouse=two_orders["warehouse"], user=warehouse_user, count=2)
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(f"/fulfilment/picking/batches/{batch.pk}/")
    scan(page, "LOC-A0102")
    assert "T1" in scan(page, "6901234500017")
    scan(page, "×6")
    assert "T2" in scan(page, "6901234500017")
    screenshot(page, "batch-pick")
    expect(page.locator("[data-tote=T1]")).to_be_visible()
