"""The whole order-to-cash loop, step by step with stock, ledger and balance checks; shared by the
in-process test (SQLite or PostgreSQL) and the live-worker test."""

from decimal import Decimal

from django.db.models import Sum

from crm.sales.models import SalesOrder
from crm.sales.orders import quote_services
from finance.models import Invoice
from finance.selectors import open_receivables
from integration.fulfilment import services, shipping
from integration.fulfilment.models import Shipment
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import StockLevel, StockMove


def levels(product):
    agg = StockLevel.objects.filter(product=product).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    ledger = StockMove.objects.filter(product=product).aggregate(q=Sum("quantity"))["q"] or Decimal(0)
    return agg["on_hand"] or Decimal(0), agg["reserved"] or Decimal(0), ledger


def run_loop(*, customer, rep, picker, finance_user, product, warehouse, wait):
    """``wait(predicate)`` returns once ``predicate()`` holds (at once in-process, by polling with
    a live worker). Returns the paid order."""
    from finance import payments

    assert levels(product) == (10, 0, 10)
    quote = quote_services.quote_create(
        customer=customer, owner=rep, lines=[{"product": product, "quantity": 4}]
    )
    order = quote_services.quote_accept(quote=quote, user=rep)
    assert order.state == SalesOrder.State.DRAFT

    services.order_confirm(order=order, user=rep)
    wait(lambda: SalesOrder.objects.get(pk=order.pk).state == SalesOrder.State.RESERVED)
    assert levels(product) == (10, 4, 10)
    assert open_receivables(customer_id=customer.pk) == 0

    shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=picker)
    for _ in range(4):
        shipping.shipment_scan(shipment=shipment, code=product.barcode, user=picker)
    assert shipment.lines.get().picked_quantity == 4
    assert levels(product) == (10, 4, 10)

    shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF100200300", user=picker)
    assert levels(product) == (6, 0, 6)
    wait(lambda: SalesOrder.objects.get(pk=order.pk).state == SalesOrder.State.INVOICED)
    invoice = Invoice.objects.get(pk=Shipment.objects.get(pk=shipment.pk).invoice_id)
    order.refresh_from_db()
    assert invoice.total == order.total
    assert open_receivables(customer_id=customer.pk) == order.total

    payments.payment_record(customer=customer, amount=invoice.total, reference="BANK-1", user=finance_user)
    wait(lambda: SalesOrder.objects.get(pk=order.pk).state == SalesOrder.State.PAID)
    assert open_receivables(customer_id=customer.pk) == 0
    assert levels(product) == (6, 0, 6)
    assert stock_differences() == []
    return SalesOrder.objects.get(pk=order.pk)
