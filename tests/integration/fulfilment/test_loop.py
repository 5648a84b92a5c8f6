from decimal import Decimal

import pytest

from crm.sales.models import SalesOrder
from integration.fulfilment import services, shipping
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.integration.fulfilment.loop import run_loop
from tests.scm.inventory.factories import ProductFactory


@pytest.mark.django_db(transaction=True)
def test_whole_loop_quote_to_paid_in_process(sales_user, warehouse_user, finance_user):
    """Real commits, tasks run in-process right after each commit (the embedded default)."""
    warehouses = three_warehouses()
    product = ProductFactory(barcode="6901111111111", list_price=Decimal("25.00"))
    receive(product, warehouses["SH"], 10)
    customer = CustomerFactory(owner=sales_user, credit_limit=Decimal("100000"))
    ContactFactory(customer=customer)

    def wait(predicate):
        assert predicate()

    order = run_loop(
        customer=customer,
        rep=sales_user,
        picker=warehouse_user,
        finance_user=finance_user,
        product=product,
        warehouse=warehouses["SH"],
        wait=wait,
    )
    assert order.state == SalesOrder.State.PAID
    kinds = set(order.events.values_list("kind", flat=True))
    assert {"reserved", "shipped", "invoiced", "customer_notified"} <= kinds


@pytest.mark.django_db
def test_order_is_not_paid_while_another_invoice_is_open(
    sales_user, finance_user, django_capture_on_commit_callbacks
):
    from finance import payments

    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 10)
    customer = CustomerFactory(owner=sales_user)
    order = make_order(customer, sales_user, (product, 4))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    invoices = []
    for qty in (1, 3):
        shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
        with django_capture_on_commit_callbacks(execute=True):
            shipping.shipment_ship(
                shipment=shipment,
                carrier="顺丰",
                tracking_number=f"SF{qty}",
                quantities={shipment.lines.get().pk: qty},
            )
        shipment.refresh_from_db()
        invoices.append(shipment.invoice_id)
    order.refresh_from_db()
    assert order.state == SalesOrder.State.INVOICED
    from finance.models import Invoice

    first = Invoice.objects.get(pk=invoices[0])
    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_record(
            customer=customer, amount=first.total, allocations=[{"invoice": first, "amount": first.total}]
        )
    order.refresh_from_db()
    assert order.state == SalesOrder.State.INVOICED
    second = Invoice.objects.get(pk=invoices[1])
    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_record(
            customer=customer, amount=second.total, allocations=[{"invoice": second, "amount": second.total}]
        )
    order.refresh_from_db()
    assert order.state == SalesOrder.State.PAID
