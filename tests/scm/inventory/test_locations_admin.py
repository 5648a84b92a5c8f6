"""Setting bins up: codes, barcodes, sequences, a zone at once, and refusals."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.models import AuditLog
from scm.inventory import locations_admin
from scm.inventory.models import Location, LocationStock
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def _save(**fields):
    return locations_admin.location_save(actor=None, **fields)


def test_a_location_is_coded_from_its_parts():
    wh = WarehouseFactory(code="BJ")
    loc = _save(warehouse=wh, zone="a", aisle="01", shelf="02", bin="03")
    assert (loc.code, loc.barcode) == ("A-01-02-03", "BJ-A-01-02-03")


def test_a_given_code_and_barcode_are_kept():
    loc = _save(warehouse=WarehouseFactory(), zone="B", code="dock-1", barcode="LOC000123")
    assert (loc.code, loc.barcode) == ("DOCK-1", "LOC000123")


def test_new_locations_walk_after_the_last():
    wh = WarehouseFactory()
    first = _save(warehouse=wh, zone="A", bin="1", sequence=40)
    second = _save(warehouse=wh, zone="A", bin="2")
    assert second.sequence > first.sequence


def test_a_code_is_unique_in_its_warehouse():
    wh = WarehouseFactory()
    _save(warehouse=wh, zone="A", bin="1")
    with pytest.raises(ValidationError) as err:
        _save(warehouse=wh, zone="a", bin="1", barcode="OTHER")
    assert "code" in err.value.message_dict
    assert Location.objects.count() == 1


def test_the_same_code_may_exist_in_two_warehouses():
    _save(warehouse=WarehouseFactory(), zone="A", bin="1")
    _save(warehouse=WarehouseFactory(), zone="A", bin="1")
    assert Location.objects.count() == 2


def test_a_barcode_is_unique_across_warehouses():
    _save(warehouse=WarehouseFactory(), zone="A", barcode="BIN-1")
    with pytest.raises(ValidationError) as err:
        _save(warehouse=WarehouseFactory(), zone="A", barcode="BIN-1")
    assert "barcode" in err.value.message_dict


def test_a_bin_barcode_cannot_be_a_products():
    ProductFactory(barcode="6901234567892")
    with pytest.raises(ValidationError) as err:
        _save(warehouse=WarehouseFactory(), zone="A", barcode="6901234567892")
    assert "barcode" in err.value.message_dict


@pytest.mark.parametrize("value", ["NaN", "1e30", "-1", "1.5", "²", "abc"])
def test_a_bad_sequence_names_its_field(value):
    with pytest.raises(ValidationError) as err:
        _save(warehouse=WarehouseFactory(), zone="A", sequence=value)
    assert "sequence" in err.value.message_dict
    assert not Location.objects.exists()


def test_a_zone_is_required():
    with pytest.raises(ValidationError) as err:
        _save(warehouse=WarehouseFactory(), zone="  ")
    assert "zone" in err.value.message_dict


def test_a_quarantine_has_no_bins():
    site = WarehouseFactory()
    holding = WarehouseFactory(kind="quarantine", site=site)
    with pytest.raises(ValidationError) as err:
        _save(warehouse=holding, zone="A")
    assert "warehouse" in err.value.message_dict


def _holding(quantity=5):
    wh = WarehouseFactory()
    loc = _save(warehouse=wh, zone="A", bin="1")
    LocationStock.objects.create(location=loc, product=ProductFactory(), on_hand=quantity)
    return loc


def test_a_location_holding_stock_cannot_be_deleted():
    loc = _holding()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        locations_admin.location_delete(location=loc, actor=None)
    assert "still holds stock" in err.value.message_dict["location"][0]
    assert Location.objects.filter(pk=loc.pk).exists()


def test_a_location_holding_stock_cannot_be_deactivated():
    loc = _holding()
    with pytest.raises(ValidationError) as err:
        locations_admin.location_deactivate(location=loc, actor=None)
    assert "is_active" in err.value.message_dict
    loc.refresh_from_db()
    assert loc.is_active


def test_an_empty_location_is_deleted_and_audited():
    user = UserFactory()
    loc = _holding(quantity=0)
    locations_admin.location_delete(location=loc, actor=user)
    assert not Location.objects.filter(pk=loc.pk).exists()
    assert AuditLog.objects.filter(action="inventory.location_deleted", actor=user).exists()


def test_an_empty_location_is_deactivated():
    loc = _holding(quantity=0)
    locations_admin.location_deactivate(location=loc, actor=None)
    loc.refresh_from_db()
    assert not loc.is_active


def test_a_zone_is_made_at_once_with_a_snaking_walk():
    wh = WarehouseFactory(code="BJ")
    made = locations_admin.location_zone_create(
        warehouse=wh, zone="A", aisles=4, shelves=3, bins=5, actor=None
    )
    assert len(made) == 4 * 3 * 5
    walk = list(Location.objects.filter(warehouse=wh).order_by("sequence").values_list("code", flat=True))
    assert walk[:6] == ["A-01-01-01", "A-01-01-02", "A-01-01-03", "A-01-01-04", "A-01-01-05", "A-01-02-01"]
    # Up the first aisle, down the second.
    assert walk[15:17] == ["A-02-03-01", "A-02-03-02"]
    assert walk[-1] == "A-04-01-05"
    assert Location.objects.get(code="A-03-02-04").barcode == "BJ-A-03-02-04"


def test_a_second_zone_walks_after_the_first():
    wh = WarehouseFactory()
    locations_admin.location_zone_create(warehouse=wh, zone="A", aisles=1, shelves=1, bins=2, actor=None)
    locations_admin.location_zone_create(warehouse=wh, zone="B", aisles=1, shelves=1, bins=2, actor=None)
    walk = list(Location.objects.filter(warehouse=wh).order_by("sequence").values_list("code", flat=True))
    assert walk == ["A-01-01-01", "A-01-01-02", "B-01-01-01", "B-01-01-02"]


def test_a_zone_clashing_with_existing_bins_writes_nothing():
    wh = WarehouseFactory()
    _save(warehouse=wh, zone="A", aisle="01", shelf="01", bin="02")
    with pytest.raises(ValidationError) as err:
        locations_admin.location_zone_create(warehouse=wh, zone="A", aisles=1, shelves=1, bins=3, actor=None)
    assert "zone" in err.value.message_dict
    assert Location.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("aisles", "NaN"), ("shelves", 0), ("bins", "1e30"), ("aisles", (3, 1)), ("bins", "²")],
)
def test_bad_zone_ranges_name_their_field(field, value):
    ranges = {"aisles": 1, "shelves": 1, "bins": 1, field: value}
    with pytest.raises(ValidationError) as err:
        locations_admin.location_zone_create(warehouse=WarehouseFactory(), zone="A", actor=None, **ranges)
    assert field in err.value.message_dict
    assert not Location.objects.exists()


def test_too_many_bins_at_once_are_refused():
    with pytest.raises(ValidationError) as err:
        locations_admin.location_zone_create(
            warehouse=WarehouseFactory(), zone="A", aisles=99, shelves=99, bins=99, actor=None
        )
    assert "bins" in err.value.message_dict
