"""The suppliers' API: roles as on the pages, writes through the services (field errors, one
preferred supplier), the scorecard endpoint, lists in a fixed number of queries, the schema."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from scm.purchasing.models import Supplier, SupplierPrice, SupplierProduct
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import (
    SupplierContactFactory,
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _as(api_client, role):
    api_client.force_authenticate(UserFactory(roles=[role]))
    return api_client


def test_warehouse_reads_suppliers_but_may_not_create_one(api_client):
    SupplierFactory()
    client = _as(api_client, "warehouse")
    assert client.get("/api/v1/suppliers/").status_code == 200
    assert client.post("/api/v1/suppliers/", {"name": "A"}, format="json").status_code == 403
    assert not Supplier.objects.filter(name="A").exists()


def test_sales_may_not_read_suppliers(api_client):
    assert _as(api_client, "sales").get("/api/v1/suppliers/").status_code == 403


def test_purchasing_creates_a_supplier_numbered_automatically(api_client):
    response = _as(api_client, "purchasing").post("/api/v1/suppliers/", {"name": "华为"}, format="json")
    assert response.status_code == 201
    assert response.data["code"].startswith("V-")


def test_bad_input_names_the_field(api_client):
    response = _as(api_client, "purchasing").post(
        "/api/v1/suppliers/", {"name": "A", "payment_terms_days": "soon"}, format="json"
    )
    assert response.status_code == 400 and "payment_terms_days" in response.data


def test_the_list_searches_and_filters(api_client):
    SupplierFactory(name="华为技术")
    SupplierFactory(name="华为旧", is_active=False)
    SupplierFactory(name="中兴")
    client = _as(api_client, "finance")
    names = [
        s["name"]
        for s in client.get("/api/v1/suppliers/", {"q": "huawei", "is_active": "true"}).data["results"]
    ]
    assert names == ["华为技术"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "url", ["/api/v1/suppliers/", "/api/v1/supplier-products/", "/api/v1/supplier-contacts/"]
)
def test_lists_take_the_same_queries_for_one_or_many_rows(api_client, url):
    def add():
        item = SupplierProductFactory(supplier=SupplierFactory(buyer=UserFactory()))
        SupplierPriceFactory(supplier_product=item)
        SupplierContactFactory(supplier=item.supplier)

    client = _as(api_client, "purchasing")
    add()
    _queries(client, url)
    one = _queries(client, url)
    for _ in range(5):
        add()
    assert _queries(client, url) == one


def test_a_preferred_supplier_product_through_the_api_unsets_the_other(api_client):
    product = ProductFactory()
    other = SupplierProductFactory(product=product, is_preferred=True)
    supplier = SupplierFactory()
    response = _as(api_client, "manager").post(
        "/api/v1/supplier-products/",
        {"supplier": supplier.pk, "product": product.pk, "is_preferred": True, "pack_size": "6"},
        format="json",
    )
    assert response.status_code == 201, response.data
    other.refresh_from_db()
    assert not other.is_preferred
    assert SupplierProduct.objects.get(product=product, is_preferred=True).supplier_id == supplier.pk


def test_an_overlapping_price_is_refused_with_its_field(api_client):
    item = SupplierProductFactory()
    SupplierPriceFactory(supplier_product=item, min_quantity=0)
    response = _as(api_client, "purchasing").post(
        "/api/v1/supplier-prices/",
        {"supplier_product": item.pk, "min_quantity": "0", "unit_price": "3", "valid_from": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "valid_from" in response.data
    assert SupplierPrice.objects.count() == 1


def test_a_price_is_changed_and_removed(api_client):
    price = SupplierPriceFactory()
    client = _as(api_client, "purchasing")
    response = client.patch(f"/api/v1/supplier-prices/{price.pk}/", {"unit_price": "7.5"}, format="json")
    assert response.status_code == 200
    assert SupplierPrice.objects.get().unit_price == Decimal("7.5000")
    assert client.delete(f"/api/v1/supplier-prices/{price.pk}/").status_code == 204
    assert not SupplierPrice.objects.exists()


def test_finance_may_not_change_a_price(api_client):
    price = SupplierPriceFactory()
    response = _as(api_client, "finance").patch(
        f"/api/v1/supplier-prices/{price.pk}/", {"unit_price": "1"}, format="json"
    )
    assert response.status_code == 403


def test_a_new_primary_contact_through_the_api_unsets_the_old(api_client):
    old = SupplierContactFactory(is_primary=True)
    response = _as(api_client, "purchasing").post(
        "/api/v1/supplier-contacts/",
        {"supplier": old.supplier_id, "name": "New", "is_primary": True},
        format="json",
    )
    assert response.status_code == 201
    old.refresh_from_db()
    assert not old.is_primary


def test_the_scorecard_endpoint_answers_the_figures(api_client):
    supplier = SupplierFactory()
    response = _as(api_client, "finance").get(f"/api/v1/suppliers/{supplier.pk}/scorecard/")
    assert response.status_code == 200
    assert response.data["supplier_id"] == supplier.pk
    assert response.data["on_time_rate"] is None and response.data["price_trend"] == []


def test_the_schema_lists_the_supplier_routes(api_client):
    response = _as(api_client, "purchasing").get("/api/v1/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for path in (
        "/api/v1/suppliers/",
        "/api/v1/suppliers/{id}/scorecard/",
        "/api/v1/supplier-contacts/",
        "/api/v1/supplier-products/",
        "/api/v1/supplier-prices/{id}/",
    ):
        assert path in paths


def test_a_bad_scorecard_period_names_the_parameter(api_client):
    supplier = SupplierFactory()
    response = _as(api_client, "finance").get(
        f"/api/v1/suppliers/{supplier.pk}/scorecard/", {"since": "soon"}
    )
    assert response.status_code == 400 and "since" in response.data
