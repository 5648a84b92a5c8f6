"""The promise date (``scm.inventory.promise``): today from free stock, else the earliest
incoming receipt that covers the quantity (plus the shipping warehouse's transfer time for a
receipt elsewhere), else the product's lead time, else unknown."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scm.inventory import promise, reservations, services
from scm.inventory.holds import lot_hold
from scm.inventory.models import IncomingSupply, Lot, Warehouse
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory, lot_product

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + timedelta(days=n)


def incoming(product, warehouse, quantity, on, ref=None):
    return IncomingSupply.objects.create(
        reference=ref or f"PO-{product.pk}-{warehouse.pk}-{on}-{quantity}",
        product=product,
        warehouse=warehouse,
        quantity=Decimal(quantity),
        expected_date=on,
    )


@pytest.fixture
def world():
    bj = WarehouseFactory(code="BJ", name="北京仓", transfer_days=2)
    sh = WarehouseFactory(code="SH", name="上海仓", transfer_days=3)
    product = ProductFactory(lead_time_days=14)
    return {"bj": bj, "sh": sh, "product": product}


def test_promise_is_today_when_the_quantity_is_free_in_stock(world):
    services.stock_receive(product=world["product"], warehouse=world["bj"], quantity=10)
    found = promise.promise_dates(product_id=world["product"].pk, base_quantity=8, today=TODAY)
    assert (found.promise_date, found.source, found.shortage) == (TODAY, promise.STOCK, 0)


def test_reserved_stock_is_not_promised_again(world):
    services.stock_receive(product=world["product"], warehouse=world["bj"], quantity=10)
    reservations.stock_reserve(product=world["product"], quantity=6, demand="other")
    found = promise.promise_dates(product_id=world["product"].pk, base_quantity=8, today=TODAY)
    assert (found.available, found.shortage, found.source) == (4, 4, promise.LEAD_TIME)


def test_promise_is_the_first_receipt_that_covers_what_stock_lacks(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["bj"], quantity=3)
    incoming(p, world["bj"], 4, days(5))
    incoming(p, world["bj"], 10, days(9))
    incoming(p, world["bj"], 50, days(20))
    found = promise.promise_dates(product_id=p.pk, base_quantity=12, today=TODAY)
    # 3 free + 4 on day 5 = 7; + 10 on day 9 = 17 ≥ 12
    assert (found.promise_date, found.source) == (days(9), promise.INCOMING)


def test_a_receipt_into_another_warehouse_adds_the_shipping_warehouses_transfer_time(world):
    p = world["product"]
    incoming(p, world["sh"], 20, days(4))
    found = promise.promise_dates(product_id=p.pk, base_quantity=5, warehouse_id=world["bj"].pk, today=TODAY)
    assert (found.promise_date, found.source) == (days(4 + 2), promise.INCOMING)


def test_a_receipt_into_the_shipping_warehouse_counts_from_its_date(world):
    p = world["product"]
    incoming(p, world["sh"], 20, days(4))
    found = promise.promise_dates(product_id=p.pk, base_quantity=5, warehouse_id=world["sh"].pk, today=TODAY)
    assert found.promise_date == days(4)


def test_each_warehouse_row_has_its_own_promise_date(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["sh"], quantity=5)
    incoming(p, world["bj"], 20, days(4))
    rows = {
        r["warehouse"].code: r for r in promise.promise_dates(product_id=p.pk, base_quantity=5).warehouses
    }
    assert rows["SH"]["promise_date"] == TODAY
    assert rows["BJ"]["promise_date"] == days(4)
    assert rows["BJ"]["incoming"] == [{"quantity": Decimal(20), "expected_date": days(4)}]


def test_from_anywhere_the_warehouses_free_stock_adds_up(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["bj"], quantity=4)
    services.stock_receive(product=p, warehouse=world["sh"], quantity=4)
    assert promise.promise_dates(product_id=p.pk, base_quantity=8, today=TODAY).promise_date == TODAY
    from_bj = promise.promise_dates(product_id=p.pk, base_quantity=8, warehouse_id=world["bj"].pk)
    assert (from_bj.source, from_bj.shortage) == (promise.LEAD_TIME, 4)


def test_promise_falls_back_on_the_products_lead_time(world):
    found = promise.promise_dates(product_id=world["product"].pk, base_quantity=1, today=TODAY)
    assert (found.promise_date, found.source) == (days(14), promise.LEAD_TIME)


def test_an_unknown_lead_time_promises_no_date(world):
    product = ProductFactory(lead_time_days=None)
    found = promise.promise_dates(product_id=product.pk, base_quantity=1, today=TODAY)
    assert (found.promise_date, found.source, found.shortage) == (None, promise.UNKNOWN, 1)


def test_a_late_receipt_is_promised_from_today_not_from_the_past(world):
    p = world["product"]
    incoming(p, world["bj"], 10, days(-3))
    assert promise.promise_dates(product_id=p.pk, base_quantity=5, today=TODAY).promise_date == TODAY


def test_quarantine_and_a_lot_on_hold_and_an_expired_lot_are_never_promised(world):
    p = lot_product(lead_time_days=None)
    quarantine = WarehouseFactory(code="QA", kind=Warehouse.Kind.QUARANTINE, site=world["bj"])
    services.stock_receive(product=p, warehouse=quarantine, quantity=9, lot_number="Q1", expiry_date=days(90))
    services.stock_receive(
        product=p, warehouse=world["bj"], quantity=9, lot_number="H1", expiry_date=days(90)
    )
    services.stock_receive(product=p, warehouse=world["bj"], quantity=9, lot_number="E1", expiry_date=days(5))
    lot_hold(lot=Lot.objects.get(product=p, number="H1"), reason="quality")
    found = promise.promise_dates(product_id=p.pk, base_quantity=1, today=days(10))
    assert (found.available, found.promise_date) == (0, None)
    assert [r["warehouse"].code for r in found.warehouses] == ["BJ", "SH"]


def test_lines_of_one_product_are_promised_one_after_the_other(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["bj"], quantity=10)
    first, second = promise.promise_dates_many(lines=[(p, 6), (p, 6)], today=TODAY)
    assert (first.promise_date, second.promise_date) == (TODAY, days(14))
    assert second.available == 4


def test_many_lines_cost_the_same_queries_as_one(world):
    products = [ProductFactory(lead_time_days=3) for _ in range(12)]
    for product in products:
        services.stock_receive(product=product, warehouse=world["bj"], quantity=2)
        incoming(product, world["sh"], 5, days(6))
    with CaptureQueriesContext(connection) as one:
        promise.promise_dates_many(lines=[(products[0], 3)], ship_from=world["bj"], rows=False)
    with CaptureQueriesContext(connection) as many:
        found = promise.promise_dates_many(
            lines=[(p, 3) for p in products], ship_from=world["bj"], rows=False
        )
    # The levels and receipts in one statement, and what waits for them (the sales app's
    # registered reading of its backorders) in one more.
    assert len(one) == len(many) == 2
    assert {f.promise_date for f in found} == {days(6 + 2)}
    with CaptureQueriesContext(connection) as rows:
        promise.promise_dates_many(lines=[(p, 3) for p in products], warehouse_id=world["bj"].pk)
    assert len(rows) == 3


# What already waits for incoming supply (backorders ahead, given as ``waiting``) is served first.


def test_a_receipt_wholly_waited_for_promises_the_next_receipt(world):
    p = world["product"]
    incoming(p, world["bj"], 5, days(4))
    incoming(p, world["bj"], 20, days(9))
    [found] = promise.promise_dates_many(lines=[(p, 3)], waiting={p.pk: Decimal(5)}, today=TODAY)
    assert (found.promise_date, found.source) == (days(9), promise.INCOMING)


def test_receipts_all_waited_for_promise_the_lead_time(world):
    p = world["product"]
    incoming(p, world["bj"], 5, days(4))
    [found] = promise.promise_dates_many(lines=[(p, 1)], waiting={p.pk: Decimal(5)}, today=TODAY)
    assert (found.promise_date, found.source) == (days(14), promise.LEAD_TIME)


def test_what_a_receipt_has_left_after_those_waiting_is_promised_from_it(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["bj"], quantity=2)
    incoming(p, world["bj"], 10, days(4))
    # 2 free + 10 arriving − 6 waiting = 6 ≥ 6
    [found] = promise.promise_dates_many(lines=[(p, 6)], waiting={p.pk: Decimal(6)}, today=TODAY)
    assert found.promise_date == days(4)


def test_free_stock_is_promised_today_whatever_waits_for_receipts(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["bj"], quantity=4)
    [found] = promise.promise_dates_many(lines=[(p, 4)], waiting={p.pk: Decimal(50)}, today=TODAY)
    assert (found.promise_date, found.source, found.available) == (TODAY, promise.STOCK, 4)


def test_what_waits_for_one_product_does_not_hold_back_another(world):
    p, other = world["product"], ProductFactory(lead_time_days=14)
    incoming(p, world["bj"], 5, days(4))
    [found] = promise.promise_dates_many(lines=[(p, 5)], waiting={other.pk: Decimal(5)}, today=TODAY)
    assert found.promise_date == days(4)


def test_each_warehouse_rows_own_date_serves_what_waits_first(world):
    p = world["product"]
    incoming(p, world["bj"], 5, days(4))
    incoming(p, world["sh"], 20, days(8))
    [found] = promise.promise_dates_many(lines=[(p, 3)], waiting={p.pk: Decimal(5)}, today=TODAY)
    rows = {r["warehouse"].code: r["promise_date"] for r in found.warehouses}
    # BJ: its own receipt is taken; SH's arrives in 8 days, +2 days to BJ.
    assert rows == {"BJ": days(8 + 2), "SH": days(8)}


def test_a_second_line_of_a_product_waits_behind_what_the_first_lacks(world):
    p = world["product"]
    services.stock_receive(product=p, warehouse=world["bj"], quantity=10)
    incoming(p, world["bj"], 6, days(4))
    incoming(p, world["bj"], 10, days(9))
    # The first line takes the 10 free and 2 of the 6 arriving in 4 days: 4 are left then.
    first, second = promise.promise_dates_many(lines=[(p, 12), (p, 6)], today=TODAY)
    assert (first.promise_date, second.promise_date) == (days(4), days(9))
