"""What the company's preferences (an industry template's) give a new customer and offer on its
form: the default payment term, the default credit limit, the customer tags."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.preferences import preference_set
from crm.customers import services
from crm.customers.forms import CustomerForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaults():
    preference_set(
        key="payment_terms",
        value=[
            {"name": "款到发货", "days": 0, "default": False},
            {"name": "月结60天", "days": 60, "default": True},
        ],
    )
    preference_set(key="credit_policy", value={"default_limit": "50000.00"})


def test_a_new_customer_given_no_terms_or_limit_gets_the_companys_defaults(defaults):
    customer = services.customer_create(name="华联商贸")
    assert (customer.payment_terms_days, customer.credit_limit) == (60, Decimal("50000.00"))


def test_terms_and_limit_the_caller_gives_are_kept(defaults):
    customer = services.customer_create(name="华联商贸", payment_terms_days=15, credit_limit=0)
    assert (customer.payment_terms_days, customer.credit_limit) == (15, Decimal("0"))


def test_without_company_defaults_a_new_customer_gets_the_usual_ones():
    customer = services.customer_create(name="华联商贸")
    assert (customer.payment_terms_days, customer.credit_limit) == (30, Decimal("0"))


def test_a_customer_created_through_the_api_without_them_gets_the_defaults(
    defaults, api_client, manager_user
):
    api_client.force_authenticate(manager_user)
    response = api_client.post("/api/v1/customers/", {"name": "华联商贸", "kind": "company"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["payment_terms_days"], response.json()["credit_limit"]) == (60, "50000.00")


def test_the_new_customer_form_starts_from_the_defaults_and_an_edit_does_not(defaults):
    form = CustomerForm()
    assert (form.fields["payment_terms_days"].initial, form.fields["credit_limit"].initial) == (
        60,
        Decimal("50000.00"),
    )
    existing = services.customer_create(name="华联商贸", payment_terms_days=15, credit_limit=100)
    edit = CustomerForm(instance=existing)
    assert edit["payment_terms_days"].value() == 15 and edit["credit_limit"].value() == Decimal("100.00")


def test_the_customer_form_offers_the_companys_tags_and_takes_others(client, manager_user):
    preference_set(key="customer_tags", value=["重点客户", "月结客户"])
    client.force_login(manager_user)
    html = client.get(reverse("customers:create")).content.decode()
    assert 'list="id_tags_offered"' in html and '<option value="月结客户">' in html
    customer = services.customer_create(name="华联商贸", tags="重点客户, 自定义标签")
    assert customer.tag_list == ["重点客户", "自定义标签"]
