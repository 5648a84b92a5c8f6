"""Recalls: the affected customers with contacts and return authorisations, each rep told once,
the lot held; the export; pages and API with their bad input."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from core.events.models import Notification
from integration.aftersales import recall as recalls
from integration.aftersales.models import QualityAlert, Recall, RecallCustomer
from tests.factories import UserFactory
from tests.integration.aftersales.factories import customer_of, received_lot, ship
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(sales_user, warehouse_user, manager_user, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    lot, receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user)
    other_rep = UserFactory(roles=["sales"])
    customers = [
        customer_of(sales_user),
        customer_of(sales_user),
        customer_of(other_rep, name="=HYPERLINK(1)"),
    ]
    for customer in customers:
        ship(
            customer, sales_user, warehouse_user, lot, 3, warehouses["SH"], django_capture_on_commit_callbacks
        )
    return {
        "lot": lot,
        "customers": customers,
        "rep": sales_user,
        "other_rep": other_rep,
        "manager": manager_user,
    }


def _start(shipped, capture, **kwargs):
    with capture(execute=True):
        return recalls.recall_start(lot=shipped["lot"], reason="卡纸批次", user=shipped["manager"], **kwargs)


def test_a_recall_lists_every_customer_with_an_authorisation_and_holds_the_lot(
    shipped, django_capture_on_commit_callbacks
):
    recall = _start(shipped, django_capture_on_commit_callbacks)
    rows = list(recall.customers.order_by("pk"))
    assert {r.customer_id for r in rows} == {c.pk for c in shipped["customers"]}
    assert all(r.authorisation.startswith("RA-") and r.quantity == 3 and r.contact_phone for r in rows)
    assert len({r.authorisation for r in rows}) == 3
    shipped["lot"].refresh_from_db()
    assert shipped["lot"].held_at is not None and shipped["lot"].held_reason == "卡纸批次"


def test_each_owning_rep_is_told_once_with_their_customers(shipped, django_capture_on_commit_callbacks):
    _start(shipped, django_capture_on_commit_callbacks)
    notes = Notification.objects.filter(kind="recall")
    assert sorted(n.user_id for n in notes) == sorted([shipped["rep"].pk, shipped["other_rep"].pk])
    mine = notes.get(user=shipped["rep"])
    assert shipped["customers"][0].name in mine.params["customers"]
    assert shipped["customers"][2].name not in mine.params["customers"]


def test_a_lot_with_an_open_recall_is_refused(shipped, django_capture_on_commit_callbacks):
    _start(shipped, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:
        _start(shipped, django_capture_on_commit_callbacks)
    assert "lot" in exc.value.message_dict and Recall.objects.count() == 1


def test_a_lot_never_shipped_cannot_be_recalled(warehouse_user, manager_user):
    lot, _r = received_lot(warehouse=three_warehouses()["GZ"], user=warehouse_user, number="L-NEW")
    with pytest.raises(ValidationError) as exc:
        recalls.recall_start(lot=lot, reason="x", user=manager_user)
    assert "lot" in exc.value.message_dict and not Recall.objects.exists()


def test_a_recall_from_an_alert_marks_it_recalled(shipped, django_capture_on_commit_callbacks):
    alert = QualityAlert.objects.create(
        product=shipped["lot"].product, lot=shipped["lot"], complaints=3, window_days=30
    )
    _start(shipped, django_capture_on_commit_callbacks, alert=alert)
    alert.refresh_from_db()
    assert alert.state == QualityAlert.State.RECALLED


def test_a_customer_moves_forward_only(shipped, django_capture_on_commit_callbacks):
    recall = _start(shipped, django_capture_on_commit_callbacks)
    row = recall.customers.first()
    recalls.recall_customer_set_state(recall_customer=row, state="contacted", user=shipped["manager"])
    recalls.recall_customer_set_state(recall_customer=row, state="returned", user=shipped["manager"])
    with pytest.raises(ValidationError):
        recalls.recall_customer_set_state(recall_customer=row, state="contacted", user=shipped["manager"])
    recalls.recall_close(recall=recall, user=shipped["manager"])
    with pytest.raises(ValidationError):
        recalls.recall_close(recall=recall, user=shipped["manager"])


def test_the_export_is_an_xlsx_with_formula_safe_cells(shipped, django_capture_on_commit_callbacks, client):
    recall = _start(shipped, django_capture_on_commit_callbacks)
    client.force_login(shipped["manager"])
    response = client.get(f"/aftersales/recalls/{recall.pk}/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names and len(names) == 3


def test_the_pages_show_the_trace_the_recall_and_the_holds(
    shipped, django_capture_on_commit_callbacks, client
):
    recall = _start(shipped, django_capture_on_commit_callbacks)
    client.force_login(shipped["manager"])
    lot = shipped["lot"]
    for url in (
        f"/aftersales/lots/{lot.pk}/trace/",
        f"/aftersales/recalls/{recall.pk}/",
        "/aftersales/recalls/",
        "/aftersales/holds/",
        "/aftersales/alerts/",
        f"/inventory/lots/{lot.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert shipped["customers"][1].name in client.get(f"/aftersales/lots/{lot.pk}/trace/").content.decode()
    assert f"/aftersales/lots/{lot.pk}/trace/" in client.get(f"/inventory/lots/{lot.pk}/").content.decode()


def test_the_trace_api_lists_the_customers(shipped, api_client, service_user):
    api_client.force_authenticate(service_user)
    data = api_client.get(f"/api/v1/aftersales/lots/{shipped['lot'].pk}/trace/").json()
    assert len(data["customers"]) == 3 and data["supplier_name"] == "宏达耗材"


@pytest.mark.parametrize("bad", ["²", "NaN", "1e30", "-1", "99999999999999999999"])
def test_bad_lot_ids_in_the_api_are_not_found(api_client, manager_user, bad):
    api_client.force_authenticate(manager_user)
    assert api_client.get(f"/api/v1/aftersales/lots/{bad}/trace/").status_code == 404
    assert api_client.post(f"/api/v1/aftersales/lots/{bad}/hold/", {"reason": "x"}).status_code == 404


def test_holding_twice_through_the_api_is_a_400_naming_the_lot(
    shipped, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(shipped["manager"])
    url = f"/api/v1/aftersales/lots/{shipped['lot'].pk}/hold/"
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(url, {"reason": "卡纸"}).status_code == 200
    response = api_client.post(url, {"reason": "卡纸"})
    assert response.status_code == 400 and "lot" in response.json()


def test_a_recall_through_the_api_and_a_second_one_refused(
    shipped, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(shipped["manager"])
    url = f"/api/v1/aftersales/lots/{shipped['lot'].pk}/recall/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url, {"reason": "卡纸"})
    assert response.status_code == 201 and len(response.json()["customers"]) == 3
    again = api_client.post(url, {"reason": "卡纸"})
    assert again.status_code == 400 and "lot" in again.json()
    row = RecallCustomer.objects.first()
    state_url = f"/api/v1/aftersales/recalls/{row.recall_id}/customer-state/"
    assert api_client.post(state_url, {"customer_row": "²", "state": "contacted"}).status_code == 400
    assert api_client.post(state_url, {"customer_row": row.pk, "state": "contacted"}).status_code == 200


def test_sales_may_not_read_the_trace(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    assert api_client.get("/api/v1/aftersales/lots/1/trace/").status_code == 403
