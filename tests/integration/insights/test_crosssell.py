from datetime import timedelta
from decimal import Decimal

import pytest

from crm.sales.models import SalesOrder
from integration.insights import crosssell
from integration.insights.crosssell import PairCounts
from integration.insights.models import CoPurchase
from scm.inventory.models import Warehouse
from tests.crm.customers.factories import TeamFactory
from tests.crm.sales.factories import CustomerFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import receive, three_warehouses
from tests.integration.insights.factories import TODAY, bought, days_ago
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def rules_by_pair():
    return {(r.product_a_id, r.product_b_id): r for r in CoPurchase.objects.all()}


# --- the figures ----------------------------------------------------------------------------


def test_support_confidence_and_lift_of_a_hand_made_basket_set(settings):
    settings.INSIGHTS_COPURCHASE_MIN_CUSTOMERS = 2
    a, b, c, d = (ProductFactory() for _ in range(4))
    customers = [CustomerFactory() for _ in range(10)]
    bought(customers[0], days_ago(100), (a, 1), (b, 1))  # the same order
    bought(customers[1], days_ago(100), (a, 1))
    bought(customers[1], days_ago(90), (b, 1))  # ten days later: within the window
    bought(customers[2], days_ago(100), (a, 1))
    bought(customers[2], days_ago(50), (b, 1))  # fifty days later: not bought together
    bought(customers[3], days_ago(100), (a, 1))
    bought(customers[4], days_ago(100), (b, 1), (c, 1))  # one customer only: below the minimum
    for customer in customers[5:]:
        bought(customer, days_ago(100), (d, 1))

    result = crosssell.copurchase_refresh(today=TODAY)

    # N = 10 customers; A: 4 buyers, B: 4, both within 30 days: 2.
    rules = rules_by_pair()
    assert set(rules) == {(a.pk, b.pk), (b.pk, a.pk)}
    rule = rules[(a.pk, b.pk)]
    assert (rule.customers, rule.customers_a, rule.customers_b) == (2, 4, 4)
    assert rule.support == Decimal("0.200000")  # 2 / 10
    assert rule.confidence == Decimal("0.500000")  # 2 / 4
    assert rule.lift == Decimal("1.2500")  # 0.5 / (4 / 10)
    assert result == {"pairs": 1, "rules": 2, "customers": 10}


def test_rules_from_counts():
    counts = PairCounts(pairs={(1, 2): 30, (1, 3): 10}, buyers={1: 100, 2: 60, 3: 10}, customers=1000)

    rules = {(r.product_a, r.product_b): r for r in crosssell.copurchase_rules(counts)}

    assert (rules[(1, 2)].support, rules[(1, 2)].confidence, rules[(1, 2)].lift) == (
        Decimal("0.030000"),
        Decimal("0.300000"),
        Decimal("5.0000"),
    )
    assert (rules[(3, 1)].confidence, rules[(3, 1)].lift) == (Decimal("1.000000"), Decimal("10.0000"))
    ranked = [(r.product_b, r.rank) for r in crosssell.copurchase_rules(counts) if r.product_a == 1]
    assert ranked == [(2, 1), (3, 2)]


def test_each_product_keeps_its_best_rules_by_confidence(settings):
    settings.INSIGHTS_COPURCHASE_TOP = 1
    counts = PairCounts(pairs={(1, 2): 30, (1, 3): 10}, buyers={1: 100, 2: 60, 3: 10}, customers=1000)

    kept = [(r.product_a, r.product_b) for r in crosssell.copurchase_rules(counts)]

    assert kept == [(1, 2), (2, 1), (3, 1)]


def test_a_rule_needs_lift_above_one_and_the_minimum_customers(settings):
    settings.INSIGHTS_COPURCHASE_MIN_CUSTOMERS = 3
    counts = PairCounts(pairs={(1, 2): 20, (1, 3): 2}, buyers={1: 100, 2: 200, 3: 10}, customers=1000)

    # 1 → 2: confidence 0.2 = 2's share of customers (lift 1): no better than anyone.
    assert crosssell.copurchase_rules(counts) == []


