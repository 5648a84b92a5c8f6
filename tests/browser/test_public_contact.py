"""The public contact form in a real browser, without logging in: a visitor finds a product by
its pinyin initials in the form's picker, takes it with Enter and sends; the lead carries it."""

from decimal import Decimal

import pytest

from tests.browser.conftest import DESKTOP
from tests.browser.picker_steps import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_picks_a_product_by_initials_and_the_lead_carries_it(open_page, screenshot):
    from crm.sales.models import Lead
    from tests.scm.inventory.factories import ProductFactory

    water = ProductFactory(sku="WTR-550", name="矿泉水 550ml", list_price=Decimal("2.50"))
    ProductFactory(sku="TEA-250", name="乌龙茶 250ml")
    page = open_page(DESKTOP)
    page.goto("/sales/contact/")
    page.fill("#id_name", "王先生")
    page.fill("#id_phone", "13800000000")
    pick(page, "id_products", "kqs", water.pk)
    screenshot(page, "public-contact-product-picked")
    page.click("button[type=submit]")
    page.locator("[data-testid=lead-thanks]").wait_for()
    assert list(Lead.objects.get(name="王先生").products.all()) == [water]
