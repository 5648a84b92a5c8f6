from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.numbers import number_at_least
from scm.inventory import counts, reservations, services
from scm.inventory.models import StockLevel, StockMove
from scm.inventory.selectors import count_report
from tests.scm.inventory.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_start_snapshots_what_the_ledger_says():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    session = counts.count_start(warehouse=wh)
    assert [(line.product_id, line.snapshot_on_hand) for line in session.lines.all()] == [(product.pk, 10)]


def test_count_by_category_only_covers_that_category():
    cat = CategoryFactory()
    inside, outside = ProductFactory(category=cat), ProductFactory()
    wh = WarehouseFactory()
    services.stock_receive(product=inside, warehouse=wh, quantity=1)
    services.stock_receive(product=outside, warehouse=wh, quantity=1)
    session = counts.count_start(warehouse=wh, category=cat)
    assert list(session.lines.values_list("product_id", flat=True)) == [inside.pk]
    with pytest.raises(ValidationError) as err:
        counts.count_record(session=session, product=outside, quantity=1)
    assert "product" in err.value.message_dict


def test_posting_needs_approval_first():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10)
    session = counts.count_start(warehouse=wh)
    counts.count_record(session=session, product=product, quantity=9)
    counts.count_submit(session=session)
    with pytest.raises(ValidationError) as err:
        counts.count_post(session=session)
    assert "state" in err.value.message_dict
    assert StockLevel.objects.get(product=product).on_hand == 10


def test_posting_writes_an_adjustment_for_the_variance():
    product, wh = ProductFactory(cost=Decimal("5")), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=10, unit_cost="5")
    session = counts.count_start(warehouse=wh)
    counts.count_record(session=session, product=product, quantity=4)
    counts.count_record(session=session, product=product, quantity=4)
    counts.count_submit(session=session)
    counts.count_approve(session=session)
    counts.count_post(session=session)
    move = StockMove.objects.get(kind="adjustment", reference=session.number)
    assert move.quantity == -2
    assert StockLevel.objects.get(product=product).on_hand == 8


def test_a_count_posted_while_shipments_happen_gives_the_right_on_hand():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=100)
    session = counts.count_start(warehouse=wh)
    # 10 ship before the shelf is counted: the counter finds 90, minus 1 that is really missing.
    reservations.stock_reserve(product=product, quantity=10, demand="o:1")
    reservations.stock_consume(demand="o:1", warehouse=wh, quantity=10)
    counts.count_record(session=session, product=product, quantity=89)
    # 5 more ship after the count, before posting.
    reservations.stock_reserve(product=product, quantity=5, demand="o:2")
    reservations.stock_consume(demand="o:2", warehouse=wh, quantity=5)
    counts.count_submit(session=session)
    counts.count_approve(session=session)
    counts.count_post(session=session)
    assert StockLevel.objects.get(product=product).on_hand == 84
    assert StockMove.objects.get(kind="adjustment").quantity == -1


def test_uncounted_lines_count_as_zero_at_submission():
    product, wh = ProductFactory(), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=3)
    session = counts.count_start(warehouse=wh)
    counts.count_submit(session=session)
    line = session.lines.get()
    assert (line.counted, line.expected, line.variance) == (0, 3, -3)


def test_variance_report_gives_value_and_rate():
    product, wh = ProductFactory(cost=Decimal("2.5")), WarehouseFactory()
    services.stock_receive(product=product, warehouse=wh, quantity=20, unit_cost="2.5")
    session = counts.count_start(warehouse=wh)
    counts.count_record(session=session, product=product, quantity=18)
    counts.count_submit(session=session)
    report = count_report(session=session)
    row = report["rows"][0]
    assert (row["variance"], row["value"], row["rate"]) == (-2, Decimal("-5.00"), Decimal("10.0"))
    assert report["accuracy"] == 0


def test_found_stock_not_in_the_snapshot_gets_a_line():
    product, wh = ProductFactory(), WarehouseFactory()
    session = counts.count_start(warehouse=wh)
    counts.count_record(session=session, product=product, quantity=2)
    counts.count_submit(session=session)
    counts.count_approve(session=session)
    counts.count_post(session=session)
    assert StockLevel.objects.get(product=product).on_hand == 2


def test_a_count_number_comes_from_the_counter_of_the_year():
    year = timezone.localdate().year
    number_at_least(prefix="CC", year=year, value=11)
    assert counts.count_start(warehouse=WarehouseFactory()).number == f"CC-{year}-000012"
