"""Safe imports: bounded reading, strict encodings, the record rules of the forms, previews kept
in the database and written by a task, one import per preview however often it is confirmed."""

import io
import threading
import zipfile
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from core import imports, tabular
from core.models import ImportPreview
from crm.customers.models import Contact, Customer
from tests.crm.customers.factories import CustomerFactory, TeamFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    """The messages are asserted in English: pages and the API answer in it (a client that asks
    for no language gets LANGUAGE_CODE), and so do services called here."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, kind, name, data):
    return client.post(reverse("customers:import"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def _form_errors(response) -> str:
    return " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)


def _confirm(client, token, capture):
    with capture(execute=True):
        return client.post(reverse("customers:import"), {"token": token})


# --- reading: bounded before parsing ---------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(
    client, manager_user, settings, monkeypatch
):
    settings.IMPORT_MAX_BYTES = 1000
    monkeypatch.setattr(tabular, "decode_csv", lambda data: pytest.fail("the file was parsed"))
    client.force_login(manager_user)
    response = _upload(client, "customers", "big.csv", b"name\n" + b"x" * 2000 + b"\n")
    assert response.status_code == 200
    assert "larger than" in _form_errors(response)
    assert not ImportPreview.objects.exists()


def test_a_50_mb_upload_is_refused_with_a_message(client, manager_user):
    client.force_login(manager_user)
    data = b"name\n" + (b"a" * 99 + b"\n") * (50 * 1024 * 1024 // 100)
    response = _upload(client, "customers", "huge.csv", data)
    assert response.status_code == 200
    assert "larger than 10 MB" in _form_errors(response)
    assert Customer.objects.count() == 0


def _bomb(members_size: int) -> bytes:
    """A valid workbook whose sheet is replaced by ``members_size`` bytes of highly compressible
    rows: a few tens of KB on disk."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([["name"], ["甲"]])))
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + row * (members_size // len(row)) + b"</sheetData></worksheet>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_declared_sizes_without_opening_it(client, manager_user, monkeypatch):
    import openpyxl

    bomb = _bomb(30 * 1024 * 1024)
    assert len(bomb) < 300 * 1024
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was opened"))
    client.force_login(manager_user)
    response = _upload(client, "customers", "bomb.xlsx", bomb)
    assert "expands to far more data" in _form_errors(response)
    assert Customer.objects.count() == 0


def test_a_workbook_declaring_more_than_the_unzipped_limit_is_refused(settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1024
    settings.IMPORT_MAX_ZIP_RATIO = 10**9
    with pytest.raises(tabular.ValidationError):
        tabular.read_rows(SimpleUploadedFile("a.xlsx", _xlsx_bytes([["name"], ["甲"] * 200])))


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_rows_are_counted_while_streaming_and_reading_stops_at_the_limit(monkeypatch, ext):
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    rows = [["name"]] + [[f"公司{i}"] for i in range(50)]
    data = _xlsx_bytes(rows) if ext == "xlsx" else "\n".join(r[0] for r in rows).encode()
    seen = []
    original = tabular._kept

    def counting(kept, row):
        seen.append(row)
        return original(kept, row)

    monkeypatch.setattr(tabular, "_kept", counting)
    with translation.override("en"), pytest.raises(tabular.ValidationError) as exc:
        tabular.read_rows(SimpleUploadedFile(f"a.{ext}", data))
    assert "At most 5 rows" in str(exc.value)
    assert len(seen) == 7  # the header, five rows, and the one too many: no further


def test_a_csv_field_over_131072_characters_is_refused_naming_the_row(client, manager_user):
    client.force_login(manager_user)
    data = ("name,notes\n甲公司,ok\n乙公司," + "x" * 140_000 + "\n").encode()
    response = _upload(client, "customers", "long.csv", data)
    assert response.status_code == 200
    assert "Row 3" in _form_errors(response) and "131,072" in _form_errors(response)
    assert Customer.objects.count() == 0


def test_a_nul_byte_in_a_name_is_refused_with_its_row_and_column(client, manager_user):
    client.force_login(manager_user)
    response = _upload(client, "customers", "nul.csv", "name,phone\n甲公司,1\n乙\x00公司,2\n".encode())
    errors = response.context["result"].errors
    assert errors == [{"row": 3, "column": "name", "message": "This value contains a NUL character."}]
    assert "token" not in response.context
    assert Customer.objects.count() == 0


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        "名称,电话\n北京华联商贸有限公司,1\n".encode(),
        "名称,电话\n北京华联商贸有限公司,1\n".encode("utf-8-sig"),
        "名称,电话\n北京华联商贸有限公司,1\n".encode("gbk"),
        "名称,电话\n北京华联商贸有限公司,1\n".encode("gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "gb18030"],
)
def test_utf8_and_gb18030_files_are_read(encoded):
    header, rows = tabular.read_rows(SimpleUploadedFile("a.csv", encoded))
    assert header == ["名称", "电话"]
    assert rows == [["北京华联商贸有限公司", "1"]]


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("name,address\n株式会社さくら商事,東京都千代田区\n", "shift_jis"),
        ("name\n東京商事\n", "shift_jis"),
        ("名稱\n台北貿易有限公司\n", "big5"),
        ("name\nCafé Müller\n", "latin-1"),
        ("name\n甲公司\n", "utf-16"),
    ],
)
def test_other_encodings_are_refused_with_a_message(client, manager_user, encoded, encoding):
    client.force_login(manager_user)
    response = _upload(client, "customers", "a.csv", encoded.encode(encoding))
    assert "CSV UTF-8" in _form_errors(response)
    assert Customer.objects.count() == 0


