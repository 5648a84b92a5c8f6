"""The service loop's main path in the browser: the service desk opens the ticket list, opens a
quality complaint, sees what the batch trace found and follows it to the lot's full trace."""

import pytest

from tests.browser.conftest import DESKTOP, login
from tests.factories import UserFactory
from tests.integration.aftersales.factories import complaint, customer_of, received_lot, ship
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_ticket_list_to_the_lot_trace(open_page, screenshot, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    picker = UserFactory(roles=["warehouse"])
    rep = UserFactory(roles=["sales"])
    lot, _receipt = received_lot(warehouse=warehouses["SH"], user=picker, number="TN-JAM-01")
    customers = [customer_of(rep, name="广州中联餐饮"), customer_of(rep, name="京津宏达建材")]
    for customer in customers:
        ship(customer, rep, picker, lot, 3, warehouses["SH"], django_capture_on_commit_callbacks)
    ticket = complaint(customers[0], lot, capture=django_capture_on_commit_callbacks)
    desk = UserFactory(roles=["service"], first_name="娜", last_name="王")

    page = open_page(DESKTOP)
    login(page, desk.username)
    page.goto("/service/tickets/")
    page.click(f"text={ticket.number}")
    page.wait_for_selector("[data-testid=ticket-header]")
    panel = page.locator("[data-panel] [data-testid=trace-panel]")
    assert panel.count() == 1
    assert "1" in panel.inner_text()  # one other customer got the lot
    screenshot(page, "service-complaint")

    page.click("[data-panel] [data-testid=trace-link]")
    page.wait_for_selector("[data-testid=trace-customers]")
    assert page.url.endswith(f"/aftersales/lots/{lot.pk}/trace/")
    customers_table = page.locator("[data-testid=trace-customers]").inner_text()
    assert all(c.name in customers_table for c in customers)
    assert page.locator("[data-testid=lot-tickets]").inner_text().count(ticket.number) == 1
    screenshot(page, "service-lot-trace")
