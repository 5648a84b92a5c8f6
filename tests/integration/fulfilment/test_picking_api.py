"""The API of pick lists (lines with their bins and units), batch picks and short picks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integration.fulfilment.models import PickBatch, Shipment, ShortPick
from scm.inventory.models import ProductUnit
from tests.integration.fulfilment.factories import CustomerFactory, three_warehouses
from tests.integration.fulfilment.picking_world import make_bin, pick_list, receive_into, reserved_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def world(sales_user, warehouse_user, django_capture_on_commit_callbacks):
    sh = three_warehouses()["SH"]
    bin_ = make_bin(sh, "A-01", 1, barcode="BIN-A01")
    product = ProductFactory(barcode="6900000008001", base_unit="个")
    box = ProductUnit.objects.create(product=product, name="箱", factor=24, barcode="6900000008024")
    receive_into(product, sh, 200, bin_)
    customer = CustomerFactory(owner=sales_user)

    def order(quantity=2):
        return reserved_order(
            customer, sales_user, django_capture_on_commit_callbacks, (product, quantity, box)
        )

    return {"sh": sh, "bin": bin_, "product": product, "order": order, "picker": warehouse_user}


def test_pick_list_lines_carry_their_bin_and_unit(world, api_client):
    shipment = pick_list(world["order"](), world["sh"])
    api_client.force_authenticate(world["picker"])
    line = api_client.get(f"{API}/shipments/{shipment.pk}/").json()["lines"][0]
    assert (line["location_code"], line["unit"], line["base_unit"]) == ("A-01", "箱", "个")
    assert line["quantity_text"] == "2 箱 (48 个)"


def test_a_scan_through_the_api_may_carry_a_quantity(world, api_client):
    shipment = pick_list(world["order"](), world["sh"])
    api_client.force_authenticate(world["picker"])
    api_client.post(f"{API}/shipments/{shipment.pk}/scan/", {"code": "BIN-A01"}, format="json")
    body = api_client.post(
        f"{API}/shipments/{shipment.pk}/scan/", {"code": "6900000008024", "quantity": "2"}, format="json"
    ).json()
    assert body["lines"][0]["picked_quantity"] == "48.000"
    refused = api_client.post(
        f"{API}/shipments/{shipment.pk}/scan/", {"code": "", "quantity": "3"}, format="json"
    )
    assert refused.status_code == 400 and "quantity" in refused.json()


def test_a_batch_pick_is_made_scanned_and_shipped_through_the_api(world, api_client):
    world["order"](), world["order"](1)
    api_client.force_authenticate(world["picker"])
    made = api_client.post(f"{API}/batch-picks/", {"warehouse": world["sh"].pk, "count": "2"}, format="json")
    assert made.status_code == 201
    batch = made.json()
    assert [t["tote"] for t in batch["totes"]] == ["T1", "T2"]
    scan = f"{API}/batch-picks/{batch['id']}/scan/"
    api_client.post(scan, {"code": "BIN-A01"}, format="json")
    answer = api_client.post(scan, {"code": "6900000008024", "quantity": "2"}, format="json").json()
    assert answer["tote"] == "T1"
    t1 = batch["totes"][0]["shipment"]
    shipped = api_client.post(
        f"{API}/batch-picks/{batch['id']}/ship/",
        {"carrier": "顺丰速运", "totes": [{"shipment": t1, "tracking_number": "SF9"}]},
        format="json",
    )
    assert shipped.status_code == 200
    assert Shipment.objects.get(pk=t1).state == Shipment.State.SHIPPED


def test_a_batch_pick_of_nothing_is_refused_naming_the_field(world, api_client):
    api_client.force_authenticate(world["picker"])
    answer = api_client.post(
        f"{API}/batch-picks/", {"warehouse": world["sh"].pk, "count": "3"}, format="json"
    )
    assert answer.status_code == 400 and "count" in answer.json()
    answer = api_client.post(
        f"{API}/batch-picks/", {"warehouse": world["sh"].pk, "orders": ["²"]}, format="json"
    )
    assert answer.status_code == 400 and "orders" in answer.json()
    assert not PickBatch.objects.exists()


def test_the_batch_pick_list_issues_a_fixed_number_of_queries(world, api_client):
    api_client.force_authenticate(world["picker"])
    counts = []
    for _ in range(2):
        world["order"](1)
        api_client.post(f"{API}/batch-picks/", {"warehouse": world["sh"].pk, "count": "1"}, format="json")
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(f"{API}/batch-picks/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_short_pick_through_the_api_says_what_became_of_it(world, api_client):
    shipment = pick_list(world["order"](), world["sh"])
    api_client.force_authenticate(world["picker"])
    line = shipment.lines.get()
    answer = api_client.post(
        f"{API}/short-picks/", {"shipment_line": line.pk, "quantity": "24"}, format="json"
    )
    assert answer.status_code == 201
    assert [s["resolution"] for s in answer.json()["short_picks"]] == ["backordered"]
    assert ShortPick.objects.get().quantity == 24
    bad = api_client.post(
        f"{API}/short-picks/", {"shipment_line": line.pk, "quantity": "1e30"}, format="json"
    )
    assert bad.status_code == 400 and "quantity" in bad.json()
