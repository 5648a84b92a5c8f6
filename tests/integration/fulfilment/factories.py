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
