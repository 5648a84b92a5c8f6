"""Importing bins from a file: each row written through ``locations_admin.location_save``, each
bad cell named by its row and column, a file with one bad row writes nothing."""

import pytest
from django.utils import translation

from core.tabular import import_check, import_run
from scm.inventory.location_import import COLUMNS, LOCATIONS
from scm.inventory.models import Location
from tests.scm.inventory.bins_helpers import bin_at
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _rows(*rows):
    return [[row.get(c, "") for c in COLUMNS] for row in rows]


def test_rows_become_bins_with_their_codes_and_barcodes():
    WarehouseFactory(code="BJ", name="北京仓")
    rows = _rows(
        {"warehouse": "BJ", "zone": "A", "aisle": "01", "shelf": "02", "bin": "03"},
        {"warehouse": "北京仓", "zone": "B", "code": "dock", "sequence": 5},
    )
    result = import_run(LOCATIONS, list(COLUMNS), rows, actor=None, dry_run=False)
    assert result.ok, result.errors
    assert sorted(Location.objects.values_list("code", "barcode")) == [
        ("A-01-02-03", "BJ-A-01-02-03"),
        ("DOCK", "BJ-DOCK"),
    ]


def _errors(*rows):
    result = import_check(LOCATIONS, list(COLUMNS), _rows(*rows))
    return {(e["row"], e["column"]) for e in result.errors}


def test_an_unknown_warehouse_is_named_by_its_cell():
    assert _errors({"warehouse": "NOPE", "zone": "A"}) == {(2, "warehouse")}


def test_a_code_twice_in_the_file_or_already_there_is_refused():
    wh = WarehouseFactory(code="BJ")
    bin_at(wh, "A", 1)
    errors = _errors(
        {"warehouse": "BJ", "zone": "A", "bin": "01"},
        {"warehouse": "BJ", "zone": "B"},
        {"warehouse": "BJ", "zone": "B"},
    )
    assert errors == {(2, "code"), (4, "code")}


def test_a_barcode_a_product_has_is_refused():
    WarehouseFactory(code="BJ")
    ProductFactory(barcode="6900000000011")
    assert _errors({"warehouse": "BJ", "zone": "A", "barcode": "6900000000011"}) == {(2, "barcode")}


def test_a_file_with_one_bad_sequence_writes_nothing():
    WarehouseFactory(code="BJ")
    rows = _rows(
        {"warehouse": "BJ", "zone": "A", "bin": "1"},
        {"warehouse": "BJ", "zone": "A", "bin": "2", "sequence": "NaN"},
    )
    result = import_run(LOCATIONS, list(COLUMNS), rows, actor=None, dry_run=False)
    assert not result.ok and any(e["column"] == "sequence" for e in result.errors)
    assert not Location.objects.exists()