# --- record rules ----------------------------------------------------------------------------


def _contacts_file(code):
    return f"customer,name,is_primary\n{code},张三,1\n".encode()


def test_a_reps_contact_import_reads_another_teams_customer_as_missing(client, sales_user):
    stranger = CustomerFactory(code="OTHER1")
    client.force_login(sales_user)
    hidden = _upload(client, "contacts", "c.csv", _contacts_file("OTHER1")).context["result"].errors
    missing = _upload(client, "contacts", "c.csv", _contacts_file("NOSUCH")).context["result"].errors
    assert [e["message"].replace("OTHER1", "X") for e in hidden] == [
        e["message"].replace("NOSUCH", "X") for e in missing
    ]
    assert hidden[0]["column"] == "customer"
    assert not stranger.contacts.exists()


def test_a_reps_contact_import_cannot_change_a_teammates_customer(client, sales_user):
    mate = UserFactory(roles=["sales"])
    TeamFactory(members=[sales_user, mate])
    CustomerFactory(code="MATE1", owner=mate)
    client.force_login(sales_user)
    errors = _upload(client, "contacts", "c.csv", _contacts_file("MATE1")).context["result"].errors
    assert errors[0]["column"] == "customer" and "may not" in errors[0]["message"]
    assert not Contact.objects.exists()


def test_a_reps_contact_import_adds_to_their_own_customer(
    client, sales_user, django_capture_on_commit_callbacks
):
    own = CustomerFactory(code="MINE1", owner=sales_user)
    client.force_login(sales_user)
    response = _upload(client, "contacts", "c.csv", _contacts_file("MINE1"))
    _confirm(client, response.context["token"], django_capture_on_commit_callbacks)
    assert own.contacts.get().is_primary


@pytest.mark.parametrize(
    ("column", "value"),
    [("owner", "someone-else"), ("team", "Elsewhere"), ("credit_limit", "1000000")],
)
def test_a_reps_customer_import_cannot_set_owner_team_or_credit_limit(client, sales_user, column, value):
    UserFactory(username="someone-else", roles=["sales"])
    TeamFactory(name="Elsewhere")
    client.force_login(sales_user)
    response = _upload(client, "customers", "c.csv", f"name,{column}\n甲公司,{value}\n".encode())
    errors = response.context["result"].errors
    assert [(e["row"], e["column"]) for e in errors] == [(2, column)]
    assert Customer.objects.count() == 0


