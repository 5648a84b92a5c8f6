"""The import API: kinds, upload and dry run, confirm, status; the user's own imports only, each
kind to its roles, and every bad file a 400 with a message."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator
from openpyxl import Workbook
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from core.models import ImportPreview
from crm.customers.models import Customer
from tests.core.test_api_schema import assert_answers_as_documented

# One worker builds the module's fixture once (``--dist loadgroup``).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("import-api")]

UPLOAD = "/api/v1/imports/"


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def document():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, cls=JSONEncoder))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, kind, data, name="customers.xlsx"):
    return client.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, data)}, format="multipart")


def _clean_file() -> bytes:
    return _xlsx([["客户编码", "客户名称"], ["A001", "甲公司"], ["A002", "乙公司"]])


def _confirm(client, preview_id, capture):
    with capture(execute=True):
        return client.post(f"{UPLOAD}{preview_id}/confirm/")


# --- kinds -------------------------------------------------------------------------------------


def test_kinds_lists_only_what_the_user_may_import_with_columns_and_template(sales_user):
    response = _api(sales_user).get(f"{UPLOAD}kinds/")
    kinds = {k["kind"]: k for k in response.json()}
    assert {"customers", "contacts", "leads"} <= set(kinds)
    assert "suppliers" not in kinds
    columns = {c["name"]: c for c in kinds["customers"]["columns"]}
    assert columns["name"] == {"name": "name", "label": "客户名称", "required": True, "note": ""}
    assert columns["invoice_tax_id"]["label"] == "纳税人识别号"
    assert kinds["customers"]["template_url"] == "/imports/customers/template.xlsx"


def test_kinds_answers_as_documented(document, purchasing_user):
    response = _api(purchasing_user).get(f"{UPLOAD}kinds/")
    kinds = [k["kind"] for k in response.json()]
    assert {"suppliers", "supplier_prices", "products"} <= set(kinds) and "customers" not in kinds
    assert_answers_as_documented(document, response, "get", "/api/v1/imports/kinds/")


# --- upload and dry run ------------------------------------------------------------------------


def test_a_file_with_errors_lists_them_by_row_and_column_and_keeps_nothing(document, manager_user):
    data = _xlsx([["客户编码", "客户名称"], ["A001", "甲公司"], ["A002", ""]])
    response = _upload(_api(manager_user), "customers", data)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is None and body["rows"] == 2
    assert body["errors"] == [
        {"row": 3, "column": "name", "label": "客户名称", "message": "This field is required."}
    ]
    assert not ImportPreview.objects.exists()
    assert_answers_as_documented(document, response, "post", UPLOAD)


def test_a_clean_file_gives_the_preview_to_confirm(document, manager_user):
    response = _upload(_api(manager_user), "customers", _clean_file())
    assert response.status_code == 201
    body = response.json()
    assert body["errors"] == [] and body["rows"] == 2
    assert ImportPreview.objects.get(pk=body["id"]).user == manager_user
    assert Customer.objects.count() == 0
    assert_answers_as_documented(document, response, "post", UPLOAD)


def test_confirming_writes_every_row_and_the_status_says_done(
    document, manager_user, django_capture_on_commit_callbacks
):
    client = _api(manager_user)
    preview_id = _upload(client, "customers", _clean_file()).json()["id"]
    started = _confirm(client, preview_id, django_capture_on_commit_callbacks)
    assert started.status_code == 202
    assert_answers_as_documented(document, started, "post", "/api/v1/imports/{id}/confirm/")
    status = client.get(f"{UPLOAD}{preview_id}/")
    assert status.json()["state"] == "done"
    assert status.json()["imported"] == 2 and status.json()["row_count"] == 2
    assert sorted(Customer.objects.values_list("code", flat=True)) == ["A001", "A002"]
    assert_answers_as_documented(document, status, "get", "/api/v1/imports/{id}/")


def test_a_second_confirmation_is_refused_and_imports_nothing_more(
    document, manager_user, django_capture_on_commit_callbacks
):
    client = _api(manager_user)
    preview_id = _upload(client, "customers", _clean_file()).json()["id"]
    _confirm(client, preview_id, django_capture_on_commit_callbacks)
    again = _confirm(client, preview_id, django_capture_on_commit_callbacks)
    assert again.status_code == 409
    assert "imported already" in again.json()["detail"]
    assert Customer.objects.count() == 2
    assert_answers_as_documented(document, again, "post", "/api/v1/imports/{id}/confirm/")


def test_an_expired_preview_is_refused_with_a_message(manager_user, django_capture_on_commit_callbacks):
    client = _api(manager_user)
    preview_id = _upload(client, "customers", _clean_file()).json()["id"]
    ImportPreview.objects.filter(pk=preview_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _confirm(client, preview_id, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "expired" in response.json()["non_field_errors"][0]
    assert Customer.objects.count() == 0


def test_someone_elses_import_is_not_found(manager_user, user_with_role, django_capture_on_commit_callbacks):
    preview_id = _upload(_api(manager_user), "customers", _clean_file()).json()["id"]
    other = _api(user_with_role("manager"))
    assert other.get(f"{UPLOAD}{preview_id}/").status_code == 404
    assert _confirm(other, preview_id, django_capture_on_commit_callbacks).status_code == 404
    assert Customer.objects.count() == 0


def test_a_role_that_may_not_import_the_kind_is_refused(warehouse_user):
    response = _upload(_api(warehouse_user), "customers", _clean_file())
    assert response.status_code == 403
    assert not ImportPreview.objects.exists()


def test_a_preview_of_a_kind_the_user_may_no_longer_import_is_refused(
    sales_user, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    preview_id = _upload(_api(sales_user), "customers", _clean_file()).json()["id"]
    sales_user.groups.set([Group.objects.get_or_create(name="warehouse")[0]])
    moved = _api(type(sales_user).objects.get(pk=sales_user.pk))
    assert _confirm(moved, preview_id, django_capture_on_commit_callbacks).status_code == 403
    assert Customer.objects.count() == 0


# --- bad input ---------------------------------------------------------------------------------


def test_no_file_is_a_400_naming_the_file(manager_user):
    response = _api(manager_user).post(UPLOAD, {"kind": "customers"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_unknown_kind_is_a_400_naming_the_kind(manager_user):
    response = _upload(_api(manager_user), "nothing", _clean_file())
    assert response.status_code == 400
    assert "not a kind of import" in response.json()["kind"][0]


def test_a_50_mb_upload_is_refused_with_a_message(manager_user):
    data = b"name\n" + (b"a" * 99 + b"\n") * (50 * 1024 * 1024 // 100)
    response = _upload(_api(manager_user), "customers", data, name="huge.csv")
    assert response.status_code == 400
    assert "larger than 10 MB" in response.json()["file"][0]


def test_a_file_that_is_not_xlsx_or_csv_is_refused_with_a_message(manager_user):
    response = _upload(_api(manager_user), "customers", b"%PDF-1.4", name="list.pdf")
    assert response.status_code == 400
    assert ".xlsx or .csv" in response.json()["file"][0]


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(manager_user):
    response = _upload(_api(manager_user), "customers", "name\n甲\n".encode(), name="list.xlsx")
    assert response.status_code == 400
    assert "not a readable Excel file" in response.json()["file"][0]


def test_a_zip_bomb_is_refused_with_a_message(manager_user):
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = b"<worksheet><sheetData>" + row * (30 * 1024 * 1024 // len(row)) + b"</sheetData></worksheet>"
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["name"], ["甲"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = sheet if info.filename.endswith("sheet1.xml") else source.read(info)
            target.writestr(info.filename, member)
    response = _upload(_api(manager_user), "customers", out.getvalue(), name="bomb.xlsx")
    assert response.status_code == 400
    assert "expands to far more data" in response.json()["file"][0]


@pytest.mark.parametrize("preview_id", ["²", "00000000-0000-4000-8000-000000000000", "1e30"])
def test_an_id_that_is_no_import_is_not_found(manager_user, preview_id):
    client = _api(manager_user)
    assert client.get(f"{UPLOAD}{preview_id}/").status_code == 404
    assert client.post(f"{UPLOAD}{preview_id}/confirm/").status_code == 404


def test_a_json_body_is_refused_as_an_unread_content_type(manager_user):
    response = _api(manager_user).post(UPLOAD, {"kind": "customers"}, format="json")
    assert response.status_code == 415
