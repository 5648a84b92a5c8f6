"""What a receipt does to the product's moving-average cost."""

from decimal import Decimal

import pytest

from scm.inventory.models import Product, Warehouse
from scm.inventory.services import stock_receive
from scm.purchasing import receiving
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db


def test_rejected_goods_returned_to_the_supplier_leave_the_average_cost_untouched(warehouse_user):
    """10 on hand at 40; 10 arrive at 60, 4 are rejected and go back: the 16 kept average
    (400 + 6 × 60) / 16 = 47.50, as if the 4 had never come."""
    product = ProductFactory(cost=Decimal("0"))
    stock_receive(
        product=product, warehouse=Warehouse.objects.create(code="OLD", name="old"), quantity=10, unit_cost=40
    )
    order = open_purchase_order(
        lines=[{"product": product, "quantity": Decimal("10"), "unit_price": Decimal("60")}]
    )
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    line = receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity="10")
    receiving.receipt_check(
        receipt=receipt,
        user=warehouse_user,
        results=[
            {"line": line.pk, "rejected_quantity": "4", "reject_reason": "dented", "reject_action": "return"}
        ],
    )
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert Product.objects.values_list("cost", flat=True).get(pk=product.pk) == Decimal("47.5000")
