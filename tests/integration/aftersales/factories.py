"""A lot received on a real purchase receipt and shipped to customers through the real
fulfilment services: what the after-sales tests trace."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.events import names
from core.events.services import publish
from crm.service.models import Category
from integration.fulfilment import services as fulfilment
from integration.fulfilment import shipping
from integration.fulfilment.models import Shipment, ShipmentLine
from scm.purchasing import receiving
from tests.crm.service.factories import TicketFactory
from tests.integration.fulfilment.factories import ContactFactory, CustomerFactory, make_order
from tests.scm.inventory.factories import lot_product
from tests.scm.purchasing.factories import SupplierFactory, open_purchase_order


def received_lot(*, warehouse, user, quantity="100", number="L-JAM-1", product=None, supplier=None):
    """``quantity`` of lot ``number`` received from a supplier on a posted purchase receipt.
    Returns (lot, receipt)."""
    product = product or lot_product()
    supplier = supplier or SupplierFactory(name="宏达耗材")
    order = open_purchase_order(
        supplier=supplier, warehouse=warehouse, lines=[{"product": product, "quantity": Decimal(quantity)}]
    )
    receipt = receiving.receipt_start(purchase_order=order, user=user)
    receiving.receipt_add_line(
        receipt=receipt,
        user=user,
        product=product,
        quantity=quantity,
        lot_number=number,
        expiry_date=timezone.localdate() + timedelta(days=720),
    )
    receiving.receipt_check(receipt=receipt, user=user)
    receiving.receipt_post(receipt=receipt, user=user)
    receipt.refresh_from_db()
    line = receipt.lines.select_related("lot").get()
    return line.lot, receipt


def customer_of(rep, **kwargs):
    customer = CustomerFactory(owner=rep, **kwargs)
    ContactFactory(customer=customer, name=f"{customer.name}联系人", phone="13800000000")
    return customer


def confirmed(customer, rep, product, quantity, capture):
    rep = customer.owner or rep
    order = make_order(customer, rep, (product, quantity))
    with capture(execute=True):
        fulfilment.order_confirm(order=order, user=rep)
    order.refresh_from_db()
    return order


def ship(customer, rep, picker, lot, quantity, warehouse, capture) -> Shipment:
    """An order for ``quantity`` of the lot's product, reserved, picked and shipped."""
    order = confirmed(customer, rep, lot.product, quantity, capture)
    shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=picker)
    picked = {line.pk: line.quantity for line in ShipmentLine.objects.filter(shipment=shipment)}
    with capture(execute=True):
        return shipping.shipment_ship(
            shipment=shipment,
            carrier="顺丰",
            tracking_number=f"SF{shipment.pk:08d}",
            user=picker,
            quantities=picked,
        )


def complaint(customer, lot, *, category=Category.QUALITY, capture=None, **kwargs):
    """A complaint ticket about the lot opened through the service desk (``ticket_open``, which
    publishes ``ticket.opened``); with extra fields (a complaint opened already confirmed, say)
    the ticket is made as given and the test publishes the event."""
    if not kwargs:
        from crm.service.services import ticket_open

        def opened():
            return ticket_open(customer=customer, category=category, subject="卡纸", lot=lot)

        if capture is None:
            return opened()
        with capture(execute=True):
            return opened()
    ticket = TicketFactory(customer=customer, lot=lot, product=lot.product, category=category, **kwargs)
    payload = {
        "ticket_id": ticket.pk,
        "customer_id": customer.pk,
        "category": str(category),
        "product_id": lot.product_id,
        "lot_id": lot.pk,
    }
    if capture is None:
        publish(names.TICKET_OPENED, payload)
    else:
        with capture(execute=True):
            publish(names.TICKET_OPENED, payload)
    return ticket
