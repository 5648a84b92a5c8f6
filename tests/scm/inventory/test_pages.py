from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from scm.inventory import counts, services, transfers
from scm.inventory.models import CountSession, Product, StockLevel, Transfer
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory, lot_product

pytestmark = pytest.mark.django_db


def _stock(n, warehouses):
    for i in range(n):
        product = ProductFactory(name=f"Widget {i}")
        for wh in warehouses:
            services.stock_receive(product=product, warehouse=wh, quantity=i + 1)


@pytest.mark.parametrize("url_name", ["inventory:products", "inventory:stock", "inventory:low_stock"])
def test_list_pages_cost_the_same_queries_for_more_rows(
    client, sales_user, django_assert_max_num_queries, url_name
):
    whs = [WarehouseFactory(code="A"), WarehouseFactory(code="B")]
    _stock(3, whs)
    client.force_login(sales_user)
    client.get(reverse(url_name))  # warm the session and role caches
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(url_name))
    _stock(30, whs)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_product_list_filters_live_in_the_url(client, sales_user):
    ProductFactory(sku="KEEP-1", name="Green tea")
    ProductFactory(sku="DROP-1", name="Coffee")
    client.force_login(sales_user)
    html = client.get(reverse("inventory:products"), {"q": "tea"}).content.decode()
    assert "KEEP-1" in html and "DROP-1" not in html


