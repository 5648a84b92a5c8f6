"""``serialized``: a serializer whose output depends only on the instance writes the same through
one shared instance of its class as through a new one per response."""

from decimal import Decimal

import pytest
from django.db.models import prefetch_related_objects

from core.drf import serialized
from crm.sales.orders import services as order_services
from crm.sales.orders.serializers import QuoteLineSerializer, SalesOrderSerializer, order_lines_prefetch
from integration.fulfilment.api import OrderWorkflowSerializer
from tests.integration.fulfilment.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(sales_user):
    order = order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=[
            {"product": ProductFactory(list_price=Decimal("19.90")), "quantity": "3"},
            {"product": ProductFactory(list_price=Decimal("2.00")), "quantity": "1", "discount_percent": "5"},
        ],
    )
    prefetch_related_objects([order], order_lines_prefetch(), "backorders")
    return order


def test_an_order_reads_the_same_through_the_shared_serializer(order):
    shown = serialized(SalesOrderSerializer, order)
    assert shown == SalesOrderSerializer(order).data
    assert [line["product_sku"] for line in shown["lines"]] == [
        line.product.sku for line in order.lines.all()
    ]


def test_the_workflow_view_of_an_order_reads_the_same_through_the_shared_serializer(order):
    assert serialized(OrderWorkflowSerializer, order) == OrderWorkflowSerializer(order).data


def test_objects_written_one_after_the_other_keep_their_own_values(order):
    first, second = order.lines.all()
    assert serialized(QuoteLineSerializer, first)["id"] == first.pk
    assert serialized(QuoteLineSerializer, second)["net_amount"] == str(second.net_amount)
    assert serialized(QuoteLineSerializer, first)["net_amount"] == str(first.net_amount)


def test_a_method_field_runs_on_the_serializer_that_writes(order):
    class Shouting(QuoteLineSerializer):
        def get_unit_name(self, line):
            return "LOUD"

    assert serialized(Shouting, order.lines.first())["unit_name"] == "LOUD"
    assert serialized(QuoteLineSerializer, order.lines.first())["unit_name"] != "LOUD"
