"""Every procure-to-pay list, page and API, is paginated and costs the same number of queries
for one row as for many."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance.payables import bills, payments
from scm.purchasing import receiving
from tests.factories import UserFactory
from tests.finance.payables.factories import bill_for, received_order
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import (
    SupplierContactFactory,
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
    open_purchase_order,
)

pytestmark = pytest.mark.django_db

D = Decimal


def _rows(supplier, user):
    """One more of everything: for ``supplier`` (its statement) and for a new supplier (the
    lists of all suppliers)."""
    for owner in (supplier, SupplierFactory()):
        SupplierContactFactory(supplier=owner)
        SupplierPriceFactory(supplier_product=SupplierProductFactory(supplier=owner))
        order = open_purchase_order(supplier=owner, lines=[{"product": ProductFactory()}])
        receipt = receiving.receipt_start(purchase_order=order, user=user)
        line = receiving.receipt_add_line(
            receipt=receipt, user=user, product=order.lines.get().product, quantity="4"
        )
        receiving.receipt_check(
            receipt=receipt,
            user=user,
            results=[{"line": line.pk, "rejected_quantity": "1", "reject_reason": "damaged"}],
        )
        receiving.receipt_post(receipt=receipt, user=user)
        bill = bill_for(received_order(supplier=owner))
        payments.supplier_payment_record(supplier=owner, amount=str(bill.total / 2), user=user)
        bills.supplier_credit_note_create(supplier=owner, amount="5", reason="rebate", user=user)


LISTS = [
    "page:purchasing:supplier_list",
    "page:purchasing:order_list",
    "page:purchasing:receipts",
    "page:purchasing:quarantine",
    "page:finance:bill_list",
    "page:finance:supplier_payment_list",
    "page:finance:ap_aging",
    "statement:finance:supplier_statement",
    "api:/api/v1/suppliers/",
    "api:/api/v1/supplier-contacts/",
    "api:/api/v1/supplier-products/",
    "api:/api/v1/supplier-prices/",
    "api:/api/v1/purchase-orders/",
    "api:/api/v1/receipts/",
    "api:/api/v1/bills/",
    "api:/api/v1/supplier-payments/",
    "api:/api/v1/supplier-credit-notes/",
    "api:/api/v1/payables/aging/",
    "api:/api/v1/payables/{s}/statement/",
]


@pytest.mark.parametrize("where", LISTS)
def test_a_list_costs_the_same_queries_for_one_row_as_for_many(client, api_client, where):
    user = UserFactory(roles=["admin", "manager", "finance", "warehouse", "purchasing"])
    client.force_login(user)
    api_client.force_authenticate(user)
    supplier = SupplierFactory()
    _rows(supplier, user)
    kind, target = where.split(":", 1)

    def get():
        if kind == "page":
            return client.get(reverse(target))
        if kind == "statement":
            return client.get(reverse(target, args=[supplier.pk]))
        return api_client.get(target.format(s=supplier.pk))

    assert get().status_code == 200  # caches warmed
    with CaptureQueriesContext(connection) as one:
        assert get().status_code == 200
    for _round in range(3):
        _rows(supplier, user)
    with CaptureQueriesContext(connection) as many:
        response = get()
    assert response.status_code == 200
    assert len(many) <= len(one), "\n".join(q["sql"][:200] for q in many.captured_queries)
    if kind == "api" and "count" in response.json():
        assert "results" in response.json()  # paginated
