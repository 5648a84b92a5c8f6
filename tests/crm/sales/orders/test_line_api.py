"""The API's side of live lines: the line preview (price, amount, tax, availability, promise date
before saving), the lines' promise dates and the order's ship-from, a product's availability with
promise dates; bad input is a 400 naming the field, never a 500."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.sales.models import SalesOrder
from scm.inventory.models import IncomingSupply
from scm.inventory.services import stock_receive
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IN_5_DAYS = TODAY + timedelta(days=5)
PREVIEW = "/api/v1/order-line-preview/"


@pytest.fixture
def world(sales_user, api_client):
    bj = WarehouseFactory(code="BJ", name="北京仓", transfer_days=2)
    sh = WarehouseFactory(code="SH", name="上海仓")
    product = ProductFactory(list_price=Decimal("10.00"), tax_rate=Decimal("0.13"), lead_time_days=9)
    box = ProductUnitFactory(product=product, factor=Decimal("6"))
    stock_receive(product=product, warehouse=bj, quantity=20)
    IncomingSupply.objects.create(
        reference="PO-1", product=product, warehouse=sh, quantity=50, expected_date=IN_5_DAYS
    )
    api_client.force_authenticate(sales_user)
    customer = CustomerFactory(owner=sales_user, credit_limit=0)
    return {"bj": bj, "sh": sh, "product": product, "box": box, "customer": customer, "api": api_client}


def test_the_line_preview_answers_price_amount_tax_availability_and_promise(world):
    response = world["api"].post(
        PREVIEW,
        {
            "customer": world["customer"].pk,
            "product": world["product"].pk,
            "unit": world["box"].pk,
            "quantity": "5",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["parts"][0]["unit_price"] == "60.00"
    assert (body["net_amount"], body["tax_amount"], body["total"]) == ("300.00", "39.00", "339.00")
    # 30 base units: 20 free in BJ, 50 arriving in SH in 5 days.
    assert (body["base_quantity"], body["shortage"]) == ("30.000", "10.000")
    assert (body["promise_date"], body["promise_source"]) == (IN_5_DAYS.isoformat(), "incoming")
    rows = {row["warehouse_code"]: row for row in body["availability"]}
    assert rows["SH"]["incoming"] == [{"quantity": "50.000", "expected_date": IN_5_DAYS.isoformat()}]
    assert rows["BJ"]["promise_date"] == (IN_5_DAYS + timedelta(days=2)).isoformat()


def test_the_line_preview_promises_from_the_ship_from_warehouse(world):
    body = (
        world["api"]
        .post(
            PREVIEW,
            {"product": world["product"].pk, "quantity": "10", "ship_from": world["bj"].pk},
            format="json",
        )
        .json()
    )
    assert (body["promise_date"], body["ship_from"]) == (TODAY.isoformat(), world["bj"].pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "NaN"),
        ("quantity", "1e30"),
        ("quantity", "-3"),
        ("quantity", "²"),
        ("product", "²"),
        ("product", "99999999"),
        ("unit", "1.5"),
        ("discount_percent", "Infinity"),
        ("unit_price", "1e30"),
        ("customer", "²"),
        ("ship_from", "-1"),
    ],
)
def test_bad_input_to_the_line_preview_is_a_400_naming_the_field(world, field, value):
    body = {"product": world["product"].pk, "quantity": "1", field: value}
    response = world["api"].post(PREVIEW, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_another_teams_customer_is_no_customer_for_the_preview(world):
    stranger = CustomerFactory()
    response = world["api"].post(
        PREVIEW, {"product": world["product"].pk, "quantity": "1", "customer": stranger.pk}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_order_lines_show_their_promise_date_and_the_order_its_ship_from(world):
    response = world["api"].post(
        "/api/v1/sales-orders/",
        {
            "customer": world["customer"].pk,
            "ship_from": world["sh"].pk,
            "ship_complete": True,
            "lines": [{"product": world["product"].pk, "quantity": "3", "promise_date": "2020-01-01"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ship_from"], body["ship_complete"]) == (world["sh"].pk, True)
    assert body["lines"][0]["promise_date"] == IN_5_DAYS.isoformat()
    order = SalesOrder.objects.get()
    patched = world["api"].patch(f"/api/v1/sales-orders/{order.pk}/", {"ship_from": None}, format="json")
    assert patched.json()["ship_from"] is None
    assert patched.json()["lines"][0]["promise_date"] == TODAY.isoformat()


@pytest.mark.parametrize("value", ["²", "0", "abc", "1.5"])
def test_a_bad_ship_from_is_a_400_naming_it(world, value):
    response = world["api"].post(
        "/api/v1/sales-orders/",
        {
            "customer": world["customer"].pk,
            "ship_from": value,
            "lines": [{"product": world["product"].pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400 and "ship_from" in response.json()


def test_quote_lines_show_their_promise_date(world):
    response = world["api"].post(
        "/api/v1/quotes/",
        {"customer": world["customer"].pk, "lines": [{"product": world["product"].pk, "quantity": "40"}]},
        format="json",
    )
    assert response.json()["lines"][0]["promise_date"] == IN_5_DAYS.isoformat()


def test_a_products_availability_gives_each_warehouses_promise_date(world):
    url = f"/api/v1/inventory/products/{world['product'].pk}/availability/"
    rows = {row["warehouse_code"]: row for row in world["api"].get(url, {"quantity": "30"}).json()}
    assert rows["BJ"]["promise_date"] == (IN_5_DAYS + timedelta(days=2)).isoformat()
    assert (rows["SH"]["promise_date"], rows["SH"]["promise_source"]) == (IN_5_DAYS.isoformat(), "incoming")
    assert world["api"].get(url).json()[0]["promise_date"] == TODAY.isoformat()


@pytest.mark.parametrize("value", ["NaN", "1e30", "-1", "²"])
def test_a_bad_availability_quantity_is_a_400_naming_it(world, value):
    url = f"/api/v1/inventory/products/{world['product'].pk}/availability/"
    response = world["api"].get(url, {"quantity": value})
    assert response.status_code == 400 and "quantity" in response.json()
