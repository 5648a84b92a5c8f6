from decimal import Decimal

import pytest

from scm.inventory import services
from scm.inventory.models import CountSession, StockLevel, StockMove, Transfer
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory, lot_product

pytestmark = pytest.mark.django_db
API = "/api/v1/inventory"


def test_sales_reads_products_with_stock_totals(api_client, sales_user):
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    api_client.force_authenticate(sales_user)
    body = api_client.get(f"{API}/products/").json()
    assert body["results"][0]["on_hand"] == "5.000"


def test_product_list_api_costs_the_same_queries_for_more_rows(
    api_client, sales_user, django_assert_max_num_queries
):
    ProductFactory.create_batch(3)
    api_client.force_authenticate(sales_user)
    api_client.get(f"{API}/products/")
    with django_assert_max_num_queries(6) as few:
        api_client.get(f"{API}/products/")
    ProductFactory.create_batch(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api_client.get(f"{API}/products/")


def test_sales_cannot_receive_stock(api_client, sales_user):
    product, wh = ProductFactory(), WarehouseFactory()
    api_client.force_authenticate(sales_user)
    response = api_client.post(
        f"{API}/receipts/", {"product": product.pk, "warehouse": wh.pk, "quantity": "1"}
    )
    assert response.status_code == 403
    assert not StockMove.objects.exists()


def test_warehouse_receives_a_box_through_the_api(api_client, warehouse_user):
    unit = ProductUnitFactory(factor=Decimal(24))
    wh = WarehouseFactory()
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        f"{API}/receipts/", {"product": unit.product.pk, "warehouse": wh.pk, "quantity": "1", "unit": unit.pk}
    )
    assert response.status_code == 201
    assert response.json()["quantity"] == "24.000"


def test_missing_lot_is_a_400_naming_the_field(api_client, warehouse_user):
    product, wh = lot_product(), WarehouseFactory()
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        f"{API}/receipts/", {"product": product.pk, "warehouse": wh.pk, "quantity": "3"}
    )
    assert response.status_code == 400
    assert "lot_number" in response.json()


def test_adjustment_without_reason_is_a_400(api_client, warehouse_user):
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        f"{API}/adjustments/", {"product": product.pk, "warehouse": wh.pk, "quantity": "-1", "reason": ""}
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_scrap_through_the_adjustments_endpoint(api_client, warehouse_user):
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        f"{API}/adjustments/",
        {"kind": "scrap", "product": product.pk, "warehouse": wh.pk, "quantity": "2", "reason": "wet"},
    )
    assert response.status_code == 201 and response.json()["kind"] == "scrap"


def test_transfer_to_the_same_warehouse_is_a_400_on_destination(api_client, warehouse_user):
    wh = WarehouseFactory()
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(f"{API}/transfers/", {"source": wh.pk, "destination": wh.pk}, format="json")
    assert response.status_code == 400 and "destination" in response.json()
    assert not Transfer.objects.exists()


def test_transfer_create_ship_receive_through_the_api(api_client, warehouse_user):
    product = ProductFactory()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=5)
    api_client.force_authenticate(warehouse_user)
    created = api_client.post(
        f"{API}/transfers/",
        {"source": a.pk, "destination": b.pk, "lines": [{"product": product.pk, "quantity": "2"}]},
        format="json",
    ).json()
    assert api_client.post(f"{API}/transfers/{created['id']}/ship/").json()["state"] == "in_transit"
    assert api_client.post(f"{API}/transfers/{created['id']}/receive/").json()["state"] == "received"
    assert StockLevel.objects.get(warehouse=b).on_hand == 2


def test_count_through_the_api_is_blind_until_submitted(api_client, warehouse_user, manager_user):
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    api_client.force_authenticate(warehouse_user)
    count = api_client.post(f"{API}/counts/", {"warehouse": wh.pk}, format="json").json()
    assert count["lines"][0]["snapshot_on_hand"] is None
    api_client.post(f"{API}/counts/{count['id']}/record/", {"product": product.pk, "quantity": "4"})
    submitted = api_client.post(f"{API}/counts/{count['id']}/submit/").json()
    assert submitted["lines"][0]["variance"] == "-1.000"
    assert api_client.post(f"{API}/counts/{count['id']}/approve/").status_code == 403
    api_client.force_authenticate(manager_user)
    assert api_client.post(f"{API}/counts/{count['id']}/approve/").status_code == 200
    api_client.force_authenticate(warehouse_user)
    assert api_client.post(f"{API}/counts/{count['id']}/post/").json()["state"] == "posted"
    assert CountSession.objects.get().state == "posted"
    assert StockLevel.objects.get(product=product).on_hand == 4


def test_availability_lists_each_warehouse(api_client, sales_user):
    product, wh = ProductFactory(), WarehouseFactory(code="SH")
    services.stock_receive(product=product, warehouse=wh, quantity=5)
    api_client.force_authenticate(sales_user)
    rows = api_client.get(f"{API}/products/{product.pk}/availability/").json()
    assert rows[0]["warehouse_code"] == "SH" and rows[0]["available"] == "5.000"


def test_template_variants_are_every_combination(api_client, purchasing_user):
    template = ProductFactory(sku="TS", name="T 恤", is_template=True)
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        f"{API}/products/{template.pk}/variants/",
        {"attributes": {"colour": ["red", "blue"], "size": ["M", "L"]}},
        format="json",
    )
    assert response.status_code == 201
    assert sorted(p["sku"] for p in response.json()) == ["TS-BLUE-L", "TS-BLUE-M", "TS-RED-L", "TS-RED-M"]
    again = api_client.post(
        f"{API}/products/{template.pk}/variants/",
        {"attributes": {"colour": ["red"], "size": ["M"]}},
        format="json",
    )
    assert again.json() == []


def test_a_template_holds_no_stock(api_client, warehouse_user):
    template, wh = ProductFactory(is_template=True), WarehouseFactory()
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        f"{API}/receipts/", {"product": template.pk, "warehouse": wh.pk, "quantity": "1"}
    )
    assert response.status_code == 400 and "product" in response.json()


def test_a_unit_barcode_that_a_product_already_has_is_a_400(api_client, purchasing_user):
    product = ProductFactory(barcode="SAME-1")
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        f"{API}/units/", {"product": product.pk, "name": "箱", "factor": "12", "barcode": "SAME-1"}
    )
    assert response.status_code == 400 and "barcode" in response.json()
