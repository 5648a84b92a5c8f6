"""Creating an order in one statement (PostgreSQL): the order, its number, its lines and its
first timeline entry go in together, exactly as the ORM writes them elsewhere."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from crm.sales.orders import pricing
from crm.sales.orders import services as order_services
from tests.integration.fulfilment.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def products():
    return [ProductFactory(list_price=Decimal("19.90")), ProductFactory(list_price=Decimal("3.50"))]


def _lines(products):
    return [
        {"product": products[0], "quantity": "3", "discount_percent": "10"},
        {"product": products[1], "quantity": "2", "unit_price": "4.25"},
    ]


def _stored(order):
    """The order as the database holds it, without what differs between two orders."""
    row = SalesOrder.objects.values().get(pk=order.pk)
    for name in ("id", "number", "created_at", "updated_at"):
        row.pop(name)
    lines = list(
        SalesOrderLine.objects.filter(order=order)
        .order_by("id")
        .values(
            "product_id",
            "quantity",
            "base_quantity",
            "unit_price",
            "discount_percent",
            "net_amount",
            "tax_amount",
        )
    )
    entries = list(OrderEvent.objects.filter(order=order).values("kind", "text", "data", "user_id"))
    return row, lines, entries


def test_an_order_is_written_in_one_statement(sales_user, products):
    customer = CustomerFactory(owner=sales_user)
    lines = _lines(products)
    with CaptureQueriesContext(connection) as queries:
        order_services.order_create(customer=customer, owner=sales_user, lines=lines)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].lstrip().startswith("WITH")


def test_one_statement_writes_what_the_orm_writes(sales_user, products):
    customer = CustomerFactory(owner=sales_user)
    quick = order_services.order_create(
        customer=customer, owner=sales_user, lines=_lines(products), notes="Leave at gate 2"
    )
    # The same order written the other way (the one used off PostgreSQL).
    priced = pricing.lines_price(_lines(products))
    slow = SalesOrder(
        customer=customer,
        owner=sales_user,
        order_date=quick.order_date,
        shipping_address=customer.address,
        notes="Leave at gate 2",
        **pricing.lines_totals(priced),
    )
    entry = OrderEvent(kind="created", text="Order created", user=sales_user, data={})
    order_services._insert_order(slow, [SalesOrderLine(order=slow, **p.as_fields()) for p in priced], entry)
    assert _stored(quick) == _stored(slow)


def test_the_number_comes_from_the_primary_key(sales_user, products):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user), owner=sales_user, lines=_lines(products)
    )
    assert order.number == order_services.document_number("SO", order.pk, order.order_date)
    assert SalesOrder.objects.get(pk=order.pk).number == order.number


def test_a_number_past_six_digits_is_not_cut(sales_user, products):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('sales_salesorder', 'id'), 1234566)")
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=_lines(products),
        order_date=date(2026, 3, 1),
    )
    assert (order.pk, order.number) == (1234567, "SO-2026-1234567")


def test_the_returned_order_carries_its_lines_with_their_ids(sales_user, products):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user), owner=sales_user, lines=_lines(products)
    )
    with CaptureQueriesContext(connection) as queries:
        shown = [(line.pk, line.product_id, line.quantity) for line in order.lines.all()]
    assert len(queries) == 0
    assert shown == list(
        SalesOrderLine.objects.filter(order=order).order_by("id").values_list("id", "product_id", "quantity")
    )


def test_bad_input_writes_nothing(sales_user, products):
    customer = CustomerFactory(owner=sales_user)
    bad = [*_lines(products), {"product": products[0], "quantity": "-1"}]
    with pytest.raises(Exception, match="lines"):
        order_services.order_create(customer=customer, owner=sales_user, lines=bad)
    assert not SalesOrder.objects.filter(customer=customer).exists()
