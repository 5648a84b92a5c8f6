"""Each role's "today" page in a browser (screenshots in test-artifacts/), the warehouse's on the
tablet with targets big enough to touch, and the bell's grouped lines."""

import pytest

from core.events.services import notify
from tests.browser.conftest import DESKTOP, TABLET, login
from tests.home_world import build, users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("sales", "warehouse", "purchasing", "finance", "service", "manager", "admin")
TOUCH = 44

SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main a, main button, main summary, .app-navbar a, .app-navbar button')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return {text: e.textContent.trim().slice(0, 40), h: r.height, w: r.width}; })
  .filter(t => t.h < 44 || t.w < 44)"""


@pytest.fixture
def people():
    made = users()
    build(2, made)
    return made


def test_each_roles_home_shows_its_panels(people, open_page, screenshot):
    for role in ROLES:
        page = open_page(DESKTOP)
        login(page, people[role].username)
        page.goto("/")
        page.wait_for_selector("[data-testid=today-panels]")
        assert page.locator("[data-panel]").count() > 0
        assert page.locator(".home-tile").count() == 0
        screenshot(page, f"home-{role}")
        page.context.close()


def test_the_warehouse_home_on_the_tablet_has_targets_big_enough_to_touch(people, open_page, screenshot):
    page = open_page(TABLET, has_touch=True)
    login(page, people["warehouse"].username)
    page.goto("/")
    page.wait_for_selector("[data-panel='fulfilment.picks_due'] .today-row")
    screenshot(page, "home-warehouse-tablet")
    assert page.evaluate(SMALL_TARGETS) == []
    page.locator("[data-panel='fulfilment.picks_due'] .today-row").first.tap()
    page.wait_for_url("**/fulfilment/picking/**")


def test_the_bell_shows_a_kinds_notifications_as_one_line(sales_user, open_page, screenshot):
    for i in range(12):
        notify(
            users=[sales_user],
            title="Stock is tight: %(sku)s %(product)s",
            params={"sku": f"SKU-{i}", "product": "复印纸"},
            url=f"/inventory/products/{i}/",
            kind="stock_tight",
            key=f"stock-tight:{i}",
        )
    page = open_page(DESKTOP)
    login(page, sales_user.username)
    assert page.inner_text("[data-testid=unread-count]") == "1"
    page.click("[data-testid=notification-bell]")
    line = page.wait_for_selector("#notification-menu [data-grouped='12']")
    screenshot(page, "bell-grouped")
    line.click()
    page.wait_for_selector("[data-testid=notification-list]")
    assert page.locator("[data-testid=notification-list] a").count() == 12
