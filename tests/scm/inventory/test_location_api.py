"""The bins API: locations (list by warehouse and zone, create, change, delete refused while
holding stock), a zone at once, what bins hold, the put-away suggestion, relocations."""

import pytest
from django.utils import translation

from scm.inventory import services
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import Location, LocationStock, StockMove
from tests.scm.inventory.bins_helpers import bin_at, held
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
BASE = "/api/v1/inventory/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def wh():
    return WarehouseFactory(code="BJ")


def test_locations_are_listed_by_warehouse_and_zone(api_client, sales_user, wh):
    bin_at(wh, "A", 1)
    bin_at(wh, "B", 1)
    bin_at(WarehouseFactory(), "A", 1)
    api_client.force_authenticate(sales_user)
    rows = api_client.get(BASE + "locations/", {"warehouse": wh.pk, "zone": "A"}).json()["results"]
    assert [r["code"] for r in rows] == ["A-01"]


def test_the_locations_list_costs_the_same_queries_for_more_rows(
    api_client, sales_user, wh, django_assert_max_num_queries
):
    bin_at(wh, "A", 1)
    api_client.force_authenticate(sales_user)
    api_client.get(BASE + "locations/")
    with django_assert_max_num_queries(12) as few:
        api_client.get(BASE + "locations/")
    for n in range(2, 30):
        bin_at(wh, "A", n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api_client.get(BASE + "locations/")


def test_the_warehouse_creates_and_changes_a_location(api_client, warehouse_user, wh):
    api_client.force_authenticate(warehouse_user)
    made = api_client.post(
        BASE + "locations/", {"warehouse": wh.pk, "zone": "A", "aisle": "01", "bin": "03"}, format="json"
    )
    assert made.status_code == 201, made.content
    assert (made.json()["code"], made.json()["barcode"]) == ("A-01-03", "BJ-A-01-03")
    changed = api_client.patch(BASE + f"locations/{made.json()['id']}/", {"sequence": "40"}, format="json")
    assert changed.status_code == 200 and changed.json()["sequence"] == 40


def test_sales_cannot_create_a_location(api_client, sales_user, wh):
    api_client.force_authenticate(sales_user)
    response = api_client.post(BASE + "locations/", {"warehouse": wh.pk, "zone": "A"}, format="json")
    assert response.status_code == 403
    assert not Location.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "1e30", "-5", "²"])
def test_a_bad_sequence_is_a_400_naming_it(api_client, warehouse_user, wh, value):
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        BASE + "locations/", {"warehouse": wh.pk, "zone": "A", "sequence": value}, format="json"
    )
    assert response.status_code == 400 and "sequence" in response.json()
    assert not Location.objects.exists()


def test_deleting_a_location_holding_stock_is_a_400_naming_it(api_client, warehouse_user, wh):
    a1 = bin_at(wh, "A", 1)
    services.stock_receive(product=ProductFactory(), warehouse=wh, quantity=3, location=a1)
    api_client.force_authenticate(warehouse_user)
    response = api_client.delete(BASE + f"locations/{a1.pk}/")
    assert response.status_code == 400
    assert "still holds stock" in response.json()["location"][0]
    assert Location.objects.filter(pk=a1.pk).exists()


def test_deleting_a_location_stock_moved_through_is_a_400_not_a_conflict(api_client, warehouse_user, wh):
    a1 = bin_at(wh, "A", 1)
    product = ProductFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a1)
    services.stock_adjust(product=product, warehouse=wh, quantity=-3, reason="lost", location=a1)
    api_client.force_authenticate(warehouse_user)
    response = api_client.delete(BASE + f"locations/{a1.pk}/")
    assert response.status_code == 400 and "location" in response.json()


def test_an_empty_unused_location_is_deleted(api_client, warehouse_user, wh):
    a1 = bin_at(wh, "A", 1)
    api_client.force_authenticate(warehouse_user)
    assert api_client.delete(BASE + f"locations/{a1.pk}/").status_code == 204
    assert not Location.objects.exists()


def test_a_zone_is_made_through_the_api(api_client, warehouse_user, wh):
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        BASE + "locations/zone/",
        {"warehouse": wh.pk, "zone": "C", "aisles": [1, 2], "shelves": 2, "bins": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [r["code"] for r in response.json()][:3] == ["C-01-01-01", "C-01-01-02", "C-01-02-01"]


def test_a_bad_zone_range_is_a_400_naming_it(api_client, warehouse_user, wh):
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        BASE + "locations/zone/",
        {"warehouse": wh.pk, "zone": "C", "aisles": "NaN", "shelves": 1, "bins": 1},
        format="json",
    )
    assert response.status_code == 400 and "aisles" in response.json()


