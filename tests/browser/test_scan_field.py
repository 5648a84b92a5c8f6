"""The pick list's scan field in a real browser: a scanner may type the next code before the
answer to the last one arrives, and that code is neither cut short nor glued to the last one."""

import pytest

from integration.fulfilment import services, shipping
from tests.browser.conftest import TABLET, login
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARCODE = "6901234567892"


@pytest.fixture
def pick_list(manager_user):
    warehouse = three_warehouses()["SH"]
    product = ProductFactory(barcode=BARCODE)
    receive(product, warehouse, 5)
    order = make_order(CustomerFactory(owner=manager_user), manager_user, (product, 3))
    services.order_confirm(order=order, user=manager_user)
    order.refresh_from_db()
    return shipping.shipment_start(order=order, warehouse=warehouse, user=manager_user)


def test_a_code_scanned_before_the_last_answer_arrives_is_kept_whole(open_page, manager_user, pick_list):
    page = open_page(TABLET)
    login(page, manager_user.username)
    page.goto(f"/fulfilment/shipments/{pick_list.pk}/")
    field = page.locator("[data-testid=scan-field]")
    held = []

    def hold(route):  # the scan's answer waits until it is released below
        held.append(route)

    page.route("**/scan/", hold)

    field.press_sequentially(BARCODE)
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=scan-field]').value === ''")
    field.press_sequentially(BARCODE[:6])  # the next scan is on its way
    for _ in range(100):  # the held request reaches the route's handler
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the scan was not sent"
    held[0].continue_()
    page.wait_for_selector("[data-testid=scan-feedback].scan-ok")

    assert field.input_value() == BARCODE[:6]
    assert pick_list.lines.get().picked_quantity == 1
