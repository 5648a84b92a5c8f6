"""The receiving tablet at 1024×768: scan the purchase order, scan goods, check, post."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from scm.purchasing.models import Receipt
from tests.browser.conftest import TABLET, login
from tests.scm.inventory.factories import ProductFactory, lot_product
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_is_scan_field(page) -> bool:
    return page.evaluate("document.activeElement && document.activeElement.id === 'scan'")


def test_receiving_on_the_tablet(warehouse_user, open_page, screenshot):
    plain = ProductFactory(barcode="6901234567890", name="瓶装水 550ml")
    dated = lot_product(barcode="6901234567891", name="酸奶 200g")
    order = open_purchase_order(
        lines=[
            {"product": plain, "quantity": Decimal("24")},
            {"product": dated, "quantity": Decimal("10")},
        ]
    )
    page = open_page(TABLET, has_touch=True)
    login(page, warehouse_user.username)
    page.goto("/purchasing/receiving/")
    assert focused_is_scan_field(page)
    screenshot(page, "receiving-start")

    page.fill("#scan", order.number)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=receipt-scan-form]")
    assert focused_is_scan_field(page)
    page.fill("#quantity", "12")
    page.fill("#scan", plain.barcode)
    page.keyboard.press("Enter")
    page.wait_for_selector("#scan-result[data-ok='1']")
    page.fill("#scan", "NOT-A-CODE")
    page.keyboard.press("Enter")
    page.wait_for_selector("#scan-result[data-ok='0']")
    assert focused_is_scan_field(page)
    screenshot(page, "receiving-scan-refused")
    page.fill("#quantity", "10")
    page.fill("#lot_number", "Y-2026-01")
    page.fill("#expiry_date", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.fill("#scan", dated.barcode)
    page.keyboard.press("Enter")
    page.wait_for_selector("#scan-result[data-ok='1']")
    assert page.input_value("#lot_number") == ""  # a lot or serial is for one scan
    screenshot(page, "receiving-count")

    page.click("[data-testid=to-check]")
    page.wait_for_selector("[data-testid=check-form]")
    rows = page.locator("[data-testid=check-line]")
    assert rows.count() == 2
    first = rows.nth(0)  # the water: 12 received
    first.locator("input[name^=accepted_]").fill("10")
    first.locator("input[name^=rejected_]").fill("2")
    first.locator("input[name^=reason_]").fill("外箱破损")
    screenshot(page, "receiving-check")
    page.click("[data-testid=save-check]")
    page.wait_for_selector("[data-testid=post-receipt]")
    screenshot(page, "receiving-checked")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=post-receipt]")
    page.wait_for_selector("[data-testid=po-form]")
    screenshot(page, "receiving-posted")
    assert Receipt.objects.get().state == Receipt.State.POSTED

    page.goto(f"/purchasing/receipts/{Receipt.objects.get().pk}/")
    screenshot(page, "receiving-receipt-detail")
    page.goto("/purchasing/quarantine/")
    assert page.locator("[data-testid=quarantine-row]").count() == 1
    screenshot(page, "receiving-quarantine")
