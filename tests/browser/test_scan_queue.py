"""Scans on a tablet whose network comes and goes (static/js/scan_queue.js): scans made offline
wait in the page, are counted on a badge and are sent in order when the connection returns; a
scan whose answer was lost is sent again with the same key and applied once; a refusal of the
server is shown, not kept."""

from decimal import Decimal

import pytest

from core.models import IdempotencyKey
from integration.fulfilment import services, shipping
from scm.purchasing import receiving
from tests.browser.conftest import TABLET, login
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARCODE = "6901234567892"
QUEUE = "[data-testid=scan-queue]"
WAITING = "[data-testid=scan-queue-count]"


@pytest.fixture
def pick_list(sales_user):
    warehouse = three_warehouses()["SH"]
    product = ProductFactory(barcode=BARCODE, name="瓶装水 550ml")
    receive(product, warehouse, 10)
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (product, 5))
    services.order_confirm(order=order, user=sales_user)
    order.refresh_from_db()
    return shipping.shipment_start(order=order, warehouse=warehouse)


@pytest.fixture
def receipt(warehouse_user):
    product = ProductFactory(barcode=BARCODE, name="瓶装水 550ml")
    order = open_purchase_order(lines=[{"product": product, "quantity": Decimal("24")}])
    return receiving.receipt_start(purchase_order=order, user=warehouse_user)


def scan(page, code):
    field = page.locator("[data-testid=scan-field]")
    field.fill(code)
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=scan-field]').value === ''")


def picked(pick_list) -> Decimal:
    return pick_list.lines.get().picked_quantity


def test_scans_made_offline_are_applied_once_each_when_the_network_returns(
    open_page, warehouse_user, pick_list, screenshot
):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(f"/fulfilment/shipments/{pick_list.pk}/")
    page.context.set_offline(True)
    for _ in range(3):
        scan(page, BARCODE)
    page.wait_for_selector(f"{WAITING}:text('3')")
    assert page.locator(QUEUE).is_visible()
    screenshot(page, "scan-queue-offline")
    assert picked(pick_list) == 0

    page.context.set_offline(False)
    page.wait_for_selector(QUEUE, state="hidden")
    page.wait_for_selector("[data-testid=scan-feedback].scan-ok")
    screenshot(page, "scan-queue-sent")
    assert picked(pick_list) == 3
    # The row carries the picked quantity in base units (its cells say it in the line's unit).
    assert page.locator(f"[data-line='{pick_list.lines.get().pk}']").get_attribute("data-picked") == "3"
    assert IdempotencyKey.objects.filter(user=warehouse_user).count() == 3


def test_scans_waiting_are_kept_when_the_page_is_closed_and_sent_when_it_opens_again(
    open_page, warehouse_user, pick_list
):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    url = f"/fulfilment/shipments/{pick_list.pk}/"
    page.goto(url)
    page.context.set_offline(True)
    scan(page, BARCODE)
    scan(page, BARCODE)
    page.wait_for_selector(f"{WAITING}:text('2')")
    again = page.context.new_page()
    page.close()
    page.context.set_offline(False)
    again.goto(url)
    again.wait_for_function("() => !localStorage.length")
    again.wait_for_selector("[data-testid=scan-feedback].scan-ok")
    assert picked(pick_list) == 2


def test_a_scan_whose_answer_was_lost_is_sent_again_and_applied_once(open_page, warehouse_user, receipt):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(f"/purchasing/receiving/{receipt.pk}/")
    keys, replayed = [], []

    def lose_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server applies the scan …
            route.abort("connectionreset")  # … and its answer never reaches the tablet
        else:
            route.continue_()

    page.route("**/scan/", lose_first_answer)
    page.on(
        "response",
        lambda r: r.url.endswith("/scan/") and replayed.append(r.headers.get("idempotent-replayed")),
    )
    page.fill("#quantity", "6")
    scan(page, BARCODE)
    page.wait_for_selector("#scan-result[data-ok='1']")
    page.wait_for_selector(QUEUE, state="hidden")

    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert replayed[-1] == "true"
    assert [line.quantity for line in receipt.lines.all()] == [6]


def test_a_refusal_of_the_server_is_shown_and_not_kept(open_page, warehouse_user, pick_list):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(f"/fulfilment/shipments/{pick_list.pk}/")
    page.route(
        "**/scan/",
        lambda route: route.fulfill(status=403, content_type="text/plain; charset=utf-8", body="没有权限"),
    )
    scan(page, BARCODE)
    refusal = page.wait_for_selector("[data-testid=scan-queue-refused] li")
    assert BARCODE in refusal.inner_text() and "没有权限" in refusal.inner_text()
    assert page.locator(WAITING).is_hidden()
    assert page.evaluate("localStorage.length") == 0
    assert picked(pick_list) == 0
