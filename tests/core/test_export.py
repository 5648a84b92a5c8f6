"""Formula-safe cells have one definition (``core.export.safe_cell``), and every export writes
its cells through it: customers, contacts and leads (CSV and xlsx), products and invoices (CSV).
The earlier copies disagreed on numbers (one turned a negative amount into text)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.export import safe_cell
from tests.crm.customers.factories import ContactFactory, CustomerFactory
from tests.crm.sales.factories import LeadFactory
from tests.factories import UserFactory
from tests.finance.factories import make_invoice
from tests.scm.inventory.factories import ProductFactory

EVIL = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("text", EVIL)
def test_text_that_starts_like_a_formula_is_shown_as_written(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["张三", "a=b", "x-1", "", "'quoted"])
def test_other_text_is_left_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [Decimal("-5.00"), Decimal("10000.00"), -3, 2.5, 0])
def test_numbers_stay_numbers_negative_ones_too(number):
    assert safe_cell(number) == number and type(safe_cell(number)) is type(number)


def test_none_is_an_empty_cell_and_dates_are_iso_text():
    assert safe_cell(None) == ""
    assert safe_cell(date(2026, 3, 1)) == "2026-03-01"
    assert safe_cell(True) == "True"


# --- every export ---------------------------------------------------------------------------


def _customers(evil):
    user = UserFactory(roles=["manager"])
    CustomerFactory(name=evil, credit_limit=Decimal("12345.60"))
    return user, reverse("customers:list"), {"name": evil, "credit_limit": Decimal("12345.60")}


def _contacts(evil):
    user = UserFactory(roles=["manager"])
    ContactFactory(name=evil)
    return user, reverse("customers:contacts_export"), {"name": evil}


def _leads(evil):
    user = UserFactory(roles=["manager"])
    LeadFactory(name=evil)
    return user, reverse("sales:lead_list"), {"name": evil}


def _products(evil):
    user = UserFactory(roles=["sales"])
    ProductFactory(name=evil, list_price=Decimal("88.50"))
    return user, reverse("inventory:product_export"), {"Name": evil, "List price": Decimal("88.50")}


def _invoices(evil):
    user = UserFactory(roles=["finance"])
    make_invoice(CustomerFactory(name="客户"), "10.00", source_reference=evil)
    return user, reverse("finance:invoice_list"), {"Reference": evil, "Total": Decimal("10.00")}


# exporter → (set-up, query string per format)
EXPORTERS = {
    "customers": (_customers, {"csv": "?export=csv", "xlsx": "?export=xlsx"}),
    "contacts": (_contacts, {"csv": "?export=csv", "xlsx": "?export=xlsx"}),
    "leads": (_leads, {"csv": "?export=csv", "xlsx": "?export=xlsx"}),
    "products": (_products, {"csv": ""}),
    "invoices": (_invoices, {"csv": "?format=csv"}),
}
CASES = [(name, fmt) for name, (_setup, formats) in EXPORTERS.items() for fmt in formats]


def _table(response, fmt) -> list[list]:
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
@pytest.mark.parametrize("evil", ['=HYPERLINK("http://evil")', "-2+3"])
@pytest.mark.parametrize(("exporter", "fmt"), CASES)
def test_every_export_writes_its_cells_through_safe_cell(exporter, fmt, evil, client):
    setup, formats = EXPORTERS[exporter]
    user, url, expected = setup(evil)
    client.force_login(user)

    table = _table(client.get(url + formats[fmt], HTTP_ACCEPT_LANGUAGE="en"), fmt)

    header = [str(h) for h in table[0]]
    row = next(r for r in table[1:] if any(str(v).endswith(evil) for v in r))
    for column, value in expected.items():
        cell = row[header.index(column)]
        if isinstance(value, Decimal):  # numbers stay numbers: the same figure, not text
            assert cell == (str(value) if fmt == "csv" else float(value))
        else:
            assert cell == safe_cell(value)
