"""Counts in a warehouse with bins: a line per bin (and one for what is not put away), a zone
at a time, the bin scanned before what is in it, the expected quantity per bin and posting
into the bin. (A warehouse without bins: ``test_counts``, unchanged.)"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from scm.inventory import counts, locations, reservations, services
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import CountLine, StockLevel, StockMove
from tests.scm.inventory.bins_helpers import bin_at, held
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    wh, product = WarehouseFactory(code="BJ"), ProductFactory(sku="PEN-1")
    a1, b1 = bin_at(wh, "A", 1), bin_at(wh, "B", 1)
    services.stock_receive(product=product, warehouse=wh, quantity=5, location=a1)
    services.stock_receive(product=product, warehouse=wh, quantity=3, location=b1)
    services.stock_receive(product=product, warehouse=wh, quantity=2)
    return {"wh": wh, "product": product, "a1": a1, "b1": b1}


def _lines(session):
    return sorted(
        (line.location.code if line.location else "", line.snapshot_on_hand)
        for line in session.lines.select_related("location")
    )


def test_a_count_has_a_line_per_bin_and_one_for_what_is_not_put_away(world):
    session = counts.count_start(warehouse=world["wh"])
    assert _lines(session) == [("", 2), ("A-01", 5), ("B-01", 3)]


def test_a_zones_count_covers_its_bins_only(world):
    session = counts.count_start(warehouse=world["wh"], zone="b")
    assert session.zone == "B"
    assert _lines(session) == [("B-01", 3)]


def test_a_zone_the_warehouse_lacks_is_refused(world):
    with pytest.raises(ValidationError) as err:
        counts.count_start(warehouse=world["wh"], zone="Q")
    assert "zone" in err.value.message_dict


def test_a_zones_count_needs_the_bin(world):
    session = counts.count_start(warehouse=world["wh"], zone="A")
    with pytest.raises(ValidationError) as err:
        counts.count_record(session=session, product=world["product"], quantity=1)
    assert "location" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        counts.count_record(session=session, product=world["product"], quantity=1, location=world["b1"])
    assert "location" in err.value.message_dict


def test_a_bin_of_another_warehouse_cannot_be_counted(world):
    session = counts.count_start(warehouse=world["wh"])
    elsewhere = bin_at(WarehouseFactory(), "A", 1)
    with pytest.raises(ValidationError) as err:
        counts.count_record(session=session, product=world["product"], quantity=1, location=elsewhere)
    assert "location" in err.value.message_dict
    assert not CountLine.objects.filter(location=elsewhere).exists()


def _post(session):
    counts.count_submit(session=session)
    counts.count_approve(session=session)
    counts.count_post(session=session)


def test_posting_adjusts_each_bin_by_its_own_variance(world):
    session = counts.count_start(warehouse=world["wh"])
    counts.count_record(session=session, product=world["product"], quantity=4, location=world["a1"])
    counts.count_record(session=session, product=world["product"], quantity=3, location=world["b1"])
    counts.count_record(session=session, product=world["product"], quantity=2)
    _post(session)
    assert held(world["a1"], world["product"]) == 4
    assert held(world["b1"], world["product"]) == 3
    move = StockMove.objects.get(kind="adjustment")
    assert (move.quantity, move.location_id) == (-1, world["a1"].pk)
    assert StockLevel.objects.get().on_hand == 9
    assert stock_differences() == []


def test_stock_found_in_a_bin_the_ledger_did_not_know_is_added_there(world):
    session = counts.count_start(warehouse=world["wh"], zone="B")
    counts.count_record(session=session, product=world["product"], quantity=3, location=world["b1"])
    other = ProductFactory()
    counts.count_record(session=session, product=other, quantity=2, location=world["b1"])
    _post(session)
    assert held(world["b1"], other) == 2
    assert stock_differences() == []


def test_moves_while_counting_are_not_mistaken_for_variances_in_a_bin(world):
    session = counts.count_start(warehouse=world["wh"], zone="A")
    counts.count_record(session=session, product=world["product"], quantity=5, location=world["a1"])
    # Moved in after the bin was counted: not a variance.
    locations.stock_relocate(
        product=world["product"], warehouse=world["wh"], quantity=2, to_location=world["a1"]
    )
    _post(session)
    assert not StockMove.objects.filter(kind="adjustment").exists()
    assert held(world["a1"], world["product"]) == 7


def test_a_shipment_drawn_from_a_bin_while_counting_is_not_a_variance(world):
    session = counts.count_start(warehouse=world["wh"], zone="B")
    counts.count_record(session=session, product=world["product"], quantity=3, location=world["b1"])
    reservations.stock_reserve(
        product=world["product"], quantity=1, demand="t:1", warehouse_ids=[world["wh"].pk]
    )
    reservations.stock_consume(demand="t:1", warehouse=world["wh"], quantity=1, location=world["b1"])
    _post(session)
    assert not StockMove.objects.filter(kind="adjustment").exists()


def test_the_count_tablet_counts_in_the_bin_scanned_first(client, warehouse_user, world):
    session = counts.count_start(warehouse=world["wh"])
    client.force_login(warehouse_user)
    url = reverse("inventory:tablet_count_scan", args=[session.pk])
    with translation.override("en"):
        html = client.post(url, {"code": "BJ-A-01"}).content.decode()
        assert 'data-held="A-01"' in html
        client.post(url, {"code": "PEN-1", "quantity": "5"})
        client.post(url, {"clear_bin": "1"})
        client.post(url, {"code": "PEN-1", "quantity": "2"})
    line = CountLine.objects.get(session=session, location=world["a1"])
    assert line.counted == 5
    assert CountLine.objects.get(session=session, location=None).counted == 2


def test_the_count_api_takes_a_zone_and_a_location(api_client, warehouse_user, world):
    api_client.force_authenticate(warehouse_user)
    made = api_client.post(
        "/api/v1/inventory/counts/", {"warehouse": world["wh"].pk, "zone": "A"}, format="json"
    )
    assert made.status_code == 201, made.content
    count_id = made.json()["id"]
    recorded = api_client.post(
        f"/api/v1/inventory/counts/{count_id}/record/",
        {"product": world["product"].pk, "quantity": "5", "location": world["a1"].pk},
        format="json",
    )
    assert recorded.status_code == 200 and recorded.json()["location"] == world["a1"].pk
    refused = api_client.post(
        f"/api/v1/inventory/counts/{count_id}/record/",
        {"product": world["product"].pk, "quantity": "5", "location": "²"},
        format="json",
    )
    assert refused.status_code == 400 and "location" in refused.json()
