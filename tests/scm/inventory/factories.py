from decimal import Decimal

import factory

from scm.inventory.models import Category, Product, ProductUnit, Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.LazyAttribute(lambda w: f"Warehouse {w.code}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    list_price = Decimal("100.00")
    cost = Decimal("60.0000")


class ProductUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductUnit

    product = factory.SubFactory(ProductFactory)
    name = "box"
    factor = Decimal("24")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


def lot_product(**kwargs):
    return ProductFactory(tracking=Product.Tracking.LOT, **kwargs)


def serial_product(**kwargs):
    return ProductFactory(tracking=Product.Tracking.SERIAL, **kwargs)
