"""Importing products (with units, barcodes, categories, brands and prices): every row written
through the catalogue's services; each bad cell named by its row and column, and a file with
one bad row writes nothing; the check of a long file costs a fixed number of queries."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from core import imports
from core.preferences import UNIT_CONVERSIONS, UNITS, preference_set
from core.tabular import import_check, import_run, read_rows
from scm.inventory.importers import PRODUCTS
from scm.inventory.models import Brand, Category, Product
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "sku",
    "name",
    "category",
    "brand",
    "base_unit",
    "barcode",
    "tracking",
    "unit2",
    "unit2_factor",
    "unit2_barcode",
    "unit3",
    "unit3_factor",
    "list_price",
    "cost",
    "tax_rate",
    "warranty_months",
]


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def company_units():
    preference_set(
        key=UNITS,
        value=[
            {"name": "个", "divisible": False},
            {"name": "箱"},
            {"name": "包"},
            {"name": "kg", "divisible": True},
        ],
    )
    preference_set(key=UNIT_CONVERSIONS, value=[{"unit": "箱", "base": "个", "factor": "24"}])


def _row(**values) -> list:
    base = {
        "sku": "T-1",
        "name": "绿茶",
        "category": "",
        "brand": "",
        "base_unit": "个",
        "barcode": "",
        "tracking": "",
        "unit2": "",
        "unit2_factor": "",
        "unit2_barcode": "",
        "unit3": "",
        "unit3_factor": "",
        "list_price": "",
        "cost": "",
        "tax_rate": "",
        "warranty_months": "",
    }
    base.update(values)
    return [base[c] for c in HEADER]


def _check(*rows, header=HEADER):
    return import_check(PRODUCTS, list(header), [list(r) for r in rows])


def _run(*rows, header=HEADER, user=None):
    return import_run(PRODUCTS, list(header), [list(r) for r in rows], actor=user, dry_run=False)


def _errors(result) -> list[tuple]:
    return [(e["row"], e["column"]) for e in result.errors]


def test_a_file_of_products_with_units_barcodes_categories_and_prices_imports_every_row(company_units):
    result = _run(
        _row(
            sku="T-1",
            category="饮料/茶饮",
            brand="清泉",
            barcode="6901234567892",
            tracking="批次",
            unit2="箱",
            unit2_barcode="16901234567899",
            unit3="包",
            unit3_factor="6",
            list_price="4.50",
            cost="2.80",
            tax_rate="13%",
            warranty_months="12",
        ),
        _row(sku="T-2", name="红茶", category="饮料/茶饮", brand="清泉", tracking="serial", tax_rate="0.09"),
        _row(sku="T-3", name="大米", category="粮油", base_unit="KG", tracking="无"),
    )
    assert result.ok, result.errors
    assert Product.objects.count() == 3
    tea = Product.objects.get(sku="T-1")
    assert (tea.category.name, tea.category.parent.name, tea.brand.name) == ("茶饮", "饮料", "清泉")
    assert tea.tracking == Product.Tracking.LOT and tea.barcode == "6901234567892"
    assert (tea.list_price, tea.cost, tea.tax_rate, tea.warranty_months) == (
        Decimal("4.50"),
        Decimal("2.8000"),
        Decimal("0.1300"),
        12,
    )
    assert {(u.name, u.factor, u.barcode) for u in tea.units.all()} == {
        ("箱", Decimal("24.000"), "16901234567899"),
        ("包", Decimal("6.000"), ""),
    }
    assert Product.objects.get(sku="T-2").tax_rate == Decimal("0.0900")
    assert Product.objects.get(sku="T-2").tracking == Product.Tracking.SERIAL
    rice = Product.objects.get(sku="T-3")
    assert rice.base_unit == "kg" and rice.base_unit_divisible
    assert Category.objects.filter(name="饮料").count() == 1
    assert Brand.objects.count() == 1


def test_chinese_headers_are_read_as_their_columns(company_units):
    header = [PRODUCTS.labels[c] for c in ("sku", "name", "base_unit", "list_price")]
    result = _run(["T-9", "乌龙茶", "个", "8"], header=header)
    assert result.ok, result.errors
    assert Product.objects.get(sku="T-9").list_price == Decimal("8.00")


def test_the_example_row_imports_cleanly(company_units):
    columns = list(PRODUCTS.example)
    result = _run([PRODUCTS.example[c] for c in columns], header=[PRODUCTS.labels[c] for c in columns])
    assert result.ok, result.errors
    assert Product.objects.get(sku=PRODUCTS.example["sku"]).units.get().factor == Decimal("24")


def test_the_kind_is_offered_on_the_inventory_page():
    assert "products" in imports.kinds_of("inventory")


def test_one_bad_row_in_three_writes_no_product(company_units):
    result = _run(_row(sku="A"), _row(sku="B", list_price="abc"), _row(sku="C"))
    assert _errors(result) == [(3, "list_price")]
    assert not Product.objects.exists()
    assert not Category.objects.exists()


def test_a_sku_twice_in_the_file_names_the_second_row():
    result = _check(_row(sku="A"), _row(sku="A"))
    assert _errors(result) == [(3, "sku")]
    assert "row 2" in result.errors[0]["message"]


def test_a_sku_that_exists_is_an_error():
    ProductFactory(sku="A")
    assert _errors(_check(_row(sku="A"))) == [(2, "sku")]


def test_a_barcode_twice_in_the_file_is_an_error():
    result = _check(
        _row(sku="A", barcode="690"), _row(sku="B", unit2="箱", unit2_factor="12", unit2_barcode="690")
    )
    assert _errors(result) == [(3, "unit2_barcode")]


def test_a_barcode_of_a_product_or_unit_in_the_database_is_an_error():
    ProductFactory(barcode="111")
    ProductUnitFactory(barcode="222")
    result = _check(_row(sku="A", barcode="222"), _row(sku="B", barcode="111"))
    assert _errors(result) == [(2, "barcode"), (3, "barcode")]


def test_an_unknown_unit_is_an_error_naming_row_and_column_when_the_company_has_units(company_units):
    result = _check(_row(sku="A"), _row(sku="B", base_unit="桶"), _row(sku="C", unit2="瓶", unit2_factor="2"))
    assert _errors(result) == [(3, "base_unit"), (4, "unit2")]
    assert "桶" in result.errors[0]["message"] and "箱" in result.errors[0]["message"]


def test_any_unit_is_taken_when_the_company_has_named_none():
    result = _run(_row(sku="A", base_unit="桶", unit2="托", unit2_factor="40"))
    assert result.ok, result.errors
    assert Product.objects.get().units.get().name == "托"


def test_a_unit_without_a_factor_or_usual_conversion_is_an_error(company_units):
    result = _check(_row(sku="A", unit2="包"))
    assert _errors(result) == [(2, "unit2_factor")]


@pytest.mark.parametrize("factor", ["0", "-2", "abc", "NaN", "1e30"])
def test_a_factor_that_is_no_positive_number_is_an_error(factor):
    assert _errors(_check(_row(unit2="箱", unit2_factor=factor))) == [(2, "unit2_factor")]


def test_a_second_unit_named_like_the_base_unit_is_an_error():
    assert _errors(_check(_row(base_unit="个", unit2="个", unit2_factor="1"))) == [(2, "unit2")]


def test_a_factor_or_barcode_without_its_unit_is_an_error():
    assert _errors(_check(_row(unit3_factor="6"))) == [(2, "unit3")]


@pytest.mark.parametrize(
    "word, tracking", [("lot", "lot"), ("序列号", "serial"), ("无", "none"), ("", "none")]
)
def test_tracking_is_read_in_english_or_chinese(word, tracking):
    result = _check(_row(tracking=word))
    assert result.ok and result.rows[0]["fields"]["tracking"] == tracking


def test_an_unknown_tracking_is_an_error():
    assert _errors(_check(_row(tracking="maybe"))) == [(2, "tracking")]


@pytest.mark.parametrize("rate, expected", [("13%", "0.13"), ("0.13", "0.13"), ("9％", "0.09"), ("0", "0")])
def test_a_tax_rate_is_read_as_a_percentage_or_a_fraction(rate, expected):
    result = _check(_row(tax_rate=rate))
    assert result.rows[0]["fields"]["tax_rate"] == Decimal(expected)


@pytest.mark.parametrize("rate", ["13", "150%", "-1%", "abc%", "NaN"])
def test_a_tax_rate_out_of_range_is_an_error(rate):
    assert _errors(_check(_row(tax_rate=rate))) == [(2, "tax_rate")]


@pytest.mark.parametrize("column, value", [("list_price", "-1"), ("cost", "1e30"), ("list_price", "NaN")])
def test_a_price_that_is_no_amount_is_an_error(column, value):
    assert _errors(_check(_row(**{column: value}))) == [(2, column)]


@pytest.mark.parametrize("months", ["1.5", "-1", "5000"])
def test_warranty_is_a_whole_number_of_months(months):
    assert _errors(_check(_row(warranty_months=months))) == [(2, "warranty_months")]


def test_a_category_path_with_an_empty_part_is_an_error():
    assert _errors(_check(_row(category="饮料//茶饮"))) == [(2, "category")]


def test_a_required_cell_left_empty_is_named():
    assert _errors(_check(_row(sku="", name=""))) == [(2, "sku"), (2, "name")]


def test_existing_categories_and_brands_are_reused_not_duplicated():
    drinks = Category.objects.create(name="饮料")
    Category.objects.create(name="茶饮", parent=drinks)
    Brand.objects.create(name="Qingquan")
    result = _run(_row(sku="A", category="饮料／茶饮", brand="qingquan"))
    assert result.ok, result.errors
    assert Category.objects.count() == 2 and Brand.objects.count() == 1
    assert Product.objects.get().brand.name == "Qingquan"


def test_an_xlsx_file_reads_numbers_as_codes_and_quantities(company_units):
    wb = Workbook()
    wb.active.append(["商品编码", "商品名称", "基本单位", "条码", "单位2", "单位2换算"])
    wb.active.append([1001, "矿泉水", "个", 6901234567892, "箱", 24])
    buf = io.BytesIO()
    wb.save(buf)
    buf.name = "p.xlsx"
    buf.size = len(buf.getvalue())
    buf.seek(0)
    header, rows = read_rows(buf)
    result = import_run(PRODUCTS, header, rows, actor=None, dry_run=False)
    assert result.ok, result.errors
    product = Product.objects.get(sku="1001")
    assert product.barcode == "6901234567892" and product.units.get().factor == Decimal("24")


def test_checking_a_long_file_costs_a_fixed_number_of_queries(company_units, django_assert_max_num_queries):
    rows = [
        _row(sku=f"S{i}", barcode=f"69{i:08d}", unit2="箱", unit2_barcode=f"19{i:08d}") for i in range(500)
    ]
    with django_assert_max_num_queries(10):
        result = _check(*rows)
    assert result.ok and len(result.rows) == 500
