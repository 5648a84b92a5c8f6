"""The products picker (``scm.inventory.pickers``): type-ahead over SKU, name, pinyin and
initials, and scans: a product barcode, a unit (box) barcode or a SKU given in full comes first,
marked exact, with the unit of a unit barcode. Only active products that are not templates."""

import pytest
from django.urls import reverse

from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


def _rows(client, q=""):
    response = client.get(reverse("inventory-product-picker"), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def water(db):
    return ProductFactory(sku="WTR-550", name="矿泉水 550ml", barcode="6901234567892")


@pytest.mark.parametrize(
    "typed", ["kqs", "kuangquanshui", "quanshui", "矿泉水", "泉水", "wtr", "WTR-5", "tr-55"]
)
def test_a_product_is_found_by_initials_pinyin_name_and_sku(client, sales_user, water, typed):
    ProductFactory(sku="TEA-250", name="乌龙茶 250ml")
    client.force_login(sales_user)
    assert [r["id"] for r in _rows(client, typed)] == [water.pk]


def test_a_scanned_product_barcode_comes_first_and_exact(client, sales_user, water):
    ProductFactory(sku="6901234567892-X", name="Same digits in the SKU")
    client.force_login(sales_user)
    rows = _rows(client, "6901234567892")
    assert rows[0]["id"] == water.pk and rows[0]["exact"] is True
    assert all("exact" not in r for r in rows[1:])


def test_a_scanned_unit_barcode_picks_its_product_and_names_the_unit(client, sales_user, water):
    box = ProductUnitFactory(product=water, name="箱", factor=24, barcode="16901234567899")
    client.force_login(sales_user)
    row = _rows(client, "16901234567899")[0]
    assert row["id"] == water.pk and row["exact"] is True
    assert row["unit"] == {"id": box.pk, "name": "箱", "factor": "24"}


def test_a_sku_typed_in_full_comes_first(client, sales_user, water):
    longer = ProductFactory(sku="WTR-5500", name="矿泉水 5.5L")
    client.force_login(sales_user)
    rows = _rows(client, "wtr-550")
    assert [r["id"] for r in rows] == [water.pk, longer.pk]
    assert rows[0]["exact"] is True and "exact" not in rows[1]


def test_inactive_products_and_templates_are_not_found(client, sales_user, water):
    ProductFactory(sku="WTR-OLD", name="矿泉水 旧", is_active=False)
    ProductFactory(sku="WTR-TPL", name="矿泉水 模板", is_template=True)
    client.force_login(sales_user)
    assert [r["id"] for r in _rows(client, "kqs")] == [water.pk]
    assert [r["id"] for r in _rows(client)] == [water.pk]


def test_a_row_carries_the_name_with_sku_and_barcode_under_it(client, sales_user, water):
    client.force_login(sales_user)
    row = _rows(client, "kqs")[0]
    assert row["text"] == "矿泉水 550ml" and row["secondary"] == "WTR-550 · 6901234567892"
