from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.sales.models import SalesOrder
from integration.insights import cycles
from integration.insights.models import PurchaseCycle
from tests.crm.sales.factories import CustomerFactory
from tests.integration.insights.factories import TODAY, bought, days_ago, every
from tests.scm.inventory.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def detect(**kwargs):
    return sorted(cycles.cycles_detect(today=TODAY, **kwargs), key=lambda c: (c.customer_id, c.kind, c.key))


def test_bought_every_march_is_an_annual_cycle_expected_next_march():
    customer = CustomerFactory()
    paper = ProductFactory(name="A4 复印纸")
    bought(customer, date(2024, 3, 10), (paper, 20))
    bought(customer, date(2025, 3, 12), (paper, 25))
    bought(customer, date(2026, 3, 14), (paper, 30))

    [cycle] = detect()

    assert (cycle.kind, cycle.level, cycle.item_id, cycle.month) == ("annual", "product", paper.pk, 3)
    assert cycle.expected_date == date(2027, 3, 12)  # the mean day of the month bought
    # hit rate 3/3 × concentration 3/3 × 3/(3 + 1)
    assert cycle.confidence == Decimal("0.750")
    assert (cycle.last_quantity, cycle.last_order_date) == (Decimal("30"), date(2026, 3, 14))
    assert cycle.occurrences == 3


def test_an_annual_cycle_missing_a_year_has_less_confidence():
    customer = CustomerFactory()
    paper, pens = ProductFactory(), ProductFactory()
    bought(customer, date(2024, 1, 8), (pens, 5))
    bought(customer, date(2024, 3, 10), (paper, 20))
    bought(customer, date(2026, 3, 10), (paper, 20))

    [cycle] = [c for c in detect() if c.item_id == paper.pk]

    # March observed in 2024, 2025 and 2026, bought in two: 2/3 × 2/2 × 2/3
    assert cycle.confidence == Decimal("0.444")
    assert cycle.expected_date == date(2027, 3, 10)


def test_bought_every_six_weeks_is_an_interval_cycle():
    customer = CustomerFactory()
    toner = ProductFactory()
    every(customer, toner, gaps=[42, 42, 42, 42], last=days_ago(30), quantity=4)

    [cycle] = detect()

    assert (cycle.kind, cycle.interval_days, cycle.occurrences) == ("interval", 42, 5)
    assert cycle.expected_date == days_ago(30) + timedelta(days=42)
    assert cycle.confidence == Decimal("0.800")  # (1 − CV 0) × 4/5
    assert cycle.last_quantity == Decimal("4")


def test_interval_confidence_falls_with_the_spread_of_the_gaps():
    customer = CustomerFactory()
    every(customer, ProductFactory(), gaps=[40, 44, 42, 42], last=days_ago(10))

    [cycle] = detect()

    # mean 42, standard deviation √2: CV 0.03367; (1 − 0.03367) × 4/5
    assert cycle.confidence == Decimal("0.773")
    assert cycle.interval_days == 42


def test_irregular_buying_gives_no_cycle():
    customer = CustomerFactory()
    every(customer, ProductFactory(), gaps=[5, 90, 20, 150], last=days_ago(20))

    assert detect() == []


def test_too_few_purchases_give_no_interval_cycle():
    customer = CustomerFactory()
    every(customer, ProductFactory(), gaps=[42, 42], last=days_ago(20))

    assert detect() == []


def test_a_customer_who_missed_a_whole_interval_has_stopped():
    customer = CustomerFactory()
    every(customer, ProductFactory(), gaps=[42, 42, 42, 42], last=days_ago(100))

    assert detect() == []


def test_monthly_buying_is_an_interval_not_twelve_annual_cycles():
    customer = CustomerFactory()
    paper = ProductFactory()
    first = date(2025, 1, 1)
    for n in range(23):
        year, month = divmod(first.month - 1 + n, 12)
        bought(customer, date(first.year + year, month + 1, 1), (paper, 10))

    found = detect()

    assert [(c.kind, c.interval_days) for c in found] == [("interval", 30)]


