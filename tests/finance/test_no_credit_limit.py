"""A credit limit of 0 means no limit was set: the exposure shows "no limit" and the customer is
never over it (the confirmation's credit check never holds such a customer either)."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from crm.customers.panels import panels_for
from finance import selectors
from tests.finance.factories import CustomerFactory, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal


def test_exposure_without_a_credit_limit_shows_no_limit_and_is_never_over():
    customer = CustomerFactory(credit_limit=D("0"))
    make_invoice(customer, "300.00")
    exposure = selectors.credit_exposure(customer=customer, adding=D("200.00"))
    assert exposure == {
        "limit": None,
        "receivables": D("300.00"),
        "open_orders": D("0.00"),
        "adding": D("200.00"),
        "exposure": D("500.00"),
        "available": None,
        "over_limit": False,
    }


def test_balance_panel_says_no_limit_when_none_is_set(finance_user):
    customer = CustomerFactory(credit_limit=D("0"))
    make_invoice(customer, "300.00")
    panel = next(p for p in panels_for(customer, finance_user) if p["key"] == "balance")
    with translation.override("en"):
        html = render_to_string(panel["template"], panel)
    assert html.count("No limit") == 2
    assert "over limit" not in html
    with translation.override("zh-hans"):
        assert "不限额" in render_to_string(panel["template"], panel)


def test_balance_api_gives_no_limit_as_null(api_client, finance_user):
    customer = CustomerFactory(credit_limit=D("0"))
    make_invoice(customer, "100.00")
    api_client.force_authenticate(finance_user)
    response = api_client.get(f"/api/v1/receivables/{customer.pk}/balance/")
    assert response.status_code == 200
    exposure = response.json()["exposure"]
    assert (exposure["limit"], exposure["available"], exposure["over_limit"]) == (None, None, False)
