"""Bulk change of list prices: the preview lists every product with its old and new price, and
applying it writes exactly the preview, audited, or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditLog
from crm.sales.orders.prices import bulk
from scm.inventory.models import Brand, Product
from tests.scm.inventory.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    """办公用品 with a subcategory 纸张, products in both, and one elsewhere."""
    parent = CategoryFactory(name="办公用品")
    paper = CategoryFactory(name="纸张", parent=parent)
    brand = Brand.objects.create(name="得力")
    products = {
        "pen": ProductFactory(sku="PEN", category=parent, brand=brand, list_price=Decimal("9.90")),
        "a4": ProductFactory(sku="A4", category=paper, list_price=Decimal("25.00")),
        "a3": ProductFactory(sku="A3", category=paper, brand=brand, list_price=Decimal("0.50")),
        "chair": ProductFactory(
            sku="CHAIR", category=CategoryFactory(name="家具"), brand=brand, list_price=Decimal("300")
        ),
        "old": ProductFactory(sku="OLD", category=paper, list_price=Decimal("1.00"), is_active=False),
    }
    return parent, paper, brand, products


def change(**kwargs):
    return bulk.bulk_change_input(**{"method": "percent", "direction": "up", "value": "10", **kwargs})


def prices() -> dict:
    return dict(Product.objects.values_list("sku", "list_price"))


def test_a_category_reaches_its_subcategories_and_only_active_products(office):
    parent, _paper, _brand, _products = office
    preview = bulk.bulk_price_preview(change(category=parent.pk))
    assert [(r.sku, r.old_price, r.new_price) for r in preview.rows] == [
        ("A3", Decimal("0.50"), Decimal("0.55")),
        ("A4", Decimal("25.00"), Decimal("27.50")),
        ("PEN", Decimal("9.90"), Decimal("10.89")),
    ]


def test_a_brand_reaches_its_products_and_with_a_category_both_must_match(office):
    _parent, paper, brand, _products = office
    assert [r.sku for r in bulk.bulk_price_preview(change(brand=brand.pk)).rows] == ["A3", "CHAIR", "PEN"]
    assert [r.sku for r in bulk.bulk_price_preview(change(brand=brand.pk, category=paper.pk)).rows] == ["A3"]


def test_an_amount_down_lowers_each_price_by_it(office):
    _parent, paper, _brand, _products = office
    rows = bulk.bulk_price_preview(
        change(category=paper.pk, method="amount", direction="down", value="0.5")
    ).rows
    assert [(r.sku, r.new_price) for r in rows] == [("A3", Decimal("0.00")), ("A4", Decimal("24.50"))]


def test_applying_writes_exactly_the_preview(office, purchasing_user):
    parent, _paper, _brand, _products = office
    asked = change(category=parent.pk, value="7.5")
    preview = bulk.bulk_price_preview(asked)
    before = prices()
    assert bulk.bulk_price_apply(change=asked, token=preview.token, user=purchasing_user) == 3
    after = prices()
    assert {r.sku: r.new_price for r in preview.rows} == {sku: after[sku] for sku in ("A3", "A4", "PEN")}
    assert {sku: after[sku] for sku in ("CHAIR", "OLD")} == {sku: before[sku] for sku in ("CHAIR", "OLD")}


def test_the_change_is_audited_with_every_old_and_new_price(office, purchasing_user):
    parent, _paper, _brand, products = office
    asked = change(category=parent.pk)
    preview = bulk.bulk_price_preview(asked)
    bulk.bulk_price_apply(change=asked, token=preview.token, user=purchasing_user)
    entry = AuditLog.objects.get(action="inventory.list_prices_changed")
    assert entry.actor == purchasing_user
    assert (
        entry.data["category"] == parent.pk
        and entry.data["method"] == "percent"
        and entry.data["value"] == "10"
    )
    assert [products["pen"].pk, "9.90", "10.89"] in entry.data["changes"]
    assert len(entry.data["changes"]) == 3


def test_a_price_changed_since_the_preview_refuses_the_whole_change(office, purchasing_user):
    parent, _paper, _brand, products = office
    asked = change(category=parent.pk)
    preview = bulk.bulk_price_preview(asked)
    Product.objects.filter(pk=products["a4"].pk).update(list_price=Decimal("26.00"))
    before = prices()
    with pytest.raises(ValidationError) as err:
        bulk.bulk_price_apply(change=asked, token=preview.token, user=purchasing_user)
    assert list(err.value.message_dict) == ["token"]
    assert prices() == before
    assert not AuditLog.objects.filter(action="inventory.list_prices_changed").exists()


def test_a_new_price_below_zero_is_refused_naming_the_product(office):
    _parent, paper, _brand, _products = office
    with pytest.raises(ValidationError) as err:
        bulk.bulk_price_preview(change(category=paper.pk, method="amount", direction="down", value="1"))
    assert list(err.value.message_dict) == ["value"]
    assert "A3" in err.value.message_dict["value"][0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category": None}, "category"),
        ({"category": "²"}, "category"),
        ({"method": "double"}, "method"),
        ({"direction": "sideways"}, "direction"),
        ({"value": "-5"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"direction": "down", "value": "100"}, "value"),
    ],
)
def test_a_bad_change_is_refused_naming_the_field(office, kwargs, field):
    with pytest.raises(ValidationError) as err:
        change(**{"category": office[0].pk, **kwargs})
    assert list(err.value.message_dict) == [field]


# --- page and API -----------------------------------------------------------------------------


def test_the_page_previews_then_applies_the_preview(client, office, manager_user):
    parent, _paper, _brand, _products = office
    client.force_login(manager_user)
    params = {"category": parent.pk, "method": "percent", "direction": "down", "value": "10"}
    page = client.get(reverse("sales:prices:bulk"), params)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="bulk-preview"' in body and "22.50" in body
    token = page.context["preview"].token
    response = client.post(reverse("sales:prices:bulk"), {**params, "token": token})
    assert response.status_code == 302
    assert prices()["A4"] == Decimal("22.50")


def test_the_page_refuses_a_stale_preview_and_shows_the_new_one(client, office, manager_user):
    parent, _paper, _brand, _products = office
    client.force_login(manager_user)
    params = {"category": parent.pk, "method": "percent", "direction": "up", "value": "10"}
    response = client.post(reverse("sales:prices:bulk"), {**params, "token": "stale"})
    assert response.status_code == 200
    assert response.context["preview"] is not None
    assert prices()["A4"] == Decimal("25.00")


def test_the_api_previews_and_applies_exactly_the_preview(api_client, office, purchasing_user):
    parent, _paper, _brand, _products = office
    api_client.force_authenticate(purchasing_user)
    params = {"category": parent.pk, "method": "amount", "direction": "up", "value": "1"}
    preview = api_client.get("/api/v1/bulk-prices/preview/", params)
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["count"] == 3
    rows = {row["sku"]: row["new_price"] for row in body["results"]}
    response = api_client.post(
        "/api/v1/bulk-prices/apply/", {**params, "token": body["token"]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"changed": 3}
    assert {sku: f"{prices()[sku]:.2f}" for sku in rows} == rows


def test_the_api_refuses_a_negative_result_and_a_wrong_token(api_client, office, purchasing_user):
    _parent, paper, _brand, _products = office
    api_client.force_authenticate(purchasing_user)
    params = {"category": paper.pk, "method": "amount", "direction": "down", "value": "5"}
    response = api_client.get("/api/v1/bulk-prices/preview/", params)
    assert response.status_code == 400 and list(response.json()) == ["value"]
    response = api_client.post(
        "/api/v1/bulk-prices/apply/", {**params, "value": "0.1", "token": "0" * 32}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["token"]


def test_sales_may_not_change_list_prices(api_client, client, office, sales_user):
    api_client.force_authenticate(sales_user)
    assert api_client.get("/api/v1/bulk-prices/preview/", {"method": "percent"}).status_code == 403
    client.force_login(sales_user)
    assert client.get(reverse("sales:prices:bulk")).status_code == 403
