"""Units on the product form, the API and the catalogue's services: the company's units are
offered and a new or changed unit must be one of them (any name while the company has named
none); a unit without a factor takes the company's usual conversion."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.preferences import UNIT_CONVERSIONS, UNITS, preference_set
from scm.inventory import catalogue
from scm.inventory.models import Product, ProductUnit
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

POST = {
    "sku": "NEW-1",
    "name": "矿泉水",
    "tracking": "none",
    "base_unit": "瓶",
    "list_price": "2",
    "tax_rate": "0.13",
    "reorder_point": "0",
    "reorder_quantity": "0",
    "is_active": "on",
    "units-TOTAL_FORMS": "1",
    "units-INITIAL_FORMS": "0",
    "units-MIN_NUM_FORMS": "0",
    "units-MAX_NUM_FORMS": "1000",
}


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def company_units():
    preference_set(key=UNITS, value=[{"name": "个"}, {"name": "箱"}, {"name": "kg", "divisible": True}])
    preference_set(key=UNIT_CONVERSIONS, value=[{"unit": "箱", "base": "个", "factor": "24"}])


@pytest.fixture
def buyer(client, purchasing_user):
    client.force_login(purchasing_user)
    return client


def test_the_form_refuses_a_base_unit_the_company_has_not_named(buyer, company_units):
    response = buyer.post(reverse("inventory:product_create"), POST)
    assert response.status_code == 200
    assert 'data-field-error="base_unit"' in response.content.decode()
    assert not Product.objects.exists()


def test_the_form_takes_any_base_unit_while_the_company_has_named_none(buyer):
    response = buyer.post(reverse("inventory:product_create"), POST)
    assert response.status_code == 302
    assert Product.objects.get().base_unit == "瓶"


def test_the_form_offers_the_company_units_as_a_choice(buyer, company_units):
    html = buyer.get(reverse("inventory:product_create")).content.decode()
    assert '<select name="base_unit"' in html
    assert '<option value="箱">' in html and '<option value="kg">' in html


def test_the_form_takes_a_company_unit_as_written_there(buyer, company_units):
    response = buyer.post(reverse("inventory:product_create"), {**POST, "base_unit": "KG"})
    assert response.status_code == 302
    assert Product.objects.get().base_unit == "kg"


def test_the_form_refuses_another_unit_the_company_has_not_named(buyer, company_units):
    data = {**POST, "base_unit": "个", "units-0-name": "托", "units-0-factor": "40"}
    response = buyer.post(reverse("inventory:product_create"), data)
    assert response.status_code == 200
    assert 'data-field-error="units-name"' in response.content.decode()
    assert not Product.objects.exists()


def test_a_unit_left_without_factor_takes_the_usual_conversion(buyer, company_units):
    data = {**POST, "base_unit": "个", "units-0-name": "箱"}
    response = buyer.post(reverse("inventory:product_create"), data)
    assert response.status_code == 302
    assert Product.objects.get().units.get().factor == Decimal("24")


def test_a_unit_without_factor_or_usual_conversion_is_refused_next_to_the_factor(buyer, company_units):
    data = {**POST, "base_unit": "kg", "units-0-name": "箱"}
    response = buyer.post(reverse("inventory:product_create"), data)
    assert response.status_code == 200
    assert 'data-field-error="units-factor"' in response.content.decode()


def test_the_form_offers_the_usual_conversions_to_fill_a_factor_in(buyer, company_units):
    html = buyer.get(reverse("inventory:product_create")).content.decode()
    assert 'id="unit-conversions"' in html and "inventory/units.js" in html


def test_a_product_keeps_a_unit_set_before_the_company_named_its_units(buyer, company_units):
    product = ProductFactory(sku="OLD-1", base_unit="pcs")
    data = {**POST, "sku": "OLD-1", "base_unit": "pcs", "name": "renamed"}
    response = buyer.post(reverse("inventory:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.base_unit) == ("renamed", "pcs")


def test_changing_a_base_unit_to_an_unknown_one_is_refused(company_units):
    product = ProductFactory(base_unit="个")
    with pytest.raises(ValidationError) as exc:
        catalogue.product_update(product=product, base_unit="桶")
    assert "base_unit" in exc.value.message_dict


def test_the_api_refuses_an_unknown_unit(api_client, purchasing_user, company_units):
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        "/api/v1/inventory/products/", {"sku": "API-1", "name": "x", "base_unit": "桶"}, format="json"
    )
    assert response.status_code == 400
    assert "base_unit" in response.json()


def test_the_api_gives_a_unit_without_factor_the_usual_conversion(api_client, purchasing_user, company_units):
    product = ProductFactory(base_unit="个")
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        "/api/v1/inventory/units/", {"product": product.pk, "name": "箱"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert ProductUnit.objects.get(product=product).factor == Decimal("24")