def test_a_reps_customer_import_may_name_themselves_and_their_team(
    client, sales_user, django_capture_on_commit_callbacks
):
    team = TeamFactory(name="Mine", members=[sales_user])
    client.force_login(sales_user)
    response = _upload(
        client, "customers", "c.csv", f"name,owner,team\n甲公司,{sales_user.username},Mine\n".encode()
    )
    _confirm(client, response.context["token"], django_capture_on_commit_callbacks)
    customer = Customer.objects.get()
    assert customer.owner == sales_user and customer.team == team


def test_a_manager_imports_owner_team_and_credit_limit(
    client, manager_user, django_capture_on_commit_callbacks
):
    rep = UserFactory(username="rep-x", roles=["sales"])
    TeamFactory(name="North")
    client.force_login(manager_user)
    response = _upload(
        client, "customers", "c.csv", "name,owner,team,credit_limit\n甲公司,rep-x,North,5000\n".encode()
    )
    _confirm(client, response.context["token"], django_capture_on_commit_callbacks)
    customer = Customer.objects.get()
    assert (customer.owner, customer.team.name, str(customer.credit_limit)) == (rep, "North", "5000.00")


# --- previews, the task and its progress ------------------------------------------------------


def test_automatic_codes_never_collide_within_a_file(
    client, manager_user, django_capture_on_commit_callbacks
):
    client.force_login(manager_user)
    data = ("name\n" + "".join(f"公司{i}\n" for i in range(300))).encode()
    response = _upload(client, "customers", "c.csv", data)
    _confirm(client, response.context["token"], django_capture_on_commit_callbacks)
    codes = list(Customer.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 300


def test_the_preview_is_kept_compressed_in_the_database_not_in_the_cache(client, manager_user):
    client.force_login(manager_user)
    data = (
        "name,phone\n" + "".join(f"北京某某商贸有限公司{i},1380000{i:04d}\n" for i in range(2000))
    ).encode()
    response = _upload(client, "customers", "c.csv", data)
    preview = ImportPreview.objects.get(pk=response.context["token"])
    assert preview.row_count == 2000 and preview.user == manager_user
    assert len(bytes(preview.data)) < len(data) / 3
    assert imports.preview_rows(preview)[1][0] == ["北京某某商贸有限公司0", "13800000000"]
    assert preview.expires_at - timezone.now() <= timedelta(minutes=30)


def test_an_expired_preview_cannot_be_confirmed_and_is_purged(client, manager_user):
    client.force_login(manager_user)
    response = _upload(client, "customers", "c.csv", "name\n甲公司\n".encode())
    ImportPreview.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.post(reverse("customers:import"), {"token": response.context["token"]})
    assert Customer.objects.count() == 0
    assert imports.import_previews_purge() == 1
    assert not ImportPreview.objects.exists()


def test_someone_elses_preview_is_not_found(client, manager_user, user_with_role):
    client.force_login(manager_user)
    token = _upload(client, "customers", "c.csv", "name\n甲公司\n".encode()).context["token"]
    client.force_login(user_with_role("manager"))
    assert client.get(reverse("customers:import_status", args=[token])).status_code == 404
    client.post(reverse("customers:import"), {"token": token})
    assert ImportPreview.objects.get().state == ImportPreview.State.READY


def test_a_second_confirmation_imports_nothing_more(client, manager_user, django_capture_on_commit_callbacks):
    client.force_login(manager_user)
    token = _upload(client, "customers", "c.csv", "name\n甲公司\n乙公司\n".encode()).context["token"]
    _confirm(client, token, django_capture_on_commit_callbacks)
    again = _confirm(client, token, django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert Customer.objects.count() == 2
    assert ImportPreview.objects.get().state == ImportPreview.State.DONE


def test_a_row_that_fails_when_written_marks_the_import_failed_and_writes_nothing(
    client, manager_user, django_capture_on_commit_callbacks
):
    client.force_login(manager_user)
    token = _upload(client, "customers", "c.csv", "code,name\nX1,甲公司\nX2,乙公司\n".encode()).context[
        "token"
    ]
    CustomerFactory(code="X2")  # taken between the preview and the confirmation
    response = _confirm(client, token, django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    assert page.context["preview"].state == ImportPreview.State.FAILED
    assert 'data-error-row="3"' in page.content.decode()
    assert not Customer.objects.filter(code="X1").exists()


def test_twenty_thousand_rows_go_through_the_task_with_progress(
    client, manager_user, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    CustomerFactory(code="BIG")
    data = ("customer,name,phone\n" + "".join(f"BIG,联系人{i},139{i:08d}\n" for i in range(20_000))).encode()
    client.force_login(manager_user)
    response = _upload(client, "contacts", "contacts.csv", data)
    token = response.context["token"]
    status = client.get(reverse("customers:import_status", args=[token]))
    assert 'data-testid="import-confirm"' in status.content.decode()
    seen = []
    original = imports._progress_set
    imports_progress = lambda preview_id, done: (seen.append(done), original(preview_id, done))  # noqa: E731
    import unittest.mock

    with unittest.mock.patch.object(imports, "_progress_set", imports_progress):
        confirmed = _confirm(client, token, django_capture_on_commit_callbacks)
    assert confirmed["Location"] == reverse("customers:import_status", args=[token])
    preview = ImportPreview.objects.get(pk=token)
    assert (preview.state, preview.imported) == (ImportPreview.State.DONE, 20_000)
    assert Contact.objects.count() == 20_000
    assert seen[0] == 200 and seen[-1] == 20_000
    assert cache.get(imports._progress_key(preview.pk)) == 20_000
    assert "20000 rows imported" in client.get(confirmed["Location"]).content.decode().replace(",", "")


def test_the_status_page_polls_while_the_import_runs(client, manager_user):
    client.force_login(manager_user)
    token = _upload(client, "customers", "c.csv", "name\n甲公司\n".encode()).context["token"]
    ImportPreview.objects.update(state=ImportPreview.State.IMPORTING)
    cache.set(imports._progress_key(token), 1)
    page = client.get(reverse("customers:import_status", args=[token]), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'data-testid="import-progress"' in html
    assert "<html" not in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_confirmations_import_the_file_once(manager_user, settings):
    client = Client()
    client.force_login(manager_user)
    response = _upload(
        client, "customers", "c.csv", ("name\n" + "".join(f"公司{i}\n" for i in range(50))).encode()
    )
    token = response.context["token"]
    barrier = threading.Barrier(4)
    answers = []

    def confirm():
        other = Client()
        other.force_login(manager_user)
        barrier.wait()
        try:
            answers.append(other.post(reverse("customers:import"), {"token": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [302] * 4
    assert Customer.objects.count() == 50
    assert ImportPreview.objects.get().state == ImportPreview.State.DONE


def test_a_formula_in_a_customer_cell_is_refused_with_its_row_and_column(client, manager_user):
    client.force_login(manager_user)
    data = _xlsx_bytes([["name", "phone"], ["甲公司", "+86 138"], ["乙公司", '=HYPERLINK("http://x","y")']])
    response = _upload(client, "customers", "c.xlsx", data)
    errors = response.context["result"].errors
    assert [(e["row"], e["column"]) for e in errors] == [(3, "phone")]
    assert not Customer.objects.exists()


def test_an_exported_owner_imports_back_by_name(client, manager_user, django_capture_on_commit_callbacks):
    rep = UserFactory(username="u_zhangwei", last_name="张", first_name="伟", roles=["sales"])
    client.force_login(manager_user)
    response = _upload(client, "customers", "c.csv", "name,负责人\n甲公司,张伟\n".encode())
    _confirm(client, response.context["token"], django_capture_on_commit_callbacks)
    assert Customer.objects.get().owner == rep
