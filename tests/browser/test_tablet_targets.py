"""Every page warehouse staff open, on a 1024×768 tablet: each touch target is at least 44×44 CSS
px and nothing scrolls sideways. The pages are those the warehouse role reaches (its rows in
tests/core/test_permission_matrix.py), opened on a warehouse day (``tablet_world``) so that each
list has rows and, where the list is one of the warehouse's own, more than one page."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from integration.fulfilment import batches
from integration.setup.demo import DEMO_PASSWORD
from scm.inventory.models import Location
from tests.browser import tablet_world
from tests.browser.conftest import TABLET, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOUCH = 44

# Visible targets smaller than TOUCH × TOUCH, described for the failure message. A label counts
# when it is the label of a check box or radio button (the finger hits the label); elements
# that are hidden, of no size, or only for screen readers are left out.
SMALL_TARGETS = """(touch) => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, [role=button], "
    + "summary, label";
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.tagName === "LABEL") {
      const field = el.control;
      if (!field || !["checkbox", "radio"].includes(field.type)) continue;
    }
    if (el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.pointerEvents === "none") continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.width < touch || box.height < touch) {
      const name = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").trim();
      const classes = String(el.className || "").trim().split(/\\s+/).filter(Boolean).join(".");
      small.push(`${el.tagName.toLowerCase()}${classes ? "." + classes : ""} "${name.slice(0, 40)}" `
        + `${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""
SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
NEXT_PAGE = ".pagination a.page-link[href*='page=']"


@dataclass
class Page:
    name: str
    url: str
    paged: bool = False  # a warehouse list: it must show rows and a link to the next page


def warehouse_pages(world) -> list[Page]:
    def url(name, *args, query=""):
        return reverse(name, args=args) + query

    picking, shipped = world.picking, world.shipped
    bins = Location.objects.filter(warehouse__code="BJ").order_by("sequence").first()
    returned_line = shipped.lines.first()
    return [
        # picking, packing and shipping
        Page("picking", url("fulfilment:picking", query=f"?warehouse={world.warehouse.pk}"), paged=True),
        Page("pick-scan", url("fulfilment:shipment", picking.pk)),
        Page("batch-pick", url("fulfilment:batch", world.batch.pk)),
        Page("shipment", url("fulfilment:shipment", shipped.pk)),
        Page("shipments", url("fulfilment:shipments"), paged=True),
        Page("return-form", url("fulfilment:return-create", returned_line.pk)),
        Page("returns", url("fulfilment:returns"), paged=True),
        Page("delivery-confirm", url("fulfilment:delivery-confirm", query=f"?number={shipped.number}")),
        Page("carriers", url("fulfilment:carriers")),
        # receiving
        Page("receiving", url("purchasing:receiving_tablet")),
        Page("receiving-count", url("purchasing:receiving_tablet_count", world.receipt_counting.pk)),
        Page("receiving-check", url("purchasing:receiving_tablet_check", world.receipt_checking.pk)),
        Page("receipts", url("purchasing:receipts"), paged=True),
        Page("receipt", url("purchasing:receipt_detail", world.receipt_posted.pk)),
        Page("quarantine", url("purchasing:quarantine")),
        # the inventory tablet
        Page("tablet-receive", url("inventory:tablet_receive")),
        Page("tablet-transfer-start", url("inventory:tablet_transfer_start")),
        Page("tablet-transfer", url("inventory:tablet_transfer", world.transfer_draft.pk)),
        Page("tablet-count", url("inventory:tablet_count", world.count.pk)),
        # bins (北京仓 works by bins in the demo)
        Page("put-away", url("inventory:tablet_put_away")),
        Page("bins", url("inventory:locations", query=f"?warehouse={bins.warehouse_id}"), paged=True),
        Page("bin", url("inventory:location_detail", bins.pk)),
        Page("bin-edit", url("inventory:location_edit", bins.pk)),
        Page("bin-new", url("inventory:location_create", query=f"?warehouse={bins.warehouse_id}")),
        Page("bin-zone", url("inventory:location_zone", query=f"?warehouse={bins.warehouse_id}")),
        Page("bin-labels", url("inventory:location_labels")),
        # stock look-ups
        Page("stock", url("inventory:stock"), paged=True),
        Page("products", url("inventory:products"), paged=True),
        Page("product-stock", url("inventory:product_detail", world.product.pk), paged=True),
        Page("lot", url("inventory:lot_detail", world.lot.pk), paged=True),
        Page("low-stock", url("inventory:low_stock"), paged=True),
        Page("transfers", url("inventory:transfers"), paged=True),
        Page("transfer", url("inventory:transfer_detail", world.transfer_in_transit.pk)),
        Page("counts", url("inventory:counts"), paged=True),
        Page("count", url("inventory:count_detail", world.count.pk)),
        Page("stock-import", url("inventory:import")),
        # the rest of the warehouse's menu
        Page("home", url("home")),
        Page("sales-orders", url("sales:orders:order_list"), paged=True),
        Page("sales-order", url("sales:orders:order_detail", picking.order_id)),
        Page("purchasing-today", url("purchasing:today")),
        Page("purchase-orders", url("purchasing:order_list"), paged=True),
        Page("purchase-order", url("purchasing:order_detail", world.receipt_posted.purchase_order_id)),
        Page("suppliers", url("purchasing:supplier_list"), paged=True),
        Page("supplier", url("purchasing:supplier_detail", world.receipt_posted.supplier_id)),
        Page("plans", url("planning:plans")),
        Page("plan", url("planning:product", world.product.pk)),
        Page("lot-trace", url("aftersales:lot_trace", world.lot.pk)),
        Page("quality-alerts", url("aftersales:alerts")),
        Page("recalls", url("aftersales:recalls")),
        Page("lot-holds", url("aftersales:holds")),
        Page("carrier-figures", url("carrier_figures:list")),
        Page("notifications", url("events:notifications")),
        Page("password", url("password_change")),
    ]


def test_every_warehouse_page_keeps_touch_targets_and_the_width_of_a_tablet(open_page, screenshot):
    world = tablet_world.build()
    # A batch pick of the next orders waiting.
    world.batch = batches.pick_batch_create(warehouse=world.warehouse, user=world.users["warehouse"], count=3)
    page = open_page(TABLET, has_touch=True)
    login(page, world.users["warehouse"].username, password=DEMO_PASSWORD)
    small, sideways, unpaged, failed = [], [], [], []
    for target in warehouse_pages(world):
        response = page.goto(target.url)
        if response.status != 200:
            failed.append(f"{target.name} ({target.url}): {response.status}")
            continue
        assert page.evaluate("document.body.classList.contains('touch')"), target.name
        screenshot(page, f"tablet-{target.name}")
        small += [f"{target.name}: {found}" for found in page.evaluate(SMALL_TARGETS, TOUCH)]
        if page.evaluate(SIDEWAYS):
            sideways.append(target.name)
        if target.paged and not page.locator(NEXT_PAGE).count():
            unpaged.append(target.name)

    assert not failed, "pages that did not open: " + "; ".join(failed)
    assert not unpaged, "lists without a next page (the walk needs their pagination): " + ", ".join(unpaged)
    assert not small, f"{len(small)} touch targets under {TOUCH}×{TOUCH} px:\n" + "\n".join(small)
    assert not sideways, "pages wider than the tablet: " + ", ".join(sideways)


def test_the_menus_opened_on_the_tablet_keep_touch_targets(open_page, screenshot, warehouse_user):
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto(reverse("inventory:stock"))
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # the menu folded under the toggler (it did not fit on one row)
        toggler.click()
        page.wait_for_selector("#main-nav.show")
    small = []
    sections = page.locator("#main-nav [data-nav-section]")
    for i in range(sections.count()):
        sections.nth(i).click()
        page.wait_for_selector("#main-nav .dropdown-menu.show")
        screenshot(page, f"tablet-menu-{i}")
        small += page.evaluate(SMALL_TARGETS, TOUCH)
    page.click("[data-testid=user-menu]")
    page.wait_for_selector(".app-tools .dropdown-menu.show")
    small += page.evaluate(SMALL_TARGETS, TOUCH)
    assert sections.count() > 1
    assert small == []
