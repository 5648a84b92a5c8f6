"""A payment's reference is recorded once per customer (API, page and service alike)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from finance import payments
from finance.models import Payment
from tests.finance.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    """The messages are asserted in English: pages and the API answer in it (a client that asks
    for no language gets LANGUAGE_CODE), and so do services called here."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _record(customer, reference, amount="10.00"):
    return payments.payment_record(
        customer=customer, amount=Decimal(amount), allocations=[], reference=reference
    )


def test_the_same_reference_twice_for_one_customer_is_refused_naming_the_field():
    customer = CustomerFactory()
    first = _record(customer, "回单 123")
    with pytest.raises(ValidationError) as exc:
        _record(customer, "回单 123")
    assert first.number in exc.value.message_dict["reference"][0]
    assert Payment.objects.count() == 1


def test_the_same_reference_for_another_customer_or_without_reference_is_accepted():
    customer = CustomerFactory()
    _record(customer, "回单 123")
    _record(CustomerFactory(), "回单 123")
    _record(customer, "")
    _record(customer, "")
    assert Payment.objects.count() == 4


def test_the_api_answers_400_on_reference(api_client, finance_user):
    customer = CustomerFactory()
    api_client.force_authenticate(finance_user)
    body = {"customer": customer.pk, "amount": "10.00", "allocations": [], "reference": "TX-1"}
    assert api_client.post("/api/v1/payments/", body, format="json").status_code == 201
    again = api_client.post("/api/v1/payments/", body, format="json")
    assert again.status_code == 400
    assert "reference" in again.json()
    assert Payment.objects.count() == 1


def test_the_page_shows_the_error_next_to_reference(client, finance_user):
    customer = CustomerFactory()
    _record(customer, "TX-2")
    client.force_login(finance_user)
    response = client.post(
        reverse("finance:payment_create"),
        {
            "customer": customer.pk,
            "amount": "10.00",
            "paid_at": "2026-02-01",
            "method": "cash",
            "reference": "TX-2",
        },
    )
    assert response.status_code == 400
    assert "already recorded for this customer" in response.content.decode()
    assert Payment.objects.count() == 1
