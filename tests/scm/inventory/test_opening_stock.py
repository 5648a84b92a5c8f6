"""Opening stock: the service posts one ledger move per line (kind *opening*) at its cost, sets
the average cost, creates lots with their expiry and keeps every level equal to its ledger;
the import checks each row (product, warehouse, quantity, unit, lot, expiry, serial) by row and
column, writes all rows or none, and announces the file once per warehouse."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.utils import translation
from openpyxl import Workbook

from core.events import names
from core.events.models import Event
from core.tabular import import_check, import_run, read_rows
from scm.inventory import opening, services
from scm.inventory.models import Lot, Product, StockLevel, StockMove
from scm.inventory.opening_import import OPENING_STOCK
from tests.scm.inventory.factories import (
    ProductFactory,
    ProductUnitFactory,
    WarehouseFactory,
    lot_product,
    serial_product,
)

pytestmark = pytest.mark.django_db

HEADER = ["sku", "warehouse", "lot", "expiry_date", "quantity", "unit", "unit_cost"]


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def wh():
    return WarehouseFactory(code="BJ", name="北京仓")


def _row(sku, warehouse="BJ", lot="", expiry="", quantity="10", unit="", cost="") -> list:
    return [sku, warehouse, lot, expiry, quantity, unit, cost]


def _check(*rows):
    return import_check(OPENING_STOCK, list(HEADER), [list(r) for r in rows])


def _run(*rows, user=None):
    return import_run(OPENING_STOCK, list(HEADER), [list(r) for r in rows], actor=user, dry_run=False)


def _errors(result) -> list[tuple]:
    return [(e["row"], e["column"]) for e in result.errors]


def _ledger(product) -> Decimal:
    return StockMove.objects.filter(product=product).aggregate(s=Sum("quantity"))["s"] or Decimal(0)


def _on_hand(product) -> Decimal:
    return StockLevel.objects.filter(product=product).aggregate(s=Sum("on_hand"))["s"] or Decimal(0)


# --- the service ---------------------------------------------------------------------------


def test_an_opening_line_posts_an_opening_move_at_its_cost_and_sets_the_average_cost(wh):
    product = ProductFactory(cost=Decimal("0"))
    (move,) = opening.stock_opening(
        lines=[
            opening.OpeningLine(
                product=product, warehouse=wh, quantity=Decimal("8"), unit_cost=Decimal("12.5")
            )
        ]
    )
    assert (move.kind, move.quantity, move.unit_cost, move.reference) == (
        StockMove.Kind.OPENING,
        Decimal("8"),
        Decimal("12.5"),
        opening.REFERENCE,
    )
    product.refresh_from_db()
    assert product.cost == Decimal("12.5000")
    assert _on_hand(product) == _ledger(product) == Decimal("8")


def test_a_second_opening_of_the_same_product_and_warehouse_is_refused(wh):
    product = ProductFactory()
    line = opening.OpeningLine(product=product, warehouse=wh, quantity=Decimal("1"))
    opening.stock_opening(lines=[line])
    with pytest.raises(ValidationError) as exc:
        opening.stock_opening(lines=[line])
    assert "product" in exc.value.message_dict
    assert _ledger(product) == 1


def test_an_opening_announces_stock_available_once_per_warehouse(wh):
    other = WarehouseFactory(code="SH")
    a, b = ProductFactory(), ProductFactory()
    opening.stock_opening(
        lines=[
            opening.OpeningLine(product=a, warehouse=wh, quantity=Decimal("1")),
            opening.OpeningLine(product=b, warehouse=wh, quantity=Decimal("1")),
            opening.OpeningLine(product=a, warehouse=other, quantity=Decimal("1")),
        ]
    )
    events = Event.objects.filter(name=names.STOCK_AVAILABLE).order_by("pk")
    assert [(e.payload["warehouse_id"], e.payload["product_ids"]) for e in events] == [
        (wh.pk, sorted([a.pk, b.pk])),
        (other.pk, [a.pk]),
    ]
    assert {e.payload["reason"] for e in events} == {"opening"}


# --- the import ----------------------------------------------------------------------------


def test_an_opening_stock_file_posts_ledger_moves_that_balance(wh):
    other = WarehouseFactory(code="SH", name="上海仓")
    plain, tea, phone = ProductFactory(sku="P1"), lot_product(sku="TEA"), serial_product(sku="PH")
    result = _run(
        _row("P1", quantity="100", cost="3.5"),
        _row("P1", warehouse="上海仓", quantity="20", cost="4"),
        _row("TEA", lot="L1", expiry="2027-03-01", quantity="30"),
        _row("TEA", lot="L2", expiry="2027-06-01", quantity="5"),
        _row("PH", lot="SN-1", quantity="1"),
        _row("PH", warehouse="SH", lot="SN-2", quantity="1"),
    )
    assert result.ok, result.errors
    assert StockMove.objects.filter(kind=StockMove.Kind.OPENING).count() == 6
    for product in (plain, tea, phone):
        assert _on_hand(product) == _ledger(product)
    assert _on_hand(plain) == 120
    assert StockLevel.objects.get(product=plain, warehouse=other).on_hand == 20
    plain.refresh_from_db()
    assert plain.cost == Decimal("3.5833")  # (100 × 3.5 + 20 × 4) / 120
    assert Lot.objects.get(product=tea, number="L1").expiry_date == date(2027, 3, 1)
    assert StockLevel.objects.get(product=phone, lot__number="SN-2").warehouse == other
    call_command("check_stock")


def test_the_file_is_announced_once_per_warehouse(wh):
    ProductFactory(sku="A"), ProductFactory(sku="B")
    assert _run(_row("A"), _row("B")).ok
    assert Event.objects.filter(name=names.STOCK_AVAILABLE).count() == 1


def test_a_quantity_in_another_unit_is_converted_to_base_units_with_its_cost(wh):
    product = ProductFactory(sku="A", cost=Decimal("0"))
    ProductUnitFactory(product=product, name="箱", factor=Decimal("24"))
    assert _run(_row("A", quantity="2", unit="箱", cost="48")).ok
    move = StockMove.objects.get(product=product)
    assert move.quantity == Decimal("48") and move.unit_cost == Decimal("2")
    product.refresh_from_db()
    assert product.cost == Decimal("2.0000")


def test_the_base_unit_may_be_named(wh):
    ProductFactory(sku="A", base_unit="个")
    assert _run(_row("A", unit="个", quantity="3")).ok


def test_a_unit_the_product_does_not_have_is_an_error(wh):
    ProductFactory(sku="A")
    result = _check(_row("A", unit="托"))
    assert _errors(result) == [(2, "unit")]


def test_a_fraction_of_a_unit_that_cannot_be_split_is_an_error(wh):
    ProductFactory(sku="A", base_unit_divisible=False)
    ProductFactory(sku="KG", base_unit="kg", base_unit_divisible=True)
    assert _errors(_check(_row("A", quantity="2.5"), _row("KG", quantity="2.5"))) == [(2, "quantity")]


def test_one_bad_row_in_three_writes_nothing(wh):
    ProductFactory(sku="A"), ProductFactory(sku="B")
    result = _run(_row("A"), _row("B", quantity="-1"), _row("A", warehouse="SH"))
    assert _errors(result) == [(3, "quantity"), (4, "warehouse")]
    assert not StockMove.objects.exists() and not StockLevel.objects.exists()
    assert not Event.objects.filter(name=names.STOCK_AVAILABLE).exists()


def test_an_unknown_product_or_warehouse_is_named_by_row_and_column(wh):
    ProductFactory(sku="A")
    assert _errors(_check(_row("NOPE"), _row("A", warehouse="广州仓"))) == [(2, "sku"), (3, "warehouse")]


@pytest.mark.parametrize("quantity", ["0", "-5", "abc", "NaN", "Infinity", "1e30", "²", ""])
def test_a_quantity_that_is_not_a_positive_number_is_an_error(wh, quantity):
    ProductFactory(sku="A")
    assert _errors(_check(_row("A", quantity=quantity))) == [(2, "quantity")]


@pytest.mark.parametrize("cost", ["-1", "NaN", "1e30"])
def test_a_unit_cost_that_is_no_amount_is_an_error(wh, cost):
    ProductFactory(sku="A")
    assert _errors(_check(_row("A", cost=cost))) == [(2, "unit_cost")]


def test_a_lot_without_expiry_for_a_lot_tracked_product_is_an_error(wh):
    lot_product(sku="TEA")
    result = _check(_row("TEA", lot="L1"))
    assert _errors(result) == [(2, "expiry_date")]


def test_a_known_lot_keeps_its_expiry_date(wh):
    product = lot_product(sku="TEA")
    Lot.objects.create(product=product, number="L1", expiry_date=date(2027, 1, 1))
    assert _check(_row("TEA", lot="L1")).ok
    assert _errors(_check(_row("TEA", lot="L1", expiry="2027-02-01"))) == [(2, "expiry_date")]


def test_a_lot_named_twice_with_two_expiry_dates_is_an_error(wh):
    WarehouseFactory(code="SH")
    lot_product(sku="TEA")
    result = _check(
        _row("TEA", lot="L1", expiry="2027-01-01"), _row("TEA", warehouse="SH", lot="L1", expiry="2027-02-01")
    )
    assert _errors(result) == [(3, "expiry_date")]


def test_a_tracked_product_without_a_lot_is_an_error(wh):
    lot_product(sku="TEA")
    assert _errors(_check(_row("TEA", expiry="2027-01-01"))) == [(2, "lot")]


def test_a_lot_for_an_untracked_product_is_an_error(wh):
    ProductFactory(sku="A")
    assert _errors(_check(_row("A", lot="L1"))) == [(2, "lot")]


@pytest.mark.parametrize("expiry", ["2026-02-31", "31/12/2026", "9999-12-31", "tomorrow"])
def test_an_expiry_date_that_does_not_exist_is_an_error(wh, expiry):
    lot_product(sku="TEA")
    assert _errors(_check(_row("TEA", lot="L1", expiry=expiry))) == [(2, "expiry_date")]


def test_serial_numbered_products_take_quantity_one_per_row(wh):
    serial_product(sku="PH")
    assert _errors(_check(_row("PH", lot="SN-1", quantity="2"))) == [(2, "quantity")]


def test_a_serial_number_already_in_stock_is_an_error(wh):
    phone = serial_product(sku="PH")
    services.stock_receive(product=phone, warehouse=wh, quantity=1, lot_number="SN-1")
    other = WarehouseFactory(code="SH")
    result = _check(_row("PH", warehouse=other.code, lot="SN-1", quantity="1"))
    assert _errors(result) == [(2, "lot")]
    assert "BJ" in result.errors[0]["message"]


def test_a_serial_number_twice_in_the_file_is_an_error(wh):
    WarehouseFactory(code="SH")
    serial_product(sku="PH")
    result = _check(
        _row("PH", lot="SN-1", quantity="1"), _row("PH", warehouse="SH", lot="SN-1", quantity="1")
    )
    assert _errors(result) == [(3, "lot")]


def test_the_same_product_warehouse_and_lot_twice_in_the_file_is_an_error(wh):
    ProductFactory(sku="A")
    assert _errors(_check(_row("A"), _row("A"))) == [(3, "sku")]


def test_importing_the_same_opening_stock_again_is_refused(wh):
    ProductFactory(sku="A")
    lot_product(sku="TEA")
    rows = [_row("A"), _row("TEA", lot="L1", expiry="2027-01-01")]
    assert _run(*rows).ok
    result = _run(*rows)
    assert _errors(result) == [(2, "sku"), (3, "lot")]
    assert StockMove.objects.count() == 2


def test_an_inactive_product_or_a_template_is_an_error(wh):
    ProductFactory(sku="OLD", is_active=False)
    ProductFactory(sku="TPL", is_template=True)
    assert _errors(_check(_row("OLD"), _row("TPL"))) == [(2, "sku"), (3, "sku")]


def test_a_warehouse_name_shared_by_two_warehouses_asks_for_the_code(wh):
    WarehouseFactory(code="BJ2", name="北京仓")
    ProductFactory(sku="A")
    assert _errors(_check(_row("A", warehouse="北京仓"))) == [(2, "warehouse")]


def test_the_example_row_imports_cleanly_once_its_setup_has_run():
    OPENING_STOCK.example_setup(None)
    result = _run([OPENING_STOCK.example.get(c, "") for c in HEADER])
    assert result.ok, result.errors
    product = Product.objects.get(sku=OPENING_STOCK.example["sku"])
    assert _on_hand(product) == 240  # 10 boxes of 24


def test_checking_a_long_file_costs_a_fixed_number_of_queries(wh, django_assert_max_num_queries):
    products = ProductFactory.create_batch(50)
    tea = lot_product()
    rows = [_row(p.sku) for p in products] + [
        _row(tea.sku, lot=f"L{i}", expiry="2027-01-01") for i in range(200)
    ]
    with django_assert_max_num_queries(12):
        result = _check(*rows)
    assert result.ok, result.errors[:3]


def test_an_expiry_date_cell_of_a_spreadsheet_is_read_as_its_date(wh):
    tea = lot_product(sku="TEA")
    wb = Workbook()
    wb.active.append(["商品编码", "仓库", "批次/序列号", "有效期至", "数量"])
    wb.active.append(["TEA", "BJ", "L1", datetime(2027, 3, 1), 12])
    buf = io.BytesIO()
    wb.save(buf)
    buf.name, buf.size = "o.xlsx", len(buf.getvalue())
    buf.seek(0)
    header, rows = read_rows(buf)
    result = import_run(OPENING_STOCK, header, rows, actor=None, dry_run=False)
    assert result.ok, result.errors
    assert Lot.objects.get(product=tea).expiry_date == date(2027, 3, 1)


def test_a_serial_that_came_into_stock_after_the_check_is_refused_when_writing(wh):
    phone = serial_product(sku="PH")
    result = _check(_row("PH", lot="SN-1", quantity="1"))
    services.stock_receive(
        product=phone, warehouse=WarehouseFactory(code="SH"), quantity=1, lot_number="SN-1"
    )
    with pytest.raises(ValidationError) as exc:
        OPENING_STOCK.write({"line": result.rows[0]["line"]}, None)
    assert list(exc.value.message_dict) == ["lot"]
