"""The manager dashboard in a real browser: a small company's orders confirmed and shipped over
a year (the facts fill from their events), every card's chart drawn by ECharts from the page's
JSON (no inline script or style: the CSP holds), a new period swapped in by htmx and drawn
again, a click on a chart and a "details" link landing on the list behind the figure, and a bad
range shown next to its field."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from integration.insights.figures import FIGURES
from tests.browser.conftest import DESKTOP, TABLET, login
from tests.integration.insights.dashboard_data import company, ship_orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Painted pixels of a chart's canvas: an empty canvas has none.
PAINTED = """box => {
  const canvas = box.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted += 1; }
  return painted;
}"""
# Every chart drawn and its animation over (what a screenshot shows).
SETTLED = """() => [...document.querySelectorAll("[data-insights-chart]")].every(b => b.dataset.settled)"""
SERIES = """box => {
  const chart = echarts.getInstanceByDom(box);
  return chart ? chart.getOption().series.length : -1;
}"""


def _months_ago(months: int) -> datetime:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    day = today.replace(year=index // 12, month=index % 12 + 1, day=12)
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def history():
    """Stock received a year ago, then a few orders shipped and paid each month since, and
    four today."""
    with time_machine.travel(_months_ago(12) - timedelta(days=5), tick=False):
        world = company(warehouses=2, stock=2000)
    for months in range(11, 0, -1):
        with time_machine.travel(_months_ago(months), tick=False):
            ship_orders(world, orders=1 + (12 - months) % 4, pay=1 + months % 2)
    ship_orders(world, orders=4)
    return world


def _charts_drawn(page) -> int:
    boxes = page.locator("[data-insights-chart]")
    count = boxes.count()
    assert count >= 10
    for i in range(count):
        box = boxes.nth(i)
        box.locator("canvas").wait_for()
        assert box.evaluate(PAINTED) > 500, box.get_attribute("data-insights-chart")
    return count


def _watch(page) -> list:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_manager_sees_the_charts_drawn_and_drills_down(manager_user, history, open_page, screenshot):
    page = open_page(DESKTOP)
    errors = _watch(page)
    login(page, manager_user.username)
    page.click("[data-nav=insights\\.dashboard]")
    page.wait_for_url("**/insights/")
    count = _charts_drawn(page)
    # The cards with sales draw their series, not the "no data" note.
    for key in ("sales", "aov", "inventory_value", "cash", "pipeline"):
        assert page.locator(f"[data-figure={key}] [data-insights-chart]").evaluate(SERIES) >= 1, key
    assert page.locator("[data-figure=sales] [data-testid=value]").inner_text().startswith("¥")
    # The figure's definition is the ⓘ's tooltip.
    tip = page.locator("[data-figure=sales] [role=tooltip]")
    assert not tip.is_visible()
    page.hover("[data-figure=sales] [data-testid=definition]")
    assert tip.is_visible()
    assert tip.inner_text() == str(FIGURES["sales"].definition)

    # Another kind of period: htmx swaps the cards in, the address keeps it, the charts are drawn.
    page.click("label[for=period-year]")
    page.wait_for_url("**period=year**")
    assert page.url.endswith("/insights/?period=year")
    page.wait_for_selector("[data-figure=sales] [data-insights-chart][data-drawn]")
    assert _charts_drawn(page) == count
    assert (
        page.locator("[data-testid=period-summary]").inner_text().startswith(str(timezone.localdate().year))
    )

    # A click on a chart opens the list behind the figure.
    chart = page.locator("[data-figure=sales] [data-insights-chart]")
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    page.wait_for_url("**/fulfilment/shipments/?state=shipped")
    assert page.get_by_text(history["shipments"][-1].number).count() >= 1

    # Back on the dashboard (the year kept), its "details" link opens the stock list.
    page.go_back()
    page.wait_for_url("**period=year**")
    page.click("[data-figure=inventory_value] [data-testid=drilldown]")
    page.wait_for_url("**/inventory/stock/**")
    assert errors == []


def test_a_funnel_click_opens_the_pipeline(manager_user, history, open_page):
    page = open_page(DESKTOP)
    errors = _watch(page)
    login(page, manager_user.username)
    page.goto("/insights/")
    funnel = page.locator("[data-figure=pipeline] [data-insights-chart]")
    funnel.locator("canvas").wait_for()
    box = funnel.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 24)
    # The first stage: its column of the board.
    page.wait_for_url("**/sales/pipeline/#stage-*")
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"#{anchor}.kanban-column").is_visible()
    assert errors == []


def test_a_warehouse_bar_opens_that_warehouses_stock(manager_user, history, open_page):
    """A chart whose categories have a list each (``chart["links"]``): a click on a warehouse's
    bar opens the stock of that warehouse."""
    from scm.inventory.models import Warehouse

    page = open_page(DESKTOP)
    login(page, manager_user.username)
    page.goto("/insights/")
    chart = page.locator("[data-figure=inventory_value] [data-insights-chart]")
    chart.locator("canvas").wait_for()
    first = page.evaluate(
        "JSON.parse(document.getElementById('insights-chart-inventory_value').textContent).categories[0]"
    )
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    # The first of two categories: the left quarter of the plot.
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for_url("**/inventory/stock/?warehouse=*")
    assert page.url.endswith(f"warehouse={Warehouse.objects.get(name=first).pk}")


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_the_dashboard_at_desktop_and_tablet_width(manager_user, history, open_page, screenshot, viewport):
    page = open_page(viewport)
    login(page, manager_user.username)
    page.goto("/insights/?period=year")
    _charts_drawn(page)
    # Every card lies inside the page: nothing runs off to the side.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_function(SETTLED)
    screenshot(page, "insights-dashboard")


def test_an_inverted_range_is_shown_next_to_the_end_date(manager_user, history, open_page, screenshot):
    page = open_page(TABLET)
    errors = _watch(page)
    login(page, manager_user.username)
    page.goto("/insights/")
    _charts_drawn(page)
    # Choosing a team applies it at once.
    page.select_option("#period-team", str(history["team"].pk))
    page.wait_for_url(f"**team={history['team'].pk}**")
    page.wait_for_selector("[data-figure=sales] [data-insights-chart][data-drawn]")
    assert history["team"].name in page.locator("[data-testid=period-summary]").inner_text()
    page.click("label[for=period-custom]")
    page.fill("#period-start", "2026-05-01")
    page.fill("#period-end", "2026-04-01")
    page.click("[data-testid=period-apply]")
    page.wait_for_selector("[data-field-error=end]")
    assert page.locator("[data-testid=insight-card]").count() == 0
    assert page.locator("#period-end").get_attribute("aria-invalid") == "true"
    assert "end=2026-04-01" in page.url
    screenshot(page, "insights-dashboard-error")
    assert errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_the_managers_home_opens_with_the_headline_figures(
    manager_user, history, open_page, screenshot, viewport
):
    page = open_page(viewport)
    errors = _watch(page)
    login(page, manager_user.username)
    page.goto("/")
    tiles = page.locator("[data-testid=headline] [data-figure]")
    tiles.first.wait_for()
    assert tiles.count() == 6
    assert (
        page.locator("[data-testid=headline] [data-figure=sales] [data-testid=value]")
        .inner_text()
        .startswith("¥")
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The definition is the ⓘ's tooltip, and it stays on the page.
    tip = page.locator("[data-testid=headline] [data-figure=ar_aging] [role=tooltip]")
    page.hover("[data-testid=headline] [data-figure=ar_aging] [data-testid=definition]")
    assert tip.is_visible()
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    screenshot(page, "home-manager-headline")
    # A click anywhere on a tile (here its value) opens its card on the dashboard.
    page.mouse.move(0, 0)
    value = page.locator("[data-testid=headline] [data-figure=aov] .headline-value").bounding_box()
    page.mouse.click(value["x"] + value["width"] / 2, value["y"] + value["height"] / 2)
    page.wait_for_url("**/insights/?period=month#figure-aov")
    page.wait_for_selector("#figure-aov [data-insights-chart][data-drawn]")
    assert errors == []


def test_the_admins_summary_folds_the_headline_into_its_column(admin_user, history, open_page, screenshot):
    page = open_page(DESKTOP)
    login(page, admin_user.username)
    page.goto("/")
    page.click("[data-panel='insights.headline'] summary")
    tiles = page.locator("[data-testid=headline] [data-figure]")
    tiles.first.wait_for()
    # Two tiles a row in a column of the summary, nothing running off the page.
    tops = [tiles.nth(i).bounding_box()["y"] for i in range(3)]
    assert tops[0] == tops[1] < tops[2]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "home-admin-headline")
