"""Purchase to order on PostgreSQL: two people buying for the same backordered line at the same
moment buy it once (the sales order is locked), and two approvals of one purchase order approve
it once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from crm.sales.models import SalesOrder
from integration.fulfilment.purchase_to_order import order_line_purchase
from scm.purchasing import orders
from scm.purchasing.models import PurchaseOrderLine, PurchasingSettings
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(func, count=2) -> list:
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(func())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_buyers_at_once_buy_a_line_once():
    buyer = UserFactory(roles=["purchasing"])
    manager = UserFactory(roles=["manager"])
    rep = UserFactory(roles=["sales"])
    product = ProductFactory()
    supplier = SupplierFactory(buyer=buyer, default_warehouse=WarehouseFactory())
    sp = SupplierProductFactory(supplier=supplier, product=product)
    SupplierPriceFactory(supplier_product=sp, unit_price=Decimal("5"))
    order = make_order(CustomerFactory(owner=rep), rep, (product, 7))
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.CONFIRMED)
    line = order.lines.get()
    users = iter([buyer, manager])
    outcomes = _race(lambda: order_line_purchase(line=line, user=next(users)))
    assert sum(isinstance(o, PurchaseOrderLine) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert PurchaseOrderLine.objects.filter(demand=line.demand).count() == 1


def test_two_approvals_at_once_approve_once():
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("1")})
    buyer = UserFactory(roles=["purchasing"])
    managers = iter([UserFactory(roles=["manager"]), UserFactory(roles=["manager"])])
    supplier = SupplierFactory(default_warehouse=WarehouseFactory())
    product = ProductFactory()
    po = orders.purchase_order_create(
        supplier=supplier, user=buyer, lines=[{"product": product, "quantity": "3", "unit_price": "9"}]
    )
    orders.purchase_order_submit(order=po, user=buyer)
    outcomes = _race(lambda: orders.purchase_order_approve(order=po, user=next(managers)))
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert po.events.filter(kind="approved").count() == 1
