"""The bin pages, and bins on the stock pages: fixed queries, the warehouse edits, others read,
refusals shown next to the field."""

import pytest
from django.urls import reverse
from django.utils import translation

from scm.inventory import locations, services
from scm.inventory.models import Location
from tests.scm.inventory.bins_helpers import bin_at
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _fill(wh, n, start=0):
    for i in range(start, start + n):
        location = bin_at(wh, "A", i + 1)
        services.stock_receive(product=ProductFactory(), warehouse=wh, quantity=i + 1, location=location)


def test_the_locations_list_costs_the_same_queries_for_more_bins(
    client, sales_user, django_assert_max_num_queries
):
    wh = WarehouseFactory()
    _fill(wh, 3)
    client.force_login(sales_user)
    url = reverse("inventory:locations") + f"?warehouse={wh.pk}"
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    _fill(wh, 30, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="location-row"') == 33


def test_the_list_shows_what_each_bin_holds(client, sales_user):
    wh = WarehouseFactory()
    _fill(wh, 1)
    bin_at(wh, "A", 9)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:locations"), {"warehouse": wh.pk}).content.decode()
    assert html.count('data-testid="location-products">1<') == 1
    assert "empty" in html


def test_a_bad_warehouse_id_is_a_field_error(client, sales_user):
    client.force_login(sales_user)
    response = client.get(reverse("inventory:locations"), {"warehouse": "²"})
    assert response.status_code == 400 and "warehouse" in response.content.decode()


def test_the_warehouse_makes_a_zone_from_the_page(client, warehouse_user):
    wh = WarehouseFactory(code="BJ")
    client.force_login(warehouse_user)
    data = {
        "zone": "a",
        "aisle_from": "1",
        "aisle_to": "2",
        "shelf_from": "1",
        "shelf_to": "2",
        "bin_from": "1",
        "bin_to": "3",
    }
    response = client.post(reverse("inventory:location_zone") + f"?warehouse={wh.pk}", data)
    assert response.status_code == 302
    assert Location.objects.filter(warehouse=wh, zone="A").count() == 12


def test_a_bad_range_on_the_zone_page_shows_next_to_its_field(client, warehouse_user):
    wh = WarehouseFactory()
    client.force_login(warehouse_user)
    data = {
        "zone": "A",
        "aisle_from": "NaN",
        "aisle_to": "2",
        "shelf_from": "1",
        "shelf_to": "1",
        "bin_from": "1",
        "bin_to": "1",
    }
    html = client.post(reverse("inventory:location_zone") + f"?warehouse={wh.pk}", data).content.decode()
    assert 'data-field-error="aisle_from"' in html
    assert not Location.objects.exists()


def test_a_location_is_made_and_edited_from_the_form(client, warehouse_user):
    wh = WarehouseFactory(code="BJ")
    client.force_login(warehouse_user)
    client.post(
        reverse("inventory:location_create") + f"?warehouse={wh.pk}",
        {"zone": "A", "aisle": "01", "bin": "02", "is_active": "on"},
    )
    location = Location.objects.get()
    assert (location.code, location.barcode) == ("A-01-02", "BJ-A-01-02")
    client.post(
        reverse("inventory:location_edit", args=[location.pk]),
        {
            "zone": "A",
            "aisle": "01",
            "bin": "02",
            "code": "A-01-02",
            "sequence": "7",
            "barcode": "X1",
            "is_active": "on",
        },
    )
    location.refresh_from_db()
    assert (location.sequence, location.barcode) == (7, "X1")


def test_a_duplicate_code_shows_next_to_the_field(client, warehouse_user):
    wh = WarehouseFactory()
    bin_at(wh, "A", 1)
    client.force_login(warehouse_user)
    html = client.post(
        reverse("inventory:location_create") + f"?warehouse={wh.pk}", {"zone": "A", "code": "a-01"}
    ).content.decode()
    assert 'data-field-error="code"' in html


def test_deleting_a_bin_that_holds_stock_is_refused_with_a_message(client, warehouse_user):
    wh = WarehouseFactory()
    _fill(wh, 1)
    location = Location.objects.get()
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:location_delete", args=[location.pk]), follow=True)
    assert "still holds stock" in response.content.decode()
    assert Location.objects.filter(pk=location.pk).exists()


def test_sales_reads_bins_but_cannot_change_them(client, sales_user):
    location = bin_at(WarehouseFactory(), "A", 1)
    client.force_login(sales_user)
    assert client.get(reverse("inventory:location_detail", args=[location.pk])).status_code == 200
    assert client.get(reverse("inventory:location_edit", args=[location.pk])).status_code == 403
    assert client.post(reverse("inventory:location_delete", args=[location.pk])).status_code == 403
    assert Location.objects.filter(pk=location.pk).exists()


def test_the_bin_page_lists_what_it_holds_and_its_moves(client, sales_user):
    wh = WarehouseFactory()
    product = ProductFactory(sku="PEN-1")
    location = bin_at(wh, "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=6)
    locations.stock_relocate(product=product, warehouse=wh, quantity=6, to_location=location)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:location_detail", args=[location.pk])).content.decode()
    assert "PEN-1" in html and 'data-testid="move-location"' in html


def test_the_stock_overview_shows_bins_and_what_is_not_put_away(client, sales_user):
    wh = WarehouseFactory()
    product = ProductFactory()
    a1 = bin_at(wh, "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    locations.stock_relocate(product=product, warehouse=wh, quantity=7, to_location=a1)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:stock")).content.decode()
    assert "A-01</a>&nbsp;7" in html
    assert 'data-testid="not-put-away">not put away&nbsp;3' in html


def test_a_warehouse_without_bins_shows_no_bins_on_the_stock_page(client, sales_user):
    services.stock_receive(product=ProductFactory(), warehouse=WarehouseFactory(), quantity=10)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:stock")).content.decode()
    assert "not put away" not in html


def test_the_stock_overview_with_bins_costs_the_same_queries(
    client, sales_user, django_assert_max_num_queries
):
    wh = WarehouseFactory()
    _fill(wh, 3)
    client.force_login(sales_user)
    url = reverse("inventory:stock")
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    _fill(wh, 30, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_product_page_shows_its_bins(client, sales_user):
    wh = WarehouseFactory(code="BJ")
    product = ProductFactory()
    a1 = bin_at(wh, "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=10, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=2)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:product_detail", args=[product.pk])).content.decode()
    assert 'data-testid="stock-by-bin"' in html and "A-01" in html
    assert 'data-testid="product-not-put-away"' in html


def test_unticking_active_on_a_bin_holding_stock_is_refused_next_to_the_field(client, warehouse_user):
    wh = WarehouseFactory()
    _fill(wh, 1)
    location = Location.objects.get()
    client.force_login(warehouse_user)
    html = client.post(
        reverse("inventory:location_edit", args=[location.pk]),
        {"zone": "A", "code": location.code, "sequence": "0"},
    ).content.decode()
    assert 'data-field-error="is_active"' in html
    assert Location.objects.get().is_active
