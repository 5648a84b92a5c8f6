"""One-time tokens on the pages' creating forms: a second submit of the same form is sent to what
the first created, and nothing is created twice (core.idempotency.one_time_form)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.customers.models import Customer
from crm.sales.models import Quote, SalesOrder
from finance.models import Payment
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _token(client, url) -> str:
    page = client.get(url).content.decode()
    found = re.search(r'name="form_token" value="([0-9a-f]+)"', page)
    assert found, "the form carries no one-time token"
    return found.group(1)


def _twice(client, url, data):
    data = {**data, "form_token": _token(client, url)}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    return first


def _lines(customer):
    return {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": ProductFactory().pk,
        "lines-0-quantity": "3",
    }


def test_an_order_form_submitted_twice_makes_one_order(client, sales_user):
    client.force_login(sales_user)
    _twice(client, reverse("sales:orders:order_create"), _lines(CustomerFactory(owner=sales_user)))
    assert SalesOrder.objects.count() == 1


def test_a_quote_form_submitted_twice_makes_one_quote(client, sales_user):
    client.force_login(sales_user)
    _twice(client, reverse("sales:orders:quote_create"), _lines(CustomerFactory(owner=sales_user)))
    assert Quote.objects.count() == 1


def test_a_customer_form_submitted_twice_makes_one_customer(client, sales_user):
    client.force_login(sales_user)
    first = _twice(
        client,
        reverse("customers:create"),
        {"name": "双击贸易有限公司", "kind": "company", "payment_terms_days": 30, "stage": "lead"},
    )
    customer = Customer.objects.get()
    assert first["Location"] == reverse("customers:detail", args=[customer.pk])


def test_a_payment_form_submitted_twice_records_one_payment(client, finance_user):
    client.force_login(finance_user)
    data = {"customer": CustomerFactory().pk, "amount": "10.00", "paid_at": "2026-02-01", "method": "cash"}
    _twice(client, reverse("finance:payment_create"), data)
    assert Payment.objects.get().amount == Decimal("10.00")


def test_a_form_with_errors_keeps_its_token_usable(client, sales_user):
    client.force_login(sales_user)
    url = reverse("customers:create")
    token = _token(client, url)
    assert client.post(url, {"name": "", "form_token": token}).status_code == 200
    assert (
        client.post(
            url,
            {
                "name": "改好了",
                "kind": "company",
                "payment_terms_days": 30,
                "stage": "lead",
                "form_token": token,
            },
        ).status_code
        == 302
    )
    assert Customer.objects.count() == 1


def test_each_new_form_gets_its_own_token(client, sales_user):
    client.force_login(sales_user)
    url = reverse("customers:create")
    assert _token(client, url) != _token(client, url)