def test_alternating_products_of_a_category_make_a_category_cycle():
    customer = CustomerFactory()
    paper = CategoryFactory(name="纸张")
    a4, a3 = ProductFactory(category=paper), ProductFactory(category=paper)
    day = days_ago(20) - timedelta(days=42 * 5)
    for n in range(6):
        bought(customer, day + timedelta(days=42 * n), (a4 if n % 2 else a3, 10))

    [cycle] = detect()

    assert (cycle.level, cycle.item_id) == ("category", paper.pk)
    assert (cycle.kind, cycle.interval_days) == ("interval", 42)


def test_a_category_cycle_is_left_out_when_a_product_of_it_has_one():
    customer = CustomerFactory()
    paper = CategoryFactory()
    a4 = ProductFactory(category=paper)
    every(customer, a4, gaps=[42, 42, 42], last=days_ago(10))

    assert [(c.level, c.item_id) for c in detect()] == [("product", a4.pk)]


def test_drafts_and_cancelled_orders_are_not_purchases():
    customer = CustomerFactory()
    toner = ProductFactory()
    states = [SalesOrder.State.DRAFT, SalesOrder.State.CANCELLED, SalesOrder.State.CREDIT_HOLD]
    for n, state in enumerate(states):
        for k in range(5):
            bought(customer, days_ago(10 + 42 * k + n), (toner, 1), state=state)

    assert detect() == []


def _mixed_history():
    paper = CategoryFactory()
    a4, a3 = ProductFactory(category=paper), ProductFactory(category=paper)
    toner, pens = ProductFactory(), ProductFactory()
    one, two, three = CustomerFactory(), CustomerFactory(), CustomerFactory()
    every(one, toner, gaps=[40, 44, 42, 42], last=days_ago(10), quantity=3)
    bought(one, date(2024, 3, 10), (a4, 20), (pens, 2))
    bought(one, date(2025, 3, 12), (a4, 25))
    bought(two, date(2025, 3, 2), (a3, 5))
    bought(two, date(2026, 3, 28), (a4, 5), (a3, 1))
    every(two, pens, gaps=[5, 90, 20, 150], last=days_ago(20))
    for n in range(6):
        bought(three, days_ago(15 + 35 * n), (a4 if n % 2 else a3, 10 + n))
    bought(three, days_ago(17), (toner, 1), state=SalesOrder.State.CANCELLED)


def test_the_database_statistics_equal_the_plain_ones():
    _mixed_history()
    since = TODAY - timedelta(days=cycles.history_days())

    fast = cycles.cycle_stats(since, TODAY, fast=True)

    assert fast == cycles.cycle_stats(since, TODAY, fast=False)
    for level in cycles.LEVELS:
        assert fast.intervals[level] and fast.months[level]


def test_the_detected_cycles_are_the_same_either_way():
    _mixed_history()

    fast = detect(fast=True)

    assert fast == detect(fast=False)
    assert {c.kind for c in fast} == {"annual", "interval"}


def test_refresh_keeps_a_cycle_found_again_and_removes_one_no_longer_found():
    customer = CustomerFactory()
    toner, pens = ProductFactory(), ProductFactory()
    every(customer, toner, gaps=[42, 42, 42], last=days_ago(10))
    orders = every(customer, pens, gaps=[30, 30, 30], last=days_ago(5))
    cycles.cycles_refresh(today=TODAY)
    kept = PurchaseCycle.objects.get(product=toner)
    SalesOrder.objects.filter(pk=orders[-1].pk).update(state=SalesOrder.State.CANCELLED)

    result = cycles.cycles_refresh(today=TODAY)

    assert list(PurchaseCycle.objects.values_list("pk", "product_id")) == [(kept.pk, toner.pk)]
    assert result == {"annual": 0, "interval": 1, "removed": 1}
    assert PurchaseCycle.objects.get().refreshed_at > kept.refreshed_at


def test_the_statement_can_be_logged_as_debug_mode_logs_it():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _mixed_history()
    with CaptureQueriesContext(connection) as queries:
        cycles.cycle_stats(TODAY - timedelta(days=cycles.history_days()), TODAY, fast=True)

    assert any("pdays" in q["sql"] for q in queries.captured_queries)
