"""The public contact form chooses products with a picker over a public search
(``sales:lead_public_products``): no login, name and SKU only, active products only, a fixed
number of queries, a limit per address; the page carries the chosen products, never the
catalogue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.sales.models import Lead
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db

SEARCH = "sales:lead_public_products"


@pytest.fixture
def water(db):
    return ProductFactory(sku="WTR-550", name="矿泉水 550ml", barcode="6901234567892")


def _search(client, q):
    response = client.get(reverse(SEARCH), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_a_visitor_finds_a_product_by_pinyin_initials_without_logging_in(client, water):
    ProductFactory(sku="TEA-250", name="乌龙茶 250ml")
    assert _search(client, "kqs") == [{"id": water.pk, "text": "矿泉水 550ml", "secondary": "WTR-550"}]


def test_a_visitor_sees_no_barcode_stock_or_price(client, water):
    ProductUnitFactory(product=water, name="箱", factor=24, barcode="16901234567899")
    rows = _search(client, "16901234567899")
    assert rows == [{"id": water.pk, "text": "矿泉水 550ml", "secondary": "WTR-550"}]


def test_inactive_products_and_templates_are_not_offered(client, water):
    ProductFactory(sku="WTR-OLD", name="矿泉水 旧", is_active=False)
    ProductFactory(sku="WTR-TPL", name="矿泉水 模板", is_template=True)
    assert [r["id"] for r in _search(client, "kqs")] == [water.pk]


@pytest.mark.parametrize("q", ["", "k", "kqs"])
def test_the_search_reads_a_fixed_number_of_queries_whatever_the_catalogue(client, q):
    ProductFactory.create_batch(3, name="矿泉水")
    with CaptureQueriesContext(connection) as few:
        _search(client, q)
    ProductFactory.create_batch(60, name="矿泉水")
    with CaptureQueriesContext(connection) as many:
        rows = _search(client, q)
    assert len(many) == len(few) and len(rows) <= 20


@pytest.mark.parametrize("q", ["x" * 10_000, "\x00kqs", "²", "１２３"])
def test_odd_searches_are_answered(client, water, q):
    assert isinstance(_search(client, q), list)


def test_too_many_searches_from_one_address_are_refused(client, water, settings):
    settings.CRM_LEAD_PRODUCTS_LIMIT = 2
    codes = [client.get(reverse(SEARCH), {"q": "kqs"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_form_page_carries_no_catalogue(client, water):
    ProductFactory(sku="TEA-250", name="乌龙茶 250ml")
    page = client.get(reverse("sales:lead_public")).content.decode()
    assert reverse(SEARCH) in page and "乌龙茶" not in page and "矿泉水" not in page


def test_products_chosen_in_the_picker_go_with_the_lead(client, water):
    response = client.post(
        reverse("sales:lead_public"), {"name": "王先生", "phone": "13800000000", "products": [water.pk]}
    )
    assert response.status_code == 200
    assert list(Lead.objects.get(name="王先生").products.all()) == [water]


def test_a_template_product_posted_by_hand_is_refused_by_field(client, in_english):
    template = ProductFactory(sku="TPL-1", is_template=True)
    response = client.post(
        reverse("sales:lead_public"), {"name": "王先生", "phone": "13800000000", "products": [template.pk]}
    )
    assert response.context["form"].errors["products"] and not Lead.objects.exists()


def test_a_refused_form_shows_the_products_already_chosen(client, water):
    response = client.post(reverse("sales:lead_public"), {"name": "王先生", "products": [water.pk]})
    assert "矿泉水 550ml" in response.content.decode() and not Lead.objects.exists()
