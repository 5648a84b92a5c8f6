"""Receiving lot-tracked goods: one lot number on a receipt has one expiry date."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from scm.purchasing import receiving
from scm.purchasing.models import ReceiptLine
from tests.scm.inventory.factories import lot_product
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate() + timedelta(days=365)


@pytest.fixture
def counting(warehouse_user):
    """A receipt of a lot-tracked product with 4 of lot L1 (expiring next year) counted."""
    product = lot_product()
    order = open_purchase_order(lines=[{"product": product}])
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    receiving.receipt_add_line(
        receipt=receipt,
        user=warehouse_user,
        product=product,
        quantity="4",
        lot_number="L1",
        expiry_date=NEXT_YEAR,
    )
    return receipt, product


def test_the_same_lot_with_another_expiry_is_refused_while_counting(counting, warehouse_user):
    receipt, product = counting
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(
            receipt=receipt,
            user=warehouse_user,
            product=product,
            quantity="2",
            lot_number="L1",
            expiry_date=NEXT_YEAR + timedelta(days=30),
        )
    assert "expiry_date" in exc.value.message_dict
    assert list(ReceiptLine.objects.values_list("quantity", "expiry_date")) == [(4, NEXT_YEAR)]


def test_a_checked_receipt_refuses_the_same_lot_with_another_expiry(counting, warehouse_user):
    """Else the receipt could never be posted: the lot would be made with the first date."""
    receipt, product = counting
    receiving.receipt_check(receipt=receipt, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(
            receipt=receipt,
            user=warehouse_user,
            product=product,
            quantity="2",
            lot_number="L1",
            expiry_date=NEXT_YEAR + timedelta(days=30),
        )
    assert "expiry_date" in exc.value.message_dict


def test_the_same_lot_counted_again_without_its_expiry_takes_the_receipts(counting, warehouse_user):
    receipt, product = counting
    receiving.receipt_add_line(
        receipt=receipt, user=warehouse_user, product=product, quantity="2", lot_number="L1"
    )
    receiving.receipt_check(receipt=receipt, user=warehouse_user)
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert list(ReceiptLine.objects.values_list("quantity", "expiry_date", "lot__expiry_date")) == [
        (6, NEXT_YEAR, NEXT_YEAR)
    ]