def test_a_rule_needs_the_minimum_support(settings):
    settings.INSIGHTS_COPURCHASE_MIN_SUPPORT = "0.05"
    counts = PairCounts(pairs={(1, 2): 30}, buyers={1: 100, 2: 60}, customers=1000)

    assert crosssell.copurchase_rules(counts) == []


def test_bought_the_window_apart_is_together_and_a_day_more_is_not(settings):
    settings.INSIGHTS_COPURCHASE_MIN_CUSTOMERS = 1
    a, b, c = ProductFactory(), ProductFactory(), ProductFactory()
    customer = CustomerFactory()
    bought(customer, days_ago(100), (a, 1))
    bought(customer, days_ago(70), (b, 1))
    bought(customer, days_ago(39), (c, 1))

    for fast in (True, False):
        pairs = crosssell.pair_counts(today=TODAY, fast=fast).pairs
        assert set(pairs) == {(a.pk, b.pk)}  # 30 days apart; b and c 31, a and c 61


def _mixed_history():
    """Two groups of customers, each with products of its own bought together (and a few of
    the other's), over orders days and weeks apart."""
    products = [ProductFactory() for _ in range(6)]
    customers = [CustomerFactory() for _ in range(8)]
    for n, customer in enumerate(customers):
        own = products[:3] if n < 4 else products[3:]
        for k in range(4):
            lines = [(own[(n + k + j) % 3], 1 + j) for j in range(1 + (n + k) % 2)]
            if (n + k) % 5 == 0:
                lines.append((products[(n + 3 + k) % 6], 1))
            bought(customer, days_ago(20 + 17 * k + n), *dict(lines).items())
    bought(customers[0], days_ago(5), (products[5], 1), (products[0], 1), state=SalesOrder.State.CANCELLED)
    bought(customers[1], days_ago(800), (products[5], 1), (products[0], 1))  # before the history


def test_the_database_pair_counts_equal_the_plain_ones(settings):
    settings.INSIGHTS_COPURCHASE_MIN_CUSTOMERS = 1
    _mixed_history()

    fast = crosssell.pair_counts(today=TODAY, fast=True)

    assert fast == crosssell.pair_counts(today=TODAY, fast=False)
    assert fast.pairs and fast.customers == 8


def test_the_rules_are_the_same_either_way(settings):
    settings.INSIGHTS_COPURCHASE_MIN_CUSTOMERS = 2
    _mixed_history()

    fast = crosssell.copurchase_rules(crosssell.pair_counts(today=TODAY, fast=True))

    assert fast == crosssell.copurchase_rules(crosssell.pair_counts(today=TODAY, fast=False))
    assert fast


# --- suggestions for a customer -------------------------------------------------------------


@pytest.fixture
def printers():
    """Printers and toner: three customers bought a printer, then its toner within days; three
    others bought paper. Returns (printer, toner, the warehouses)."""
    warehouses = three_warehouses()
    printer, toner = ProductFactory(name="激光打印机"), ProductFactory(name="硒鼓")
    paper = ProductFactory(name="复印纸")
    for _ in range(3):
        customer = CustomerFactory()
        bought(customer, days_ago(200), (printer, 1))
        bought(customer, days_ago(190), (toner, 2))
    for _ in range(3):
        bought(CustomerFactory(), days_ago(150), (paper, 10))
    crosssell.copurchase_refresh(today=TODAY)
    return printer, toner, warehouses


def suggest(customer, user=None, **kwargs):
    return crosssell.suggestions_for(customer=customer, user=user or customer.owner, today=TODAY, **kwargs)


def test_a_customer_who_bought_a_is_offered_b_in_stock(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["GZ"], 5)
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))

    [suggestion] = suggest(customer)

    assert suggestion.product == toner
    assert suggestion.because == [printer]
    assert (suggestion.confidence, suggestion.percent, suggestion.customers) == (Decimal("1.000000"), 100, 3)
    assert suggestion.available == Decimal("12")
    assert suggestion.warehouse.code == "GZ"  # no location: warehouses by code, the first with stock


