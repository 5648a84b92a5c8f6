"""``select_for_update`` locks only the rows it means: a locking query that joins names them."""

import pytest

from integration.fulfilment.models import Shipment
from tests import row_locks


def test_no_locking_query_in_the_source_joins_without_naming_what_it_locks():
    assert row_locks.joins_without_of() == []


@pytest.mark.django_db
def test_a_locking_query_that_joins_without_of_is_caught_when_it_runs():
    queryset = Shipment.objects.select_for_update().select_related("warehouse")
    try:
        queryset.query.get_compiler("default").as_sql()
        caught = list(row_locks.found)
    finally:
        row_locks.found.clear()
    assert caught and "warehouse" in caught[0]


@pytest.mark.django_db
def test_a_locking_query_that_names_its_rows_may_join():
    queryset = Shipment.objects.select_for_update(of=("self",)).select_related("warehouse")
    queryset.query.get_compiler("default").as_sql()
    assert row_locks.found == []
