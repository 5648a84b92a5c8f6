from decimal import Decimal

import factory

from crm.customers.models import Contact, Customer
from scm.inventory import services as stock
from tests.scm.inventory.factories import WarehouseFactory

CITIES = {
    "BJ": ("北京仓", Decimal("39.904200"), Decimal("116.407400")),
    "SH": ("上海仓", Decimal("31.230400"), Decimal("121.473700")),
    "GZ": ("广州仓", Decimal("23.129100"), Decimal("113.264400")),
}


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"客户{n}有限公司")
    # Near Shanghai (Suzhou) unless a test says otherwise.
    latitude = Decimal("31.298900")
    longitude = Decimal("120.585300")
    credit_limit = Decimal("0")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = "王经理"
    email = factory.Sequence(lambda n: f"buyer{n}@customer.example")
    is_primary = True


def three_warehouses():
    """北京, 上海 and 广州 warehouses with their coordinates, keyed by code."""
    out = {}
    for code, (name, lat, lng) in CITIES.items():
        out[code] = WarehouseFactory(code=code, name=name, latitude=lat, longitude=lng)
    return out


def receive(product, warehouse, quantity, lot_number="", expiry_date=None):
    return stock.stock_receive(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        lot_number=lot_number,
        expiry_date=expiry_date,
        reference="TEST-RECEIPT",
    )


def make_order(customer, owner, *lines):
    """A draft order through the sales service: ``lines`` are (product, quantity[, unit])."""
    from crm.sales.orders import services as order_services

    return order_services.order_create(
        customer=customer,
        owner=owner,
        lines=[
            {
                "product": line[0],
                "quantity": Decimal(str(line[1])),
                "unit": line[2] if len(line) > 2 else None,
            }
            for line in lines
        ],
    )


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fulfilment.Carrier"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"承运商{n}")
    transit_days = 2


def shipped_shipment(*, customer=None, carrier=None, shipped_at=None, expected=None, owner=None):
    """A shipment in state shipped, written directly (no stock flow): for delivery, survey and
    carrier figure tests that need only the shipped row."""
    from django.utils import timezone

    from integration.fulfilment.models import Shipment
    from tests.factories import UserFactory
    from tests.scm.inventory.factories import ProductFactory

    owner = owner or (customer.owner if customer is not None and customer.owner_id else None)
    owner = owner or UserFactory(roles=["manager"])
    customer = customer or CustomerFactory(owner=owner)
    order = make_order(customer, owner, (ProductFactory(), 1))
    shipped_at = shipped_at or timezone.now()
    return Shipment.objects.create(
        number=f"SH-T{Shipment.objects.count() + 1:05d}-{order.pk}",
        order=order,
        warehouse=WarehouseFactory(code="SH"),
        state=Shipment.State.SHIPPED,
        carrier=carrier.name if carrier else "",
        carrier_ref=carrier,
        tracking_number="T1",
        shipped_at=shipped_at,
        expected_delivery_on=expected,
    )
