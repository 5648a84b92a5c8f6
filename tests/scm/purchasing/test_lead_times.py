"""Purchasing keeps each product's lead time in inventory (``Product.lead_time_days``, what a
promise date falls back on): the preferred active supplier's, else the shortest active one's,
else unknown — through every service that changes them, and filled for existing products by
the data migration."""

import importlib

import pytest
from django.apps import apps

from scm.inventory.models import Product
from scm.purchasing import services
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


def lead(product):
    return Product.objects.get(pk=product.pk).lead_time_days


def test_a_new_supplier_product_gives_the_product_its_lead_time():
    product = ProductFactory()
    services.supplier_product_create(supplier=SupplierFactory(), product=product, lead_time_days=12)
    assert lead(product) == 12


def test_the_preferred_suppliers_lead_time_wins_over_a_shorter_one():
    product = ProductFactory()
    services.supplier_product_create(supplier=SupplierFactory(), product=product, lead_time_days=5)
    services.supplier_product_create(
        supplier=SupplierFactory(), product=product, lead_time_days=20, is_preferred=True
    )
    assert lead(product) == 20


def test_changing_the_preferred_suppliers_lead_time_changes_the_products():
    product = ProductFactory()
    item = services.supplier_product_create(
        supplier=SupplierFactory(), product=product, lead_time_days=7, is_preferred=True
    )
    services.supplier_product_update(item=item, lead_time_days="15")
    assert lead(product) == 15


def test_a_deactivated_supplier_no_longer_gives_its_lead_time():
    product = ProductFactory()
    slow = SupplierFactory()
    services.supplier_product_create(supplier=slow, product=product, lead_time_days=30, is_preferred=True)
    services.supplier_product_create(supplier=SupplierFactory(), product=product, lead_time_days=8)
    services.supplier_deactivate(supplier=slow)
    assert lead(product) == 8
    services.supplier_activate(supplier=slow)
    assert lead(product) == 30


def test_a_product_without_suppliers_has_an_unknown_lead_time():
    product = ProductFactory()
    item = services.supplier_product_create(supplier=SupplierFactory(), product=product, lead_time_days=4)
    services.supplier_product_delete(item=item)
    assert lead(product) is None


def test_the_data_migration_fills_existing_products_by_the_same_rule():
    preferred, shortest, none = ProductFactory(), ProductFactory(), ProductFactory()
    SupplierProductFactory(product=preferred, lead_time_days=3, is_preferred=False)
    SupplierProductFactory(product=preferred, lead_time_days=11, is_preferred=True)
    SupplierProductFactory(product=shortest, lead_time_days=9, is_preferred=False)
    SupplierProductFactory(product=shortest, lead_time_days=6, is_preferred=False)
    SupplierProductFactory(product=shortest, lead_time_days=1, is_preferred=False, is_active=False)
    Product.objects.update(lead_time_days=None)
    importlib.import_module("scm.purchasing.migrations.0004_product_lead_times").fill(apps, None)
    assert (lead(preferred), lead(shortest), lead(none)) == (11, 6, None)
