"""Reading rows by id without the ORM's query building, and the API field that uses it."""

import pytest
from rest_framework import serializers

from core.drf import ByIdRelatedField
from core.sql import by_ids
from crm.customers.models import Customer
from tests.integration.fulfilment.factories import CustomerFactory

pytestmark = pytest.mark.django_db


class Input(serializers.Serializer):
    customer = ByIdRelatedField(model=Customer)


class Plain(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())


def test_by_ids_reads_every_field_of_the_rows_asked_for():
    wanted, _other = CustomerFactory(name="华东贸易"), CustomerFactory()
    [found] = by_ids(Customer, [wanted.pk, str(wanted.pk)])
    assert (found.pk, found.name, found.credit_limit, found.owner_id) == (
        wanted.pk,
        "华东贸易",
        wanted.credit_limit,
        wanted.owner_id,
    )


def test_by_ids_leaves_out_what_cannot_be_an_id():
    customer = CustomerFactory()
    assert [c.pk for c in by_ids(Customer, ["x", "²", -1, 2**70, customer.pk])] == [customer.pk]


@pytest.mark.parametrize("value", [None, "abc", "²", True, 10**9, "999999999", [1]])
def test_the_by_id_field_answers_bad_input_as_drf_does(value):
    CustomerFactory()
    mine, drf = Input(data={"customer": value}), Plain(data={"customer": value})
    assert (mine.is_valid(), mine.errors) == (drf.is_valid(), drf.errors)


@pytest.mark.parametrize("value", [1.5, "1.5", 1.0, "99999999999999999999", "-1", "٣"])
def test_the_by_id_field_refuses_what_is_no_id_instead_of_rounding_it(value):
    CustomerFactory(pk=1)
    data = Input(data={"customer": value})
    assert not data.is_valid()
    assert "customer" in data.errors


def test_the_by_id_field_finds_the_customer_by_number_or_text():
    customer = CustomerFactory()
    for value in (customer.pk, str(customer.pk)):
        data = Input(data={"customer": value})
        assert data.is_valid() and data.validated_data["customer"].pk == customer.pk
