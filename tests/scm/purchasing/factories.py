"""Purchasing records for tests. Orders made here are rows, not the result of the services:
tests of a service build their order through that service; these serve tests of what reads
or builds on an order (receiving, bills, scorecards)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from scm.purchasing.incoming import order_incoming_sync
from scm.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierContact,
    SupplierPrice,
    SupplierProduct,
)
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"V{n:05d}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    payment_terms_days = 30


class SupplierContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierContact

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.LazyAttribute(lambda c: f"contact{c.supplier.pk}@supplier.example.com")
    is_primary = True


class SupplierProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierProduct

    supplier = factory.SubFactory(SupplierFactory)
    product = factory.SubFactory(ProductFactory)
    lead_time_days = 7
    is_preferred = True


class SupplierPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierPrice

    supplier_product = factory.SubFactory(SupplierProductFactory)
    min_quantity = Decimal("0")
    unit_price = Decimal("50.0000")


class PurchaseOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseOrder

    number = factory.Sequence(lambda n: f"PO-TEST-{n:06d}")
    supplier = factory.SubFactory(SupplierFactory)
    owner = factory.SubFactory(UserFactory, roles=["purchasing"])
    warehouse = factory.SubFactory(WarehouseFactory)
    state = PurchaseOrder.State.SENT
    order_date = factory.LazyFunction(timezone.localdate)


class PurchaseOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseOrderLine

    order = factory.SubFactory(PurchaseOrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = Decimal("10")
    base_quantity = factory.LazyAttribute(lambda line: line.quantity)
    unit_price = Decimal("50.0000")
    tax_rate = Decimal("0.13")
    net_amount = factory.LazyAttribute(
        lambda line: (line.quantity * line.unit_price).quantize(Decimal("0.01"))
    )
    tax_amount = factory.LazyAttribute(
        lambda line: (line.net_amount * line.tax_rate).quantize(Decimal("0.01"))
    )
    expected_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


def open_purchase_order(*, lines=(), **kwargs) -> PurchaseOrder:
    """A sent purchase order with ``lines`` (dicts of PurchaseOrderLineFactory arguments), its
    totals summed and its lines registered as incoming supply."""
    order = PurchaseOrderFactory(**kwargs)
    made = [PurchaseOrderLineFactory(order=order, **line) for line in (lines or [{}])]
    order.subtotal = sum((line.net_amount for line in made), Decimal(0))
    order.tax_total = sum((line.tax_amount for line in made), Decimal(0))
    order.total = order.subtotal + order.tax_total
    order.save(update_fields=["subtotal", "tax_total", "total"])
    order_incoming_sync(order)
    return order
