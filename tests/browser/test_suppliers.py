"""The supplier list and the supplier page in a real browser (screenshots in test-artifacts/)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, TABLET, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supplier_world(purchasing_user):
    from scm.purchasing.models import Receipt, ReceiptLine
    from tests.factories import UserFactory
    from tests.scm.inventory.factories import ProductFactory
    from tests.scm.purchasing.factories import (
        SupplierContactFactory,
        SupplierFactory,
        SupplierPriceFactory,
        SupplierProductFactory,
        open_purchase_order,
    )

    supplier = SupplierFactory(
        name="华为技术有限公司", buyer=purchasing_user, phone="0755-28780808", email="po@huawei.example.com"
    )
    for name in ("中兴通讯", "联想集团", "小米科技"):
        SupplierFactory(name=name, buyer=purchasing_user)
    SupplierContactFactory(supplier=supplier, name="李雷", title="销售经理", phone="13800000000")
    product = ProductFactory(sku="HW-ROUTER", name="路由器 AX3")
    item = SupplierProductFactory(supplier=supplier, product=product, supplier_code="AX3-01", pack_size=10)
    SupplierPriceFactory(supplier_product=item, min_quantity=0, unit_price=Decimal("199"))
    SupplierPriceFactory(supplier_product=item, min_quantity=100, unit_price=Decimal("185"))
    order = open_purchase_order(
        supplier=supplier,
        order_date=timezone.localdate() - timedelta(days=10),
        lines=[{"product": product, "expected_date": timezone.localdate() - timedelta(days=2)}],
    )
    receipt = Receipt.objects.create(
        number="RC-2026-000001",
        purchase_order=order,
        supplier=supplier,
        warehouse=order.warehouse,
        state=Receipt.State.POSTED,
        received_by=UserFactory(),
        posted_at=timezone.now() - timedelta(days=3),
    )
    ReceiptLine.objects.create(
        receipt=receipt,
        po_line=order.lines.get(),
        product=product,
        quantity=10,
        accepted_quantity=9,
        rejected_quantity=1,
    )
    return supplier


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET])
def test_supplier_list_and_page(purchasing_user, supplier_world, open_page, screenshot, viewport):
    page = open_page(viewport)
    login(page, purchasing_user.username)
    page.goto("/purchasing/suppliers/")
    page.wait_for_selector("[data-testid=supplier-table]")
    assert page.locator("[data-supplier]").count() == 4
    screenshot(page, "supplier-list")
    page.fill("[data-testid=supplier-search]", "hw")
    page.press("[data-testid=supplier-search]", "Enter")
    page.wait_for_url("**q=hw**")
    assert page.locator("[data-supplier]").count() == 1
    page.click(f"[data-supplier='{supplier_world.pk}'] a")
    page.wait_for_selector("[data-testid=scorecard]")
    assert page.locator("[data-testid=quality]").inner_text() == "90.0%"
    screenshot(page, "supplier-page")
