"""Each cause of a 500 found by the attacker, shown fixed at its cause: records in use refused
with a 409 and the reason, a stage probability out of range, a formset of a thousand lines, an
activity with no target, a tax rate above 1, and the parsers of ids, numbers and dates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from core.dates import date_input
from core.money import decimal_input, tax_rate_input
from core.sql import as_id, id_input
from crm.sales.models import Activity, PipelineStage
from finance.models import Invoice
from scm.inventory.models import Brand, Category, Product, ProductUnit, Warehouse
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import CategoryFactory, ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    """The messages are asserted in English: pages and the API answer in it (a client that asks
    for no language gets LANGUAGE_CODE), and so do services called here."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin():
    return UserFactory(roles=["admin", "manager", "sales", "finance", "purchasing", "warehouse"])


@pytest.fixture
def api(admin):
    client = APIClient()
    client.force_authenticate(admin)
    return client


@pytest.fixture
def web(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def in_use(admin):
    """A product of a category and a brand, with a box unit, stock in a warehouse and an order
    line of the box: every one of them is in use."""
    warehouse = three_warehouses()["SH"]
    brand = Brand.objects.create(name="农夫山泉")
    product = ProductFactory(category=CategoryFactory(), brand=brand)
    box = ProductUnitFactory(product=product)
    receive(product, warehouse, 10)
    make_order(CustomerFactory(owner=admin), admin, (product, 1, box))
    return {
        "product": product,
        "brand": brand,
        "category": product.category,
        "unit": box,
        "warehouse": warehouse,
    }


# --- records in use -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "url", "model"),
    [
        ("product", "/api/v1/inventory/products/{pk}/", Product),
        ("brand", "/api/v1/inventory/brands/{pk}/", Brand),
        ("category", "/api/v1/inventory/categories/{pk}/", Category),
        ("unit", "/api/v1/inventory/units/{pk}/", ProductUnit),
        ("warehouse", "/api/v1/inventory/warehouses/{pk}/", Warehouse),
    ],
)
def test_deleting_a_record_in_use_through_the_api_is_a_409_with_the_reason(in_use, api, what, url, model):
    record = in_use[what]
    response = api.delete(url.format(pk=record.pk))
    assert response.status_code == 409, response.content
    assert "cannot be deleted" in response.json()["detail"] or "不能删除" in response.json()["detail"]
    assert model.objects.filter(pk=record.pk).exists()


