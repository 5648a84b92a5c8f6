"""Serializers with fields that depend only on their class write the same output whether or not
a request is in their context (without one they share one instance's fields)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIRequestFactory

from crm.sales.orders import services as order_services
from crm.sales.orders.api import QuoteLineSerializer, SalesOrderSerializer
from integration.fulfilment.api import OrderWorkflowSerializer
from tests.integration.fulfilment.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(sales_user):
    return order_services.order_create(
        customer=CustomerFactory(owner=sales_user),
        owner=sales_user,
        lines=[
            {"product": ProductFactory(list_price=Decimal("19.90")), "quantity": "3"},
            {"product": ProductFactory(list_price=Decimal("2.00")), "quantity": "1", "discount_percent": "5"},
        ],
    )


def _with_request():
    return {"request": APIRequestFactory().get("/")}


def test_an_order_reads_the_same_with_and_without_a_request(order):
    shared = SalesOrderSerializer(order).data
    assert shared == SalesOrderSerializer(order, context=_with_request()).data
    assert [line["product_sku"] for line in shared["lines"]] == [
        line.product.sku for line in order.lines.all()
    ]


def test_the_workflow_view_of_an_order_reads_the_same_with_and_without_a_request(order):
    assert OrderWorkflowSerializer(order).data == OrderWorkflowSerializer(order, context=_with_request()).data


def test_a_method_field_runs_on_the_serializer_that_writes(order):
    class Shouting(QuoteLineSerializer):
        def get_unit_name(self, line):
            return self.suffix

    line = order.lines.first()
    first, second = Shouting(line), Shouting(line)
    first.suffix, second.suffix = "A", "B"
    assert (first.data["unit_name"], second.data["unit_name"]) == ("A", "B")


def test_many_objects_share_the_fields_without_mixing_their_values(order):
    lines = list(order.lines.all())
    data = QuoteLineSerializer(lines, many=True).data
    assert [row["id"] for row in data] == [line.pk for line in lines]
    assert [row["net_amount"] for row in data] == [str(line.net_amount) for line in lines]


def test_without_a_request_the_fields_are_not_copied_for_each_object(order):
    serializer = SalesOrderSerializer(order)
    assert serializer.data["id"] == order.pk
    assert "fields" not in serializer.__dict__  # DRF's cached copy of the fields was never built
