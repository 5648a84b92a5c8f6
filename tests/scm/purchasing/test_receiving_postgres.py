"""Receiving on PostgreSQL: two posts of the same receipt at once count its stock once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import StockLevel, StockMove
from scm.purchasing import receiving
from scm.purchasing.models import PurchaseOrderLine, Receipt
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_posts_of_one_receipt_at_once_count_the_stock_once():
    user = UserFactory(roles=["warehouse"])
    product = ProductFactory()
    order = open_purchase_order(lines=[{"product": product, "quantity": Decimal("10")}])
    receipt = receiving.receipt_start(purchase_order=order, user=user)
    receiving.receipt_add_line(receipt=receipt, user=user, product=product, quantity="6")
    receiving.receipt_check(receipt=receipt, user=user)
    barrier = threading.Barrier(2)
    posted, refused, errors = [], [], []

    def worker():
        try:
            barrier.wait()
            receiving.receipt_post(receipt=Receipt.objects.get(pk=receipt.pk), user=user)
            posted.append(1)
        except ValidationError as exc:
            refused.append(exc)
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (len(posted), len(refused)) == (1, 1)
    assert "state" in refused[0].message_dict
    assert StockLevel.objects.get(product=product, warehouse=order.warehouse).on_hand == 6
    assert StockMove.objects.filter(reference=receipt.number).count() == 1
    line = PurchaseOrderLine.objects.get(order=order)
    assert (line.received_quantity, line.accepted_quantity) == (6, 6)
    assert stock_differences() == []
