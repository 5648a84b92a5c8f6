"""Each figure of the dashboard against a small data set computed by hand, its definition, the
team filter, and a fixed number of queries."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from crm.customers.models import Team
from integration.insights import figures
from integration.insights.figures import FIGURES, dashboard, headline
from integration.insights.models import (
    CashDay,
    OrderFact,
    ReceiptDay,
    SalesDay,
    SlowMoversDay,
    StockDay,
    SurveyDay,
)
from integration.insights.periods import Period
from tests.crm.sales.factories import CustomerFactory, OpportunityFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import WarehouseFactory

pytestmark = pytest.mark.django_db
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31), "month")
FEBRUARY = MARCH.previous()
D = Decimal


def at(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def owners():
    a, b = UserFactory(roles=["sales"]), UserFactory(roles=["sales"])
    team = Team.objects.create(name="华东一组")
    team.members.add(a)
    return {"a": a, "b": b, "team": team}


@pytest.fixture
def data(owners):
    a, b = owners["a"].pk, owners["b"].pk
    SalesDay.objects.bulk_create(
        [
            SalesDay(
                day=date(2026, 3, 2),
                owner_id=a,
                orders=2,
                lines=5,
                net=D("300"),
                backordered_lines=1,
                revenue=D("1000"),
                cost=D("600"),
                due_orders=2,
                otif_orders=1,
            ),
            SalesDay(
                day=date(2026, 3, 20),
                owner_id=b,
                orders=1,
                lines=5,
                net=D("100"),
                backordered_lines=0,
                revenue=D("500"),
                cost=D("400"),
                due_orders=2,
                otif_orders=2,
            ),
            SalesDay(
                day=date(2026, 2, 10),
                owner_id=a,
                orders=1,
                lines=2,
                net=D("200"),
                backordered_lines=0,
                revenue=D("400"),
                cost=D("200"),
                due_orders=1,
                otif_orders=1,
            ),
        ]
    )
    order = iter(range(1, 100))

    def fact(customer, day, owner=a, cancelled=False):
        return OrderFact(
            order_id=next(order),
            day=day,
            due_day=day,
            owner_id=owner,
            customer_id=customer,
            net=D("100"),
            lines=1,
            cancelled=cancelled,
        )

    OrderFact.objects.bulk_create(
        [
            fact(1, date(2026, 3, 2)),
            fact(1, date(2026, 3, 9)),
            fact(2, date(2026, 3, 3), owner=b),
            fact(3, date(2026, 3, 4)),
            fact(3, date(2026, 3, 5), cancelled=True),
            fact(4, date(2026, 2, 4)),
        ]
    )
    SurveyDay.objects.create(
        day=date(2026, 3, 8), kind="delivery", answers=10, promoters=5, passives=3, detractors=2
    )
    warehouse = WarehouseFactory(code="SH", name="上海仓")
    StockDay.objects.bulk_create(
        [
            StockDay(day=date(2026, 1, 15), warehouse_id=warehouse.pk, value_change=D("1000")),
            StockDay(
                day=date(2026, 3, 16),
                warehouse_id=warehouse.pk,
                value_change=D("-310"),
                cogs=D("310"),
                issued_quantity=D("31"),
            ),
        ]
    )
    ReceiptDay.objects.create(day=date(2026, 3, 12), supplier_id=1, lines=4, on_time_lines=3, amount=D("800"))
    CashDay.objects.create(day=date(2026, 3, 5), received=D("1000"), paid_out=D("400"))
    for state in ("won", "won", "won", "lost"):
        OpportunityFactory(
            customer=CustomerFactory(owner=owners["a"]), state=state, closed_at=at(date(2026, 3, 10))
        )
    OpportunityFactory(
        customer=CustomerFactory(owner=owners["a"]), state="won", closed_at=at(date(2026, 2, 10))
    )
    return warehouse


def cards(user, team=None) -> dict:
    return {c["key"]: c for c in dashboard(user=user, period=MARCH, previous=FEBRUARY, team=team)}


def test_every_figure_has_a_card_with_its_definition_in_order(data, manager_user):
    result = dashboard(user=manager_user, period=MARCH, previous=FEBRUARY)
    assert [c["key"] for c in result] == list(FIGURES)
    for card in result:
        figure = FIGURES[card["key"]]
        assert card["definition"] == str(figure.definition) and len(card["definition"]) > 10
        assert card["unit"] in {"money", "percent", "number", "days"}
        assert card["chart"]["kind"] in {"line", "bar", "funnel", "pie", "bar_stacked"}
        assert all(len(s["values"]) == len(card["chart"]["categories"]) for s in card["chart"]["series"])
        assert card["drilldown"].startswith("/")
        assert all(len(row) == len(card["table"]["columns"]) for row in card["table"]["rows"])


@translation.override("en")
def test_the_definitions_say_what_is_computed():
    assert "÷" in str(FIGURES["aov"].definition) and "confirmed" in str(FIGURES["aov"].definition)
    assert "won ÷ opportunities closed" in str(FIGURES["pipeline"].definition)
    assert "two or more" in str(FIGURES["repurchase"].definition)
    assert "% promoters (9–10) − % detractors (0–6)" in str(FIGURES["nps"].definition)
    assert "delivered in full on or before" in str(FIGURES["otif"].definition)
    assert "reserved in full from stock ÷ order lines" in str(FIGURES["fill_rate"].definition)
    assert "average stock value at cost" in str(FIGURES["turnover"].definition)


def test_sales_and_gross_margin(data, manager_user):
    c = cards(manager_user)
    assert (c["sales"]["value"], c["sales"]["previous"], c["sales"]["change"]) == (
        D("1500.00"),
        D("400.00"),
        D("275.0"),
    )
    assert c["gross_margin"]["value"] == D("33.3")  # (1500 − 1000) ÷ 1500
    assert c["gross_margin"]["previous"] == D("50.0")
    assert c["sales"]["chart"]["categories"][1] == "03-02"
    assert c["sales"]["chart"]["series"][0]["values"][1] == D("1000.00")
    assert c["sales"]["chart"]["series"][1]["values"][1] == D("400.00")


def test_average_order_value(data, manager_user):
    c = cards(manager_user)["aov"]
    assert (c["value"], c["previous"]) == (D("133.33"), D("200.00"))  # 400 ÷ 3; 200 ÷ 1


def test_fill_rate_otif_and_backorders(data, manager_user):
    c = cards(manager_user)
    assert c["fill_rate"]["value"] == D("90.0")  # (10 − 1) ÷ 10
    assert c["otif"]["value"] == D("75.0")  # 3 of the 4 orders due
    assert (c["backorders"]["value"], c["backorders"]["previous"]) == (D("1"), D("0"))


def test_repurchase_rate(data, manager_user):
    c = cards(manager_user)["repurchase"]
    assert c["value"] == D("33.3")  # customer 1 of customers 1, 2, 3 (3's second order cancelled)
    assert c["chart"]["series"][0]["values"] == [2, 1]
    assert c["previous"] == D("0.0")


def test_net_promoter_score(data, manager_user):
    c = cards(manager_user)["nps"]
    assert c["value"] == D("30")  # 50 % − 20 %
    assert c["previous"] is None


def test_inventory_value_and_turnover(data, manager_user):
    c = cards(manager_user)
    assert (c["inventory_value"]["value"], c["inventory_value"]["previous"]) == (D("690.00"), D("1000.00"))
    # Average value: (15 days × 1000 + 16 days × 690) ÷ 31 = 840; 310 × 365 ÷ 31 ÷ 840 = 4.35.
    assert c["turnover"]["value"] == D("4.35")
    assert c["turnover"]["chart"]["categories"] == ["上海仓"]


def test_conversion_purchase_on_time_and_cash(data, manager_user):
    c = cards(manager_user)
    assert (c["pipeline"]["value"], c["pipeline"]["previous"]) == (D("75.0"), D("100.0"))
    assert c["pipeline"]["chart"]["kind"] == "funnel"
    assert c["purchase_on_time"]["value"] == D("75.0")
    assert c["cash"]["value"] == D("600.00")


def test_the_team_filter_keeps_what_its_members_own(data, owners, manager_user):
    c = cards(manager_user, team=owners["team"])
    assert c["sales"]["value"] == D("1000.00")
    assert c["aov"]["value"] == D("150.00")
    assert c["otif"]["value"] == D("50.0")
    assert c["repurchase"]["value"] == D("50.0")  # customers 1 and 3 are the member's


def test_only_managers_and_admins_see_the_figures(data, sales_user, finance_user, admin_user):
    assert dashboard(user=sales_user, period=MARCH, previous=FEBRUARY) == []
    assert dashboard(user=finance_user, period=MARCH, previous=FEBRUARY) == []
    assert len(dashboard(user=admin_user, period=MARCH, previous=FEBRUARY)) == len(FIGURES)


def test_headline_has_the_home_page_figures_without_charts(data, manager_user):
    cards_ = headline(user=manager_user, period=MARCH, previous=FEBRUARY)
    assert [c["key"] for c in cards_] == list(figures.HEADLINE)
    assert all("chart" not in c for c in cards_)


def _more_facts(n):
    owner = UserFactory(roles=["sales"])
    SalesDay.objects.bulk_create(
        [
            SalesDay(day=date(2025, 12, 1 + i % 28), owner_id=owner.pk + i, orders=1, lines=1, net=D("1"))
            for i in range(n)
        ]
    )
    OrderFact.objects.bulk_create(
        [
            OrderFact(
                order_id=1000 + i,
                day=date(2026, 3, 1 + i % 28),
                due_day=date(2026, 3, 1),
                owner_id=owner.pk,
                customer_id=i,
                net=D("1"),
                lines=1,
            )
            for i in range(n)
        ]
    )
    for i in range(min(n, 5)):
        WarehouseFactory(code=f"W{n}{i}")
        StockDay.objects.create(
            day=date(2026, 3, 2), warehouse_id=WarehouseFactory(code=f"X{n}{i}").pk, value_change=D("5")
        )


@pytest.mark.parametrize("size", [2, 40])
def test_the_dashboard_reads_a_fixed_number_of_queries(
    data, owners, manager_user, size, django_assert_max_num_queries
):
    _more_facts(size)
    with django_assert_max_num_queries(24):
        dashboard(user=manager_user, period=MARCH, previous=FEBRUARY, team=owners["team"])


def test_slow_movers_are_read_live_before_any_record_and_overdue_receivables(manager_user):
    from tests.finance.factories import CustomerFactory as FinanceCustomerFactory
    from tests.finance.factories import make_invoice

    product = _slow_product()
    make_invoice(FinanceCustomerFactory(), amount="300.00", issue_date=date(2026, 1, 10))
    today = timezone.localdate()
    this_month = Period(today.replace(day=1), today, "month")
    live = {
        c["key"]: c for c in dashboard(user=manager_user, period=this_month, previous=this_month.previous())
    }
    assert live["slow_movers"]["value"] == D("100.00")  # 8 × 12.50, never sold
    assert live["slow_movers"]["table"]["rows"][0][0] == product.sku
    c = cards(manager_user)
    assert c["slow_movers"]["value"] is None  # March: nothing was recorded then
    assert c["ar_aging"]["value"] == D("300.00")  # due long ago
    assert c["ap_aging"]["value"] == D("0.00")


def test_slow_movers_are_those_recorded_at_the_end_of_each_period(manager_user):
    from integration.insights.facts import slow_movers_snapshot

    _slow_product()
    slow_movers_snapshot(date(2026, 2, 20))
    SlowMoversDay.objects.create(day=date(2026, 3, 30), products=3, value=D("900.00"), top=[])
    SlowMoversDay.objects.create(day=date(2026, 4, 2), products=1, value=D("5.00"), top=[])
    c = cards(manager_user)["slow_movers"]
    assert (c["value"], c["previous"]) == (D("900.00"), D("100.00"))


def _slow_product():
    from scm.inventory import services as stock
    from tests.scm.inventory.factories import ProductFactory

    product = ProductFactory(cost=D("12.5000"))
    stock.stock_receive(product=product, warehouse=WarehouseFactory(code="GZ"), quantity=8, reference="TEST")
    return product


def test_aging_totals_are_the_aging_reports_totals(manager_user):
    from finance.selectors import aging, receivables_aging_totals
    from tests.finance.factories import CustomerFactory as FinanceCustomerFactory
    from tests.finance.factories import make_invoice

    for days, amount in ((5, "100.00"), (40, "250.00"), (200, "75.50")):
        make_invoice(
            FinanceCustomerFactory(), amount=amount, issue_date=date(2026, 12, 31) - timedelta(days=days)
        )
    as_of = date(2027, 3, 1)
    assert receivables_aging_totals(as_of=as_of)["totals"] == aging(as_of=as_of)["totals"]


def test_the_companys_dashboard_figures_come_first_in_its_order(data, manager_user):
    from core.preferences import preference_set

    preference_set(key="dashboard_figures", value=["otif", "ar_aging", "no_such_figure"])
    keys = [c["key"] for c in dashboard(user=manager_user, period=MARCH, previous=FEBRUARY)]
    assert keys == ["otif", "ar_aging", *[k for k in FIGURES if k not in {"otif", "ar_aging"}]]
