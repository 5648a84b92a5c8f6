"""Prices in a real browser: the price lists and promotions pages, an order showing where each
price came from and its promotion, the order form's live prices, the bulk change preview
(screenshots in test-artifacts/)."""

from decimal import Decimal

import pytest

from tests.browser.conftest import DESKTOP, login
from tests.browser.picker_steps import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def price_world(manager_user, sales_user):
    from crm.sales.orders import services as order_services
    from scm.inventory.models import Brand
    from tests.crm.sales.factories import CustomerFactory
    from tests.crm.sales.prices.factories import CustomerGroupFactory, buy_get, order_discount, price_list
    from tests.scm.inventory.factories import CategoryFactory, ProductFactory, ProductUnitFactory

    group = CustomerGroupFactory(code="KEY", name="重点客户")
    customer = CustomerFactory(name="华通贸易有限公司", owner=sales_user, group=group, credit_limit=0)
    office = CategoryFactory(name="办公用品")
    brand = Brand.objects.create(name="得力")
    paper = ProductFactory(
        sku="OF-A4-70", name="A4 复印纸 70g", category=office, brand=brand, list_price=Decimal("24")
    )
    ProductUnitFactory(product=paper, name="箱", factor=Decimal("5"))
    pen = ProductFactory(sku="OF-GP-05B", name="中性笔 0.5mm 黑", category=office, list_price=Decimal("2"))
    mouse = ProductFactory(sku="EL-MS-M330", name="无线静音鼠标", list_price=Decimal("129"))
    price_list(group=group, name="重点客户年度协议价", lines=[(mouse, "119"), (paper, "22.8")])
    price_list(
        customer=customer,
        name="华通 框架协议价",
        lines=[(paper, "22.5"), (paper, "21.8", 50), (paper, "20.9", 200)],
    )
    order_discount(name="满 10,000 享 9 折")
    buy_get(buy=paper, buy_quantity=50, get=pen, get_quantity=12, name="买 10 箱 A4 纸 送 1 盒中性笔")
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[
            {"product": mouse, "quantity": 80},
            {"product": paper, "quantity": 60},
            {"product": pen, "quantity": 12},
            {"product": pen, "quantity": 5, "unit_price": "1.50"},
        ],
    )
    return {"customer": customer, "order": order, "office": office, "paper": paper}


def test_price_pages_show_lists_promotions_and_sources(open_page, screenshot, manager_user, price_world):
    page = open_page(DESKTOP)
    login(page, manager_user.username)
    page.goto("/sales/price-lists/")
    page.wait_for_selector("[data-testid=price-list-list] tbody tr")
    assert page.locator("[data-testid=price-list-list] tbody tr").count() == 2
    screenshot(page, "price-lists")
    page.click("text=华通 框架协议价")
    page.wait_for_selector("[data-testid=price-list-lines]")
    assert "20.90" in page.inner_text("[data-testid=price-list-lines]")
    screenshot(page, "price-list")
    page.goto("/sales/promotions/")
    page.wait_for_selector("[data-testid=promotion-list] tbody tr")
    screenshot(page, "promotions")
    page.goto(f"/sales/orders/{price_world['order'].pk}/")
    page.wait_for_selector("[data-testid=order-promotion]")
    sources = page.locator("[data-testid=order-lines] .price-source").all_inner_texts()
    assert len(sources) == 4 and "#" in sources[0]
    screenshot(page, "order-price-sources")


def test_the_order_form_shows_live_prices(open_page, screenshot, sales_user, price_world):
    page = open_page(DESKTOP)
    login(page, sales_user.username)
    page.goto(f"/sales/orders/{price_world['order'].pk}/edit/")
    page.wait_for_selector("#price-lines-0 [data-price-source]")
    page.wait_for_selector("[data-testid=totals-promotion]")
    assert page.locator("#price-lines-3 [data-price-source=manual]").count() == 1
    screenshot(page, "order-form-live-prices")


def test_the_bulk_change_previews_every_product(open_page, screenshot, manager_user, price_world):
    page = open_page(DESKTOP)
    login(page, manager_user.username)
    page.goto(f"/sales/bulk-prices/?category={price_world['office'].pk}&method=percent&direction=up&value=5")
    page.wait_for_selector("[data-testid=bulk-preview] tbody tr[data-product]")
    assert page.locator("[data-testid=bulk-preview] tbody tr[data-product]").count() == 2
    screenshot(page, "bulk-price-preview")


def test_the_forms_show_refusals_next_to_their_fields(open_page, screenshot, manager_user, price_world):
    page = open_page(DESKTOP)
    login(page, manager_user.username)
    page.goto("/sales/promotions/new/")
    page.fill("#id_name", "国庆满减")
    page.fill("#id_valid_from", "2026-10-01")
    page.fill("#id_threshold", "5000")
    page.fill("#id_discount_percent", "120")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-field-error=valid_until]")
    assert page.locator("[data-field-error=valid_until]").count() == 1
    screenshot(page, "promotion-form-refused")
    page.goto(f"/sales/price-lists/new/?customer={price_world['customer'].pk}")
    page.fill("#id_name", "重复的价目表")
    page.fill("#id_valid_from", "2026-01-01")
    pick(page, "id_lines-0-product", price_world["paper"].sku, price_world["paper"].pk)
    page.fill("#id_lines-0-price", "20")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-field-error=lines-0-product]")
    screenshot(page, "price-list-form-overlap")
