from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from crm.customers.forms import CustomerForm
from tests.crm.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_form_says_zero_means_no_credit_limit_in_both_languages():
    with translation.override("en"):
        assert "0 means no credit limit" in str(CustomerForm().fields["credit_limit"].help_text)
    with translation.override("zh-hans"):
        assert "不设信用额度" in str(CustomerForm().fields["credit_limit"].help_text)


def test_customer_page_shows_no_limit_for_a_zero_credit_limit(client, manager_user):
    customer = CustomerFactory(credit_limit=Decimal("0"))
    client.force_login(manager_user)
    with translation.override("en"):
        html = client.get(reverse("customers:detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"No limit" in html


def test_api_schema_says_zero_means_no_credit_limit(api_client, manager_user):
    api_client.force_authenticate(manager_user)
    response = api_client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    field = response.json()["components"]["schemas"]["Customer"]["properties"]["credit_limit"]
    assert field["description"].startswith("0 means no credit limit")
