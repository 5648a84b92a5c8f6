"""Importing suppliers and supplier prices: a dry run writes nothing, one bad row rejects the
file, formulas and wrong columns are named, a confirmed file is written by the task; the
customers' import page does not offer or confirm purchasing kinds; the export is formula-safe."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.models import ImportPreview
from scm.purchasing.models import Supplier, SupplierPrice, SupplierProduct
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _upload(client, kind, name, data):
    return client.post(
        reverse("purchasing:supplier_import"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


def _errors(response) -> list[tuple]:
    return [(e["row"], e["column"]) for e in response.context["result"].errors]


def _confirm(client, token, capture):
    with capture(execute=True):
        return client.post(reverse("purchasing:supplier_import"), {"token": token})


@pytest.fixture
def buyer_client(client, purchasing_user):
    client.force_login(purchasing_user)
    return client


def test_a_dry_run_writes_nothing(buyer_client):
    response = _upload(buyer_client, "suppliers", "s.csv", "name,code\n华为,V9\n".encode())
    assert response.context["result"].ok and response.context["token"]
    assert not Supplier.objects.exists()


def test_a_confirmed_file_is_written_with_every_row(buyer_client, django_capture_on_commit_callbacks):
    token = _upload(
        buyer_client, "suppliers", "s.csv", "名称,编码,账期\n华为,V9,60\n中兴,,30\n".encode()
    ).context["token"]
    response = _confirm(buyer_client, token, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert ImportPreview.objects.get().state == ImportPreview.State.DONE
    assert Supplier.objects.get(code="V9").payment_terms_days == 60
    assert Supplier.objects.get(name="中兴").code.startswith("V-")


def test_one_bad_row_rejects_the_whole_file(buyer_client):
    response = _upload(buyer_client, "suppliers", "s.csv", b"name,payment_terms_days\nA,30\nB,abc\n")
    assert _errors(response) == [(3, "payment_terms_days")]
    assert "token" not in response.context
    assert not ImportPreview.objects.exists()


def test_a_formula_in_a_cell_is_refused_naming_its_row_and_column(buyer_client):
    wb = Workbook()
    wb.active.append(["name", "phone"])
    wb.active.append(["A", '=HYPERLINK("http://x")'])
    buf = io.BytesIO()
    wb.save(buf)
    response = _upload(buyer_client, "suppliers", "s.xlsx", buf.getvalue())
    assert _errors(response) == [(2, "phone")]
    assert "formula" in str(response.context["result"].errors[0]["message"])


def test_a_missing_column_is_named(buyer_client):
    response = _upload(buyer_client, "supplier_prices", "p.csv", b"supplier,product,price\nV1,X,1\n")
    assert sorted(_errors(response)) == [(1, "sku"), (1, "unit_price")]


def test_prices_name_the_supplier_by_code_or_name_and_the_product_by_sku(
    buyer_client, django_capture_on_commit_callbacks
):
    supplier = SupplierFactory(code="V1", name="华为")
    first, second = ProductFactory(sku="P-1"), ProductFactory(sku="P-2")
    csv = (
        "supplier,sku,supplier_code,min_quantity,unit_price,valid_from\n"
        "V1,P-1,HW-1,0,10.5,\n"
        "华为,P-2,,100,9,2026-01-01\n"
    )
    token = _upload(buyer_client, "supplier_prices", "p.csv", csv.encode()).context["token"]
    _confirm(buyer_client, token, django_capture_on_commit_callbacks)
    item = SupplierProduct.objects.get(supplier=supplier, product=first)
    assert item.supplier_code == "HW-1"
    assert item.prices.get().unit_price == Decimal("10.5000")
    assert SupplierPrice.objects.get(supplier_product__product=second).min_quantity == Decimal("100")


def test_price_rows_with_unknown_supplier_product_or_bad_figures_are_named(buyer_client):
    SupplierFactory(code="V1")
    ProductFactory(sku="P-1")
    csv = (
        "supplier,sku,unit_price,valid_from,valid_to\n"
        "V2,P-1,1,,\nV1,P-9,1,,\nV1,P-1,0,,\nV1,P-1,1,2026-05-01,2026-04-01\n"
    )
    response = _upload(buyer_client, "supplier_prices", "p.csv", csv.encode())
    assert _errors(response) == [(2, "supplier"), (3, "sku"), (4, "unit_price"), (5, "valid_to")]
    assert not SupplierPrice.objects.exists()


def test_a_price_overlapping_one_in_force_or_another_row_is_refused(buyer_client):
    item = SupplierProductFactory(supplier=SupplierFactory(code="V1"), product=ProductFactory(sku="P-1"))
    SupplierPriceFactory(supplier_product=item, min_quantity=0)
    ProductFactory(sku="P-2")
    csv = "supplier,sku,unit_price,valid_from\nV1,P-1,5,2027-01-01\nV1,P-2,5,\nV1,P-2,6,2027-01-01\n"
    response = _upload(buyer_client, "supplier_prices", "p.csv", csv.encode())
    assert _errors(response) == [(2, "valid_from"), (4, "valid_from")]


def test_the_customer_import_page_neither_offers_nor_confirms_purchasing_kinds(
    client, manager_user, django_capture_on_commit_callbacks
):
    client.force_login(manager_user)
    page = client.get(reverse("customers:import"))
    kinds = [k for k, _label in page.context["form"].fields["kind"].choices]
    assert "suppliers" not in kinds and "customers" in kinds
    token = _upload(client, "suppliers", "s.csv", b"name\nA\n").context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import"), {"token": token})
    assert ImportPreview.objects.get().state == ImportPreview.State.READY
    assert client.get(reverse("customers:import_status", args=[token])).status_code == 404


def test_finance_may_not_import_suppliers(client, finance_user):
    client.force_login(finance_user)
    assert client.get(reverse("purchasing:supplier_import")).status_code == 403


def test_the_supplier_export_defuses_formulas(client, finance_user):
    SupplierFactory(name='=HYPERLINK("http://evil")', phone="+8613800000000")
    client.force_login(finance_user)
    response = client.get(reverse("purchasing:supplier_list"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][:2] == ("code", "name")
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][4] == "'+8613800000000"