def test_csv_export_neutralises_formulas(client, sales_user):
    ProductFactory(sku="X-1", name='=HYPERLINK("http://evil")')
    client.force_login(sales_user)
    body = client.get(reverse("inventory:product_export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_warehouse_role_cannot_edit_the_catalogue(client, warehouse_user):
    client.force_login(warehouse_user)
    assert client.get(reverse("inventory:product_create")).status_code == 403


def test_product_form_shows_a_duplicate_barcode_next_to_the_field(client, purchasing_user):
    ProductFactory(barcode="690123")
    client.force_login(purchasing_user)
    response = client.post(
        reverse("inventory:product_create"), {**PRODUCT_POST, "sku": "NEW-1", "barcode": "690123"}
    )
    assert response.status_code == 200
    assert 'data-field-error="barcode"' in response.content.decode()
    assert not Product.objects.filter(sku="NEW-1").exists()


def test_product_detail_shows_stock_by_warehouse_ledger_and_lots(client, sales_user):
    product, wh = lot_product(), WarehouseFactory(code="BJ")
    services.stock_receive(
        product=product,
        warehouse=wh,
        quantity=5,
        lot_number="LOT-77",
        expiry_date=timezone.localdate() + timedelta(30),
    )
    client.force_login(sales_user)
    html = client.get(reverse("inventory:product_detail", args=[product.pk])).content.decode()
    assert "LOT-77" in html and 'data-testid="ledger"' in html and "BJ" in html


def test_sales_cannot_use_tablet_screens(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("inventory:tablet_receive")).status_code == 403


def test_scanning_a_box_barcode_on_receive_receives_24(client, warehouse_user):
    unit = ProductUnitFactory(factor=Decimal(24), barcode="BOX-24")
    wh = WarehouseFactory()
    client.force_login(warehouse_user)
    response = client.post(
        reverse("inventory:tablet_receive_scan"),
        {"warehouse": wh.pk, "code": "BOX-24", "quantity": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-ok="1"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert StockLevel.objects.get(product=unit.product).on_hand == 24


def test_unknown_barcode_scan_answers_an_error_and_writes_nothing(client, warehouse_user):
    wh = WarehouseFactory()
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:tablet_receive_scan"), {"warehouse": wh.pk, "code": "nope"})
    html = response.content.decode()
    assert 'data-ok="0"' in html and "nope" in html
    assert not StockLevel.objects.exists()


def test_transfer_scan_refuses_more_than_the_source_holds(client, warehouse_user):
    product = ProductFactory(barcode="P-1")
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=1)
    transfer = transfers.transfer_create(source=a, destination=b)
    client.force_login(warehouse_user)
    url = reverse("inventory:tablet_transfer_scan", args=[transfer.pk])
    assert 'data-ok="1"' in client.post(url, {"code": "P-1"}).content.decode()
    assert 'data-ok="0"' in client.post(url, {"code": "P-1"}).content.decode()
    assert transfer.lines.get().quantity == 1


def test_transfer_ship_and_receive_from_the_detail_page(client, warehouse_user):
    product = ProductFactory()
    a, b = WarehouseFactory(code="A"), WarehouseFactory(code="B")
    services.stock_receive(product=product, warehouse=a, quantity=3)
    transfer = transfers.transfer_create(source=a, destination=b, lines=[{"product": product, "quantity": 3}])
    client.force_login(warehouse_user)
    client.post(reverse("inventory:transfer_action", args=[transfer.pk, "ship"]))
    client.post(reverse("inventory:transfer_action", args=[transfer.pk, "receive"]))
    assert Transfer.objects.get(pk=transfer.pk).state == "received"
    assert StockLevel.objects.get(warehouse=b).on_hand == 3


def test_count_scan_is_blind_and_counts_the_scan(client, warehouse_user):
    product, wh = ProductFactory(barcode="C-1"), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=7)
    session = counts.count_start(warehouse=wh)
    client.force_login(warehouse_user)
    client.post(reverse("inventory:tablet_count_scan", args=[session.pk]), {"code": "C-1"})
    client.post(reverse("inventory:tablet_count_scan", args=[session.pk]), {"code": "C-1"})
    assert session.lines.get().counted == 2
    html = client.get(reverse("inventory:count_detail", args=[session.pk])).content.decode()
    assert "Expected" not in html


def test_only_a_manager_approves_a_count(client, warehouse_user, manager_user):
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=7)
    session = counts.count_start(warehouse=wh)
    counts.count_submit(session=session)
    client.force_login(warehouse_user)
    assert client.post(reverse("inventory:count_action", args=[session.pk, "approve"])).status_code == 403
    client.force_login(manager_user)
    client.post(reverse("inventory:count_action", args=[session.pk, "approve"]))
    assert CountSession.objects.get(pk=session.pk).state == "approved"


def test_warehouse_starts_a_count_from_the_list(client, warehouse_user):
    wh = WarehouseFactory()
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:counts"), {"warehouse": wh.pk})
    session = CountSession.objects.get()
    assert response["Location"] == reverse("inventory:tablet_count", args=[session.pk])


def test_inventory_navigation_for_warehouse(client, warehouse_user):
    client.force_login(warehouse_user)
    html = client.get(reverse("home")).content.decode()
    assert 'data-nav="inventory.receive"' in html and 'data-nav="inventory.counts"' in html


def test_product_detail_costs_the_same_queries_for_a_longer_ledger(
    client, sales_user, django_assert_max_num_queries
):
    product = lot_product()
    whs = [WarehouseFactory(code="A"), WarehouseFactory(code="B")]
    expiry = timezone.localdate() + timedelta(days=60)

    def receive(n, start):
        for i in range(n):
            for wh in whs:
                services.stock_receive(
                    product=product, warehouse=wh, quantity=1, lot_number=f"L{start + i}", expiry_date=expiry
                )

    receive(2, 0)
    client.force_login(sales_user)
    url = reverse("inventory:product_detail", args=[product.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    receive(15, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_lot_detail_shows_where_the_lot_is_and_its_history(client, sales_user):
    product, a, b = lot_product(), WarehouseFactory(code="A"), WarehouseFactory(code="B")
    expiry = timezone.localdate() + timedelta(days=60)
    services.stock_receive(product=product, warehouse=a, quantity=6, lot_number="LX", expiry_date=expiry)
    lot = product.lots.get()
    transfers.stock_transfer(product=product, source=a, destination=b, quantity=2, lot=lot)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:lot_detail", args=[lot.pk])).content.decode()
    where = html.split('data-testid="lot-where"')[1].split("</ul>")[0]
    assert "A " in where and "TR-" in where


PRODUCT_POST = {
    "sku": "NEW-2",
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


def test_product_form_creates_the_product_with_its_box(client, purchasing_user):
    client.force_login(purchasing_user)
    data = {**PRODUCT_POST, "units-0-name": "箱", "units-0-factor": "24", "units-0-barcode": "BOX-NEW"}
    response = client.post(reverse("inventory:product_create"), data)
    product = Product.objects.get(sku="NEW-2")
    assert response["Location"] == reverse("inventory:product_detail", args=[product.pk])
    assert [(u.name, u.factor, u.barcode) for u in product.units.all()] == [("箱", 24, "BOX-NEW")]


def test_a_box_barcode_used_elsewhere_is_refused_next_to_the_unit_and_nothing_is_saved(
    client, purchasing_user
):
    ProductFactory(barcode="TAKEN-1")
    client.force_login(purchasing_user)
    data = {**PRODUCT_POST, "units-0-name": "箱", "units-0-factor": "24", "units-0-barcode": "TAKEN-1"}
    response = client.post(reverse("inventory:product_create"), data)
    assert response.status_code == 200
    assert 'data-field-error="units-barcode"' in response.content.decode()
    assert not Product.objects.filter(sku="NEW-2").exists()
