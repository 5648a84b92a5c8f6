"""Building purchase orders through the services, for tests of what they do."""

from decimal import Decimal

from scm.purchasing import orders
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import (
    SupplierContactFactory,
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
)


def supplier_with_product(*, price="50", lead_time_days=7, **product_kwargs):
    """An active supplier (with a warehouse and a primary contact) selling a product at
    ``price`` with ``lead_time_days``; returns (supplier, product)."""
    supplier = SupplierFactory(default_warehouse=WarehouseFactory(), name="上海申华贸易有限公司")
    SupplierContactFactory(supplier=supplier, email="buyer-desk@supplier.example.com")
    product = ProductFactory(**product_kwargs)
    sp = SupplierProductFactory(supplier=supplier, product=product, lead_time_days=lead_time_days)
    SupplierPriceFactory(supplier_product=sp, unit_price=Decimal(price))
    return supplier, product


def draft_order(user, *, quantity="10", price="50", **kwargs):
    supplier, product = supplier_with_product(price=price, **kwargs)
    order = orders.purchase_order_create(
        supplier=supplier, user=user, lines=[{"product": product, "quantity": quantity}]
    )
    return order, product
