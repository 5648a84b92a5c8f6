"""Template files of the imports: every kind's file carries its Chinese headers and one example
row that imports cleanly, is offered on the import page and is downloaded by the kind's roles."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core import imports, tabular

pytestmark = pytest.mark.django_db

# Every registered kind: the kinds other apps add are covered as soon as they register.
KINDS = sorted(imports.SPECS)


def _workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def _download(client, kind):
    return client.get(reverse("import-template", args=[kind]))


# --- what every kind declares ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_declares_its_roles_and_a_chinese_header_per_column(kind):
    spec = imports.SPECS[kind]
    assert spec.roles
    assert set(spec.labels) == set(spec.columns)
    headers = [spec.labels[c] for c in spec.columns]
    assert len(set(headers)) == len(headers), "two columns share a header"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers), headers


@pytest.mark.parametrize("kind", KINDS)
def test_every_kinds_example_gives_every_required_column(kind):
    spec = imports.SPECS[kind]
    assert set(spec.example) <= set(spec.columns)
    assert all(spec.example.get(c) not in (None, "") for c in spec.required)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kinds_template_imports_cleanly_once_what_it_refers_to_exists(kind, admin_user):
    spec = imports.SPECS[kind]
    if spec.example_setup is not None:
        spec.example_setup(admin_user)
    upload = SimpleUploadedFile(f"{kind}.xlsx", tabular.template_workbook(spec))
    header, rows = tabular.read_rows(upload)
    assert len(rows) == 1
    checked = tabular.import_run(spec, header, rows, actor=admin_user, dry_run=True)
    assert checked.errors == []
    written = tabular.import_run(spec, header, rows, actor=admin_user, dry_run=False)
    assert written.errors == []


# --- the file ----------------------------------------------------------------------------------


def test_the_customers_template_has_the_chinese_headers_bold_and_frozen(admin_user, client):
    client.force_login(admin_user)
    response = _download(client, "customers")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "customers-template.xlsx" in response["Content-Disposition"]
    sheet = _workbook(response.content).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["客户编码", "客户名称"]
    assert {"联系人", "联系人电话", "开票抬头", "纳税人识别号", "开户行及账号"} <= set(headers)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 10


def test_the_example_row_keeps_leading_zeros_as_text(admin_user):
    sheet = _workbook(tabular.template_workbook(imports.SPECS["customers"])).worksheets[0]
    phone = sheet.cell(row=2, column=imports.SPECS["customers"].columns.index("phone") + 1)
    assert phone.value == "02158880001"
    assert phone.data_type == "s" and phone.number_format == "@"


def test_the_example_row_is_the_specs_example(admin_user):
    spec = imports.SPECS["suppliers"]
    sheet = _workbook(tabular.template_workbook(spec)).worksheets[0]
    example = {spec.columns[c.column - 1]: c.value for c in sheet[2] if c.value is not None}
    assert example == spec.example


def test_required_columns_are_marked_on_the_header_and_the_notes_sheet():
    spec = imports.SPECS["supplier_prices"]
    with translation.override("en"):
        book = _workbook(tabular.template_workbook(spec))
    sheet = book.worksheets[0]
    unit_price = sheet.cell(row=1, column=spec.columns.index("unit_price") + 1)
    assert "Required." in unit_price.comment.text
    notes = book[tabular.NOTES_SHEET]
    rows = {r[1]: r for r in notes.iter_rows(min_row=2, values_only=True)}
    assert rows["unit_price"][0] == "单价" and rows["unit_price"][2] == "Yes"
    assert rows["valid_from"][3] == "YYYY-MM-DD"
    assert rows["supplier_code"][2] in (None, "")


def test_a_header_written_in_full_width_brackets_is_read_as_its_column():
    spec = imports.SPECS["customers"]
    names = tabular._column_names(spec, ["客户名称", "账期(天)", "账期（天）", " 联系人 "])
    assert names == ["name", "payment_terms_days", "payment_terms_days", "contact_name"]


def test_a_contacts_customer_code_header_names_the_customer_not_a_code():
    assert tabular._column_names(imports.SPECS["contacts"], ["客户编码"]) == ["customer"]


# --- the download ------------------------------------------------------------------------------


def test_an_unknown_kind_has_no_template(admin_user, client):
    client.force_login(admin_user)
    assert _download(client, "nothing").status_code == 404


def test_a_role_that_may_not_import_the_kind_may_not_have_its_template(warehouse_user, client):
    client.force_login(warehouse_user)
    assert _download(client, "customers").status_code == 403


def test_a_kinds_role_downloads_its_template(purchasing_user, client):
    client.force_login(purchasing_user)
    assert _download(client, "suppliers").status_code == 200
    assert _download(client, "customers").status_code == 403


def test_the_import_page_offers_the_template_of_each_kind_it_offers(sales_user, client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(sales_user)
    with translation.override("en"):
        page = client.get(reverse("customers:import")).content.decode()
    for kind in imports.kinds_of("customers"):
        assert reverse("import-template", args=[kind]) in page
    assert "Download the Customers template" in page
    assert reverse("import-template", args=["suppliers"]) not in page
