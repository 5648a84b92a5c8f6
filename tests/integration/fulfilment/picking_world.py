"""Helpers of the picking tests: bins, stock put into them, orders reserved and pick lists."""

from decimal import Decimal

from integration.fulfilment import services, shipping
from scm.inventory import services as stock
from scm.inventory.models import Location
from tests.integration.fulfilment.factories import make_order


def make_bin(warehouse, code, sequence, barcode=""):
    return Location.objects.create(
        warehouse=warehouse, code=code, zone=code[0], sequence=sequence, barcode=barcode or f"LOC-{code}"
    )


def receive_into(product, warehouse, quantity, location=None, lot_number="", expiry_date=None):
    return stock.stock_receive(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        lot_number=lot_number,
        expiry_date=expiry_date,
        reference="TEST-RECEIPT",
        location=location,
    )


def reserved_order(customer, rep, capture, *lines, **fields):
    """An order confirmed and reserved (the reservation rule run on commit); ``fields`` are set
    on it before confirming (priority, requested_date)."""
    order = make_order(customer, rep, *lines)
    if fields:
        type(order).objects.filter(pk=order.pk).update(**fields)
    with capture(execute=True):
        services.order_confirm(order=order, user=rep)
    order.refresh_from_db()
    return order


def pick_list(order, warehouse, user=None):
    return shipping.shipment_start(order=order, warehouse=warehouse, user=user)


def picked(shipment) -> dict:
    """(product sku, bin code or None) → picked quantity."""
    return {
        (line.product.sku, line.location.code if line.location else None): line.picked_quantity
        for line in shipment.lines.select_related("product", "location")
    }


def D(value) -> Decimal:
    return Decimal(str(value))
