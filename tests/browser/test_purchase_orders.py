"""Purchase orders in a real browser: the list, an order's page and the new-order form, where
choosing a product fills the supplier's price and the expected date (htmx)."""

from decimal import Decimal

import pytest

from tests.browser.conftest import DESKTOP, login
from tests.browser.picker_steps import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def purchasing_world(purchasing_user):
    from scm.purchasing import orders
    from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
    from tests.scm.purchasing.factories import (
        SupplierContactFactory,
        SupplierFactory,
        SupplierPriceFactory,
        SupplierProductFactory,
    )

    warehouse = WarehouseFactory(code="SH", name="上海仓")
    supplier = SupplierFactory(name="上海申华贸易有限公司", default_warehouse=warehouse)
    SupplierContactFactory(supplier=supplier)
    products = [
        ProductFactory(sku="WTR-550", name="矿泉水 550ml 整箱"),
        ProductFactory(sku="TEA-250", name="乌龙茶 250ml"),
    ]
    for product, price in zip(products, ("24.50", "3.20"), strict=True):
        sp = SupplierProductFactory(supplier=supplier, product=product, lead_time_days=5)
        SupplierPriceFactory(supplier_product=sp, unit_price=Decimal(price))
    order = orders.purchase_order_create(
        supplier=supplier,
        user=purchasing_user,
        lines=[{"product": products[0], "quantity": "120"}, {"product": products[1], "quantity": "48"}],
    )
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    orders.purchase_order_create(
        supplier=supplier, user=purchasing_user, lines=[{"product": products[1], "quantity": "10"}]
    )
    low = ProductFactory(
        sku="CUP-01", name="纸杯 9 盎司", reorder_point=Decimal("100"), reorder_quantity=Decimal("500")
    )
    cups = SupplierProductFactory(supplier=supplier, product=low, pack_size=Decimal("50"))
    SupplierPriceFactory(supplier_product=cups, unit_price=Decimal("0.18"))
    return order, supplier, products


def test_buyer_sees_the_list_the_order_and_fills_a_line_from_the_supplier_price(
    purchasing_user, purchasing_world, open_page, screenshot
):
    from playwright.sync_api import expect

    order, supplier, products = purchasing_world
    page = open_page(DESKTOP)
    login(page, purchasing_user.username)
    page.goto("/purchasing/orders/")
    assert page.locator("[data-testid=po-list] tbody tr").count() == 2
    screenshot(page, "po-list")

    page.goto(f"/purchasing/orders/{order.pk}/")
    assert order.number in page.locator("[data-testid=po-header]").inner_text()
    assert page.locator("[data-action=cancel]").is_visible()
    screenshot(page, "po-detail")

    page.goto(f"/purchasing/orders/new/?supplier={supplier.pk}")
    pick(page, "id_product", "WTR", products[0].pk)
    expect(page.locator("#line-unit-price")).to_have_value("24.5000")
    assert page.input_value("#line-expected") != ""
    screenshot(page, "po-form")


def test_buyers_home_shows_what_to_reorder_and_one_click_orders_it(
    purchasing_user, purchasing_world, open_page, screenshot
):
    from integration.planning import engine
    from scm.purchasing.models import PurchaseOrder

    engine.planning_run()  # CUP-01 has no history: its hand-set point (100) and quantity (500)
    page = open_page(DESKTOP)
    login(page, purchasing_user.username)
    page.goto("/")
    panel = page.locator("[data-testid=today-suggestions]")
    assert "CUP-01" in panel.inner_text()
    screenshot(page, "po-home")
    page.locator('[data-panel="planning.suggestions"] [data-testid=see-all]').click()
    page.wait_for_selector("[data-testid=suggestion-list]")
    page.locator("[data-testid=suggestion-list] tbody tr", has_text="CUP-01").locator(
        "input[type=checkbox]"
    ).check()
    with page.expect_navigation():
        page.locator("[data-testid=accept]").click()
    order = PurchaseOrder.objects.get(state=PurchaseOrder.State.DRAFT, lines__product__sku="CUP-01")
    assert order.lines.get().quantity == Decimal("600")
    assert order.number in page.content()
