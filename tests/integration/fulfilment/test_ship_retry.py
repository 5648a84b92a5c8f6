"""Shipping runs again on a deadlock instead of answering the picker 409."""

import pytest

from crm.sales.models import SalesOrder
from integration.fulfilment import services, shipping
from integration.fulfilment.models import Shipment
from scm.inventory.models import StockLevel
from tests.deadlocks import deadlock_once
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory


@pytest.mark.django_db(transaction=True)
def test_ship_that_meets_a_deadlock_is_run_again_and_ships_once(
    sales_user, warehouse_user, monkeypatch, django_capture_on_commit_callbacks
):
    warehouse = three_warehouses()["SH"]
    product = ProductFactory()
    receive(product, warehouse, 5)
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (product, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=warehouse_user)
    line = shipment.lines.get()
    # After the stock moved: the retry must undo it all and start again.
    calls = deadlock_once(monkeypatch, shipping, "_consume")

    shipped = shipping.shipment_ship(
        shipment=shipment, carrier="SF", tracking_number="SF1", user=warehouse_user, quantities={line.pk: 2}
    )

    assert len(calls) == 2
    assert shipped.state == Shipment.State.SHIPPED
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (3, 0)
    assert SalesOrder.objects.get(pk=order.pk).state == SalesOrder.State.INVOICED  # shipped, then invoiced