def test_the_nearest_serving_warehouse_with_stock_is_named(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["GZ"], 5)
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory(latitude=Decimal("31.3"), longitude=Decimal("120.6"))  # Suzhou
    bought(customer, days_ago(120), (printer, 1))

    [suggestion] = suggest(customer)

    assert suggestion.warehouse.code == "SH"


def test_a_product_without_stock_is_not_offered(printers):
    printer, _toner, _warehouses = printers
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))

    assert suggest(customer) == []


def test_stock_in_a_closed_warehouse_is_not_stock_that_serves_the_customer(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 7)
    Warehouse.objects.filter(pk=warehouses["SH"].pk).update(is_active=False)
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))

    assert suggest(customer) == []


def test_reserved_stock_is_not_available(printers):
    from scm.inventory import reservations

    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 2)
    reservations.stock_reserve(
        demand="test:1", product=toner, quantity=Decimal("2"), warehouse_ids=[warehouses["SH"].pk]
    )
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))

    assert suggest(customer) == []


@pytest.mark.parametrize("state", [SalesOrder.State.PAID, SalesOrder.State.DRAFT])
def test_a_product_the_customer_ordered_lately_is_not_offered(printers, state):
    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))
    bought(customer, days_ago(60), (toner, 1), state=state)

    assert suggest(customer) == []


def test_a_product_ordered_long_ago_is_offered_again(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory()
    bought(customer, days_ago(300), (printer, 1), (toner, 1))

    assert [s.product for s in suggest(customer)] == [toner]


def test_products_on_the_form_are_left_out(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))

    assert suggest(customer, exclude=[toner.pk]) == []


def test_no_suggestions_for_a_customer_the_user_may_not_see(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory()
    bought(customer, days_ago(120), (printer, 1))
    stranger = UserFactory(roles=["sales"])
    teammate = UserFactory(roles=["sales"])
    TeamFactory(members=[customer.owner, teammate])

    assert suggest(customer, user=stranger) == []
    assert [s.product for s in suggest(customer, user=teammate)] == [toner]


def _world_of(size):
    warehouses = three_warehouses()
    for _ in range(3):
        bought(CustomerFactory(), days_ago(150), (ProductFactory(), 1))
    sources = [ProductFactory() for _ in range(size)]
    targets = [ProductFactory() for _ in range(size)]
    for source, target in zip(sources, targets, strict=True):
        for _ in range(3):
            customer = CustomerFactory()
            bought(customer, days_ago(200), (source, 1), (target, 1))
        receive(target, warehouses["SH"], 3)
    crosssell.copurchase_refresh(today=TODAY)
    customer = CustomerFactory()
    bought(customer, days_ago(120), *[(s, 1) for s in sources])
    return customer


@pytest.mark.parametrize("size", [1, 12])
def test_suggestions_take_a_fixed_number_of_queries(size, django_assert_max_num_queries):
    customer = _world_of(size)
    rep = UserFactory(roles=["sales"])
    TeamFactory(members=[customer.owner, rep])

    with django_assert_max_num_queries(7):
        found = crosssell.suggestions_for(customer=customer, user=rep, today=TODAY, limit=20)

    assert len(found) == size


def test_the_history_window_limits_what_the_customer_bought(printers):
    printer, toner, warehouses = printers
    receive(toner, warehouses["SH"], 7)
    customer = CustomerFactory()
    bought(customer, TODAY - timedelta(days=crosssell.history_days() + 5), (printer, 1))

    assert suggest(customer) == []


def test_the_pair_statement_can_be_logged_as_debug_mode_logs_it():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _mixed_history()
    with CaptureQueriesContext(connection) as queries:
        crosssell.pair_counts(today=TODAY, fast=True)

    assert any("near" in q["sql"] for q in queries.captured_queries)