def test_what_bins_hold_is_listed(api_client, sales_user, wh):
    a1 = bin_at(wh, "A", 1)
    product = ProductFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=a1)
    api_client.force_authenticate(sales_user)
    rows = api_client.get(BASE + "location-stock/", {"location__warehouse": wh.pk}).json()["results"]
    assert [(r["location_code"], r["product"], r["on_hand"]) for r in rows] == [("A-01", product.pk, "3.000")]


def test_the_put_away_suggestion(api_client, sales_user, wh):
    product = ProductFactory()
    bin_at(wh, "A", 1)
    api_client.force_authenticate(sales_user)
    found = api_client.get(BASE + "put-away/", {"warehouse": wh.pk, "product": product.pk}).json()
    assert found["code"] == "A-01"
    none = api_client.get(
        BASE + "put-away/", {"warehouse": WarehouseFactory().pk, "product": product.pk}
    ).json()
    assert none == {"location": None, "code": None, "zone": None}


@pytest.mark.parametrize("field", ["warehouse", "product", "lot"])
def test_the_put_away_suggestion_refuses_a_bad_id_naming_it(api_client, sales_user, wh, field):
    params = {"warehouse": wh.pk, "product": ProductFactory().pk, field: "²"}
    api_client.force_authenticate(sales_user)
    response = api_client.get(BASE + "put-away/", params)
    assert response.status_code == 400 and field in response.json()


def _relocate(api_client, **data):
    return api_client.post(BASE + "relocations/", data, format="json")


def test_a_relocation_puts_away_and_keeps_the_ledger_balanced(api_client, warehouse_user, wh):
    product, a1 = ProductFactory(), bin_at(wh, "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    api_client.force_authenticate(warehouse_user)
    response = _relocate(api_client, product=product.pk, warehouse=wh.pk, quantity="6", to_location=a1.pk)
    assert response.status_code == 201, response.content
    assert response.json()["moved_in"]["location"] == a1.pk
    assert held(a1, product) == 6
    assert stock_differences() == []


def test_moving_more_than_the_bin_holds_is_a_400_and_moves_nothing(api_client, warehouse_user, wh):
    product, a1, a2 = ProductFactory(), bin_at(wh, "A", 1), bin_at(wh, "A", 2)
    services.stock_receive(product=product, warehouse=wh, quantity=4, location=a1)
    api_client.force_authenticate(warehouse_user)
    response = _relocate(
        api_client, product=product.pk, warehouse=wh.pk, quantity="5", from_location=a1.pk, to_location=a2.pk
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert held(a1, product) == 4 and not LocationStock.objects.filter(location=a2).exists()
    assert not StockMove.objects.filter(kind="relocation").exists()


@pytest.mark.parametrize("quantity", ["-1", "NaN", "1e30", "²", "0"])
def test_a_bad_relocation_quantity_is_a_400(api_client, warehouse_user, wh, quantity):
    product, a1 = ProductFactory(), bin_at(wh, "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=4)
    api_client.force_authenticate(warehouse_user)
    response = _relocate(
        api_client, product=product.pk, warehouse=wh.pk, quantity=quantity, to_location=a1.pk
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert not StockMove.objects.filter(kind="relocation").exists()


@pytest.mark.parametrize("field", ["to_location", "from_location"])
def test_a_bad_location_id_is_a_400_naming_it(api_client, warehouse_user, wh, field):
    product, a1 = ProductFactory(), bin_at(wh, "A", 1)
    data = {"product": product.pk, "warehouse": wh.pk, "quantity": "1", "to_location": a1.pk, field: "²"}
    api_client.force_authenticate(warehouse_user)
    response = _relocate(api_client, **data)
    assert response.status_code == 400 and field in response.json()


def test_a_bin_of_another_warehouse_is_a_400(api_client, warehouse_user, wh):
    product = ProductFactory()
    elsewhere = bin_at(WarehouseFactory(), "A", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=4)
    api_client.force_authenticate(warehouse_user)
    response = _relocate(
        api_client, product=product.pk, warehouse=wh.pk, quantity="1", to_location=elsewhere.pk
    )
    assert response.status_code == 400 and "another warehouse" in response.json()["to_location"][0]
    assert not StockMove.objects.filter(kind="relocation").exists()


def test_receipts_through_the_api_name_the_bin(api_client, warehouse_user, wh):
    product, a1 = ProductFactory(), bin_at(wh, "A", 1)
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        BASE + "receipts/",
        {"product": product.pk, "warehouse": wh.pk, "quantity": "2", "location": a1.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["location"] == a1.pk
    assert held(a1, product) == 2
