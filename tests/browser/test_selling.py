"""Cross-sell in a real browser: the order form shows what goes with the chosen customer's
printer, one click adds the line (with its available-to-promise, the totals and the panel
refreshed), and one click on the customer's page makes a quote with it."""

import pytest

from tests.browser.conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    from tests.integration.insights.conftest import build_selling_world

    return build_selling_world()


def test_a_suggestion_becomes_an_order_line_in_one_click(open_page, screenshot, world):
    page = open_page(DESKTOP)
    login(page, world.rep.username)

    page.goto(f"/sales/orders/new/?customer={world.customer.pk}")
    panel = page.locator("[data-testid=form-suggestions]")
    panel.wait_for()
    assert "硒鼓 CF226A" in panel.inner_text()
    page.click("[data-testid=suggestion-add]")

    row = page.locator("#lines-body tr.line-row").last
    row.locator(".atp table").wait_for()
    assert row.locator("select.line-product").input_value() == str(world.toner.pk)
    assert row.locator("input[name$=-quantity]").input_value() == "1"
    # The panel drops what is on the form now; the totals price the line at its list price.
    page.locator("[data-testid=form-suggestions]").wait_for(state="detached")
    page.locator("#order-totals", has_text="100.00").wait_for()
    screenshot(page, "selling-order-form")


def test_a_suggestion_becomes_a_quote_from_the_customer_page(open_page, screenshot, world):
    page = open_page(DESKTOP)
    login(page, world.rep.username)

    page.goto(f"/customers/{world.customer.pk}/")
    panel = page.locator("[data-panel='insights.cross_sell']")
    assert "硒鼓 CF226A" in panel.inner_text()
    screenshot(page, "selling-customer")
    panel.locator("[data-testid=suggestion-quote]").click()

    page.wait_for_url("**/quotes/*/edit/")
    assert page.locator("select.line-product").first.input_value() == str(world.toner.pk)
