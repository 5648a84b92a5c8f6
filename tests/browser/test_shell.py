"""The UI shell in a real browser: each role logs in on its own device, finds its navigation
and switches the language."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, TABLET, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Users come before ``open_page`` in each signature: they are written before Playwright starts
# its event loop, so every database connection belongs to the test and is closed with it.

TOUCH = 44


def switch_to_english(page):
    page.click("[data-testid=language-en]")
    page.wait_for_selector("html[lang=en]")


def test_sales_user_on_desktop_finds_navigation_and_switches_language(
    sales_user, full_menu, open_page, screenshot
):
    page = open_page(DESKTOP)
    login(page, sales_user.username, screenshot=screenshot)
    assert page.get_attribute("html", "lang") == "zh-hans"
    home = page.locator("[data-testid=main-nav] [data-nav=home]")
    assert home.is_visible()
    assert home.inner_text() == "首页"
    screenshot(page, "desktop-sales-zh")

    switch_to_english(page)
    assert page.locator("[data-testid=main-nav] [data-nav=home]").inner_text() == "Home"
    assert not _menu(page)["folded"]
    page.click("[data-nav-section=inventory]")
    stock = page.locator("[data-nav='inventory.stock']")
    stock.wait_for(state="visible")
    assert stock.inner_text() == "Stock"
    screenshot(page, "desktop-sales-en-inventory-menu")


def _menu(page) -> dict:
    """How the top menu is laid out: folded under the toggler, or in rows beside the tools."""
    return page.evaluate(
        """() => {
        const bar = document.querySelector('.app-navbar'), nav = bar.querySelector('.app-nav');
        const tops = [...nav.querySelectorAll(':scope > .nav-item')]
            .filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top));
        return {folded: bar.classList.contains('is-folded'), rows: new Set(tops).size,
                overflow: nav.scrollWidth > nav.clientWidth + 1 || (!bar.classList.contains('is-folded')
                    && nav.lastElementChild.getBoundingClientRect().right
                       > bar.querySelector('.app-tools').getBoundingClientRect().left),
                height: bar.getBoundingClientRect().height};
    }"""
    )


def _small_targets(page) -> list[str]:
    """Visible links and buttons in the top bar smaller than a finger."""
    return page.eval_on_selector_all(
        ".app-navbar a, .app-navbar button",
        f"""els => els.filter(e => e.offsetParent !== null)
              .filter(e => {{ const r = e.getBoundingClientRect();
                             return r.height < {TOUCH} || r.width < {TOUCH}; }})
              .map(e => e.outerHTML.slice(0, 80))""",
    )


def test_warehouse_user_on_tablet_finds_navigation_and_switches_language(
    warehouse_user, open_page, screenshot
):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username, screenshot=screenshot)
    home = page.locator("[data-testid=main-nav] [data-nav=home]")
    assert home.is_visible()
    assert page.locator("[data-nav='events.deliveries']").count() == 0
    menu = _menu(page)
    assert not menu["folded"] and menu["rows"] == 1 and not menu["overflow"]
    assert _small_targets(page) == []
    screenshot(page, "tablet-warehouse-zh")

    switch_to_english(page)
    assert page.locator("[data-testid=main-nav] [data-nav=home]").inner_text() == "Home"
    screenshot(page, "tablet-warehouse-en")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_full_menu_never_wraps_on_a_tablet_and_keeps_touch_sized_targets(
    admin_user, full_menu, language, open_page, screenshot
):
    page = open_page(TABLET, has_touch=True)
    login(page, admin_user.username)
    if language == "en":
        switch_to_english(page)
    menu = _menu(page)
    assert not menu["overflow"]
    assert menu["folded"] or menu["rows"] == 1
    assert menu["height"] < 80
    assert _small_targets(page) == []
    brand = page.eval_on_selector(".navbar-brand", "e => e.scrollWidth <= e.clientWidth")
    assert brand, "the brand is cut off"
    screenshot(page, f"tablet-admin-full-menu-{language}")


def test_phone_opens_the_menu_from_the_toggler(service_user, full_menu, open_page, screenshot):
    page = open_page(PHONE, has_touch=True)
    login(page, service_user.username, screenshot=screenshot)
    customers = page.locator("[data-nav-section=customers]")
    assert not customers.is_visible()
    page.click(".navbar-toggler")
    customers.wait_for(state="visible")
    page.wait_for_selector("#main-nav.show")
    customers.click()
    page.locator("[data-nav=customers]").wait_for(state="visible")
    assert _small_targets(page) == []
    screenshot(page, "phone-service-menu-open")


def test_login_page_language_switch_is_readable_and_switches(open_page, screenshot):
    page = open_page(TABLET, has_touch=True)
    page.goto("/accounts/login/")
    button = page.locator("[data-testid=language-en]")
    red, green, blue = (
        int(part) for part in page.eval_on_selector(
            "[data-testid=language-en]", "e => getComputedStyle(e).color"
        ).strip("rgba()").split(",")[:3]
    )  # fmt: skip
    assert red + green + blue < 3 * 160, "the button's text is too light to read on the white card"
    assert button.bounding_box()["height"] >= TOUCH
    button.click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("[data-testid=login-submit]").inner_text() == "Log in"
    screenshot(page, "login-en")
