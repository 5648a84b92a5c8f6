"""The purchase pricing rule: quantity breaks, validity dates, packs and minimum orders, lead time."""

from datetime import date
from decimal import Decimal

import pytest

from scm.purchasing import pricing
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


def test_the_highest_break_at_or_below_the_quantity_applies():
    sp = SupplierProductFactory()
    SupplierPriceFactory(supplier_product=sp, min_quantity=0, unit_price=Decimal("10"))
    SupplierPriceFactory(supplier_product=sp, min_quantity=100, unit_price=Decimal("9"))
    SupplierPriceFactory(supplier_product=sp, min_quantity=500, unit_price=Decimal("8"))
    on = date(2026, 3, 1)
    assert pricing.supplier_price_for(supplier_product=sp, quantity=99, on_date=on) == Decimal("10")
    assert pricing.supplier_price_for(supplier_product=sp, quantity=100, on_date=on) == Decimal("9")
    assert pricing.supplier_price_for(supplier_product=sp, quantity=499, on_date=on) == Decimal("9")
    assert pricing.supplier_price_for(supplier_product=sp, quantity=5000, on_date=on) == Decimal("8")


def test_only_prices_valid_on_the_date_count():
    sp = SupplierProductFactory()
    SupplierPriceFactory(supplier_product=sp, unit_price=Decimal("10"), valid_to=date(2026, 2, 28))
    SupplierPriceFactory(supplier_product=sp, unit_price=Decimal("11"), valid_from=date(2026, 3, 1))
    assert pricing.supplier_price_for(supplier_product=sp, quantity=1, on_date=date(2026, 2, 28)) == Decimal(
        "10"
    )
    assert pricing.supplier_price_for(supplier_product=sp, quantity=1, on_date=date(2026, 3, 1)) == Decimal(
        "11"
    )


def test_no_valid_price_is_none():
    sp = SupplierProductFactory()
    SupplierPriceFactory(supplier_product=sp, min_quantity=10, unit_price=Decimal("10"))
    SupplierPriceFactory(supplier_product=sp, unit_price=Decimal("9"), valid_from=date(2027, 1, 1))
    assert pricing.supplier_price_for(supplier_product=sp, quantity=5, on_date=date(2026, 3, 1)) is None


def test_expected_date_is_order_date_plus_lead_time():
    sp = SupplierProductFactory(lead_time_days=10)
    assert pricing.expected_date_for(sp, date(2026, 3, 25)) == date(2026, 4, 4)


def test_suggested_quantity_rounds_up_to_packs_and_minimum():
    sp = SupplierProductFactory(pack_size=Decimal("12"), min_order_quantity=Decimal("48"))
    assert pricing.suggested_quantity(sp, Decimal("5")) == Decimal("48")
    assert pricing.suggested_quantity(sp, Decimal("49")) == Decimal("60")
    assert pricing.suggested_quantity(sp, Decimal("60")) == Decimal("60")


def test_suggested_quantity_converts_base_units_to_the_supplier_unit():
    product = ProductFactory()
    box = ProductUnitFactory(product=product, factor=Decimal("24"))
    sp = SupplierProductFactory(product=product, unit=box, pack_size=Decimal("2"))
    # 50 pieces → 3 boxes → packs of 2 boxes → 4 boxes
    assert pricing.suggested_quantity(sp, Decimal("50")) == Decimal("4")


def test_preferred_supplier_product_skips_inactive_suppliers():
    product = ProductFactory()
    SupplierProductFactory(product=product, supplier=SupplierFactory(is_active=False))
    assert pricing.preferred_supplier_product(product.pk) is None


def test_suggested_quantity_is_written_plainly():
    sp = SupplierProductFactory(pack_size=Decimal("50.000"))
    assert str(pricing.suggested_quantity(sp, Decimal("480"))) == "500"