def test_the_reason_names_what_holds_the_record(in_use, api):
    response = api.delete(f"/api/v1/inventory/units/{in_use['unit'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    detail = response.json()["detail"]
    assert "used by 1 order line" in detail and "Deactivate it instead" in detail


def test_deleting_a_unit_in_use_on_the_product_page_answers_the_reason_and_saves_nothing(in_use, web):
    product, box = in_use["product"], in_use["unit"]
    data = {
        "sku": product.sku,
        "name": "改了名字",
        "tracking": product.tracking,
        "base_unit": product.base_unit,
        "list_price": "100",
        "tax_rate": "0.13",
        "reorder_point": "0",
        "reorder_quantity": "0",
        "is_active": "on",
        "units-TOTAL_FORMS": "1",
        "units-INITIAL_FORMS": "1",
        "units-0-id": box.pk,
        "units-0-product": product.pk,
        "units-0-name": box.name,
        "units-0-factor": "24",
        "units-0-DELETE": "on",
    }
    response = web.post(f"/inventory/products/{product.pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert b"Deactivate it instead" in response.content
    assert ProductUnit.objects.filter(pk=box.pk).exists()
    product.refresh_from_db()
    assert product.name != "改了名字"


# --- the causes -----------------------------------------------------------------------------


@pytest.mark.parametrize("probability", [824, -1, 101])
def test_a_stage_probability_outside_0_to_100_is_a_field_error(api, probability):
    before = PipelineStage.objects.count()
    response = api.post(
        "/api/v1/stages/", {"name": "谈判", "order": 9, "probability": probability}, format="json"
    )
    assert response.status_code == 400 and "probability" in response.json()
    assert PipelineStage.objects.count() == before


def test_a_line_row_asked_for_as_line_1000_is_refused(web):
    response = web.get("/sales/orders/line-row/?lines-TOTAL_FORMS=1000")
    assert response.status_code == 400


def test_the_next_line_row_is_built_alone_with_its_index(web):
    response = web.get("/sales/orders/line-row/?lines-TOTAL_FORMS=7")
    assert response.status_code == 200
    assert b'name="lines-7-quantity"' in response.content
    assert b"lines-6-" not in response.content


def test_a_posted_thousand_lines_build_no_more_forms_than_an_order_may_have(web):
    response = web.post("/sales/orders/totals/", {"lines-TOTAL_FORMS": "1000", "lines-INITIAL_FORMS": "0"})
    assert response.status_code == 200


def test_an_activity_with_no_customer_lead_or_opportunity_is_a_validation_error(api):
    response = api.post("/api/v1/activities/", {"kind": "call", "subject": "电话"}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    assert Activity.objects.count() == 0


def test_an_activity_page_post_with_no_target_writes_nothing_and_is_no_500(web):
    response = web.post("/sales/activities/new/", {"kind": "call", "subject": "电话"})
    assert response.status_code == 302
    assert Activity.objects.count() == 0


def test_a_product_tax_rate_above_1_is_refused_by_the_api_as_by_invoice_lines(api):
    response = api.post(
        "/api/v1/inventory/products/", {"sku": "T-2", "name": "税率", "tax_rate": "2"}, format="json"
    )
    assert response.status_code == 400 and "tax_rate" in response.json()
    assert not Product.objects.filter(sku="T-2").exists()
    customer = CustomerFactory()
    line = {"description": "货物", "quantity": "1", "unit_price": "1", "tax_rate": "2"}
    response = api.post("/api/v1/invoices/", {"customer": customer.pk, "lines": [line]}, format="json")
    assert response.status_code == 400
    assert Invoice.objects.count() == 0


def test_a_product_tax_rate_above_1_is_refused_by_the_product_form(web):
    data = {"sku": "T-3", "name": "税率", "tracking": "none", "base_unit": "pcs", "list_price": "1"}
    data.update({"tax_rate": "2", "reorder_point": "0", "reorder_quantity": "0"})
    data.update({"units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0"})
    response = web.post("/inventory/products/new/", data)
    assert response.context["form"].errors["tax_rate"]
    assert not Product.objects.filter(sku="T-3").exists()


# --- the parsers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["²", "abc", "1.5", "1e3", "-1", "0", " ", "٣", "99999999999999999999", 1.5, True, 0, 2**63]
)
def test_what_is_no_id_is_none(value):
    assert as_id(value) is None


def test_ids_in_digits_or_as_ints_are_read():
    assert (as_id("42"), as_id(42), as_id(" 7 "), as_id(2**63 - 1)) == (42, 42, 7, 2**63 - 1)


def test_an_id_field_names_the_field():
    with pytest.raises(ValidationError) as err:
        id_input("1.5", field="customer")
    assert list(err.value.message_dict) == ["customer"]
    assert id_input("", field="customer", required=False) is None


@pytest.mark.parametrize("value", ["1e30", "1e16", "1000000000000", "-1e13"])
def test_numbers_past_what_a_column_holds_are_refused(value):
    with pytest.raises(ValidationError) as err:
        decimal_input(value, field="amount")
    assert list(err.value.message_dict) == ["amount"]


def test_a_tax_rate_is_a_fraction_from_0_to_1():
    assert tax_rate_input("0.13") == Decimal("0.13") and tax_rate_input("1") == 1
    for bad in ["2", "-0.01", "13"]:
        with pytest.raises(ValidationError):
            tax_rate_input(bad)


@pytest.mark.parametrize(
    "value", ["2026-02-31", "9999-12-31", "1899-12-31", "2026-13-01", "26-1-1", "２０２６-01-01"]
)
def test_dates_that_do_not_exist_or_no_document_has_are_refused_naming_the_field(value):
    with pytest.raises(ValidationError) as err:
        date_input(value, field="issue_date")
    assert list(err.value.message_dict) == ["issue_date"]


def test_real_document_dates_are_read():
    assert date_input("2026-03-31", field="d") == datetime.date(2026, 3, 31)
    assert date_input(datetime.date(2026, 1, 1), field="d") == datetime.date(2026, 1, 1)


def test_full_width_digits_as_a_chinese_input_method_types_them_are_a_number():
    assert decimal_input("１２３.５", field="quantity") == Decimal("123.5")
