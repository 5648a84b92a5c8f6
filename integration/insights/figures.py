"""The manager's figures: each has one definition (``FIGURES``: the sentence the dashboard shows
as its tooltip, the API returns and a test checks), and one card per figure is computed by
``dashboard`` from the daily facts (``integration.insights.models.facts``) and a few small
current-state selectors (the pipeline funnel, receivables and payables aging, slow movers) —
never from order lines. The number of queries is fixed whatever the amount of data.

Who sees them: managers and admins, every figure (``can_see_figures``). The other roles have
their own pages for their own numbers (finance: aging; purchasing: the supplier scorecard and
slow movers; sales: their pipeline and orders), and company-wide sales, margins and cash are
the managers' alone. The team filter keeps the orders owned by the team's members (sales,
margin, AOV, repurchase, fill rate, OTIF, backorders) and their opportunities (conversion);
the other figures are the company's.

Trends are bucketed by day for periods up to 62 days, else by month. ``change`` is the change
in percent of ``value`` against the comparison period's.

This module holds the definitions and puts the cards together; each subject's computations have
a module of their own: ``figure_sales`` (sales, margin, pipeline, AOV, repurchase, NPS, fill rate,
OTIF, backorders), ``figure_stock`` (inventory value, turnover, slow movers, purchase on-time),
``figure_money`` (receivables and payables aging, cash), on ``figure_base``'s shared arithmetic.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from core.db import reporting
from core.preferences import DASHBOARD_FIGURES, cached_preference
from core.roles import ADMIN, MANAGER, has_role
from integration.insights.figure_base import change_pct
from integration.insights.figure_money import MoneyCards, MoneyData
from integration.insights.figure_sales import SalesCards, SalesData
from integration.insights.figure_stock import StockCards, StockData
from integration.insights.periods import Period

VIEW_ROLES = (MANAGER, ADMIN)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    unit: str  # money, percent, number, days
    # Which way the figure is good news: "up" (a rise shows green), "down" (a rise shows red:
    # backorders, overdue money, slow stock) or None (neither: the stock's value).
    better: str | None = "up"


_ = gettext_lazy
FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure(
            "sales",
            _("Sales"),
            _(
                "Net value (before tax) of the goods shipped in the period, at the order lines' "
                "prices, by the day they left; the chart shows it with the gross margin."
            ),
            "money",
        ),
        Figure(
            "gross_margin",
            _("Gross margin"),
            _(
                "(Sales − cost of the goods shipped) ÷ sales, where the cost is what the stock "
                "ledger recorded for the shipped goods."
            ),
            "percent",
        ),
        Figure(
            "pipeline",
            _("Pipeline and conversion"),
            _(
                "The funnel shows the open opportunities per stage now; the figure is the "
                "conversion: opportunities won ÷ opportunities closed (won or lost) in the period."
            ),
            "percent",
        ),
        Figure(
            "aov",
            _("Average order value"),
            _(
                "Net value (before tax) of the orders confirmed in the period ÷ their number; "
                "cancelled orders left out."
            ),
            "money",
        ),
        Figure(
            "repurchase",
            _("Repurchase rate"),
            _(
                "Of the customers with an order confirmed in the period, the share that had two "
                "or more (cancelled orders left out)."
            ),
            "percent",
        ),
        Figure(
            "nps",
            _("Net promoter score"),
            _(
                "% promoters (9–10) − % detractors (0–6) of the survey answers, surveys counted in "
                "the period they were sent for (the delivery or the closed ticket)."
            ),
            "number",
        ),
        Figure(
            "fill_rate",
            _("Order fill rate"),
            _(
                "Order lines reserved in full from stock ÷ order lines, of the orders confirmed in "
                "the period: a line that had to wait for stock (a backorder) is not filled."
            ),
            "percent",
        ),
        Figure(
            "otif",
            _("On time in full (OTIF)"),
            _(
                "Orders due in the period (the requested delivery date, else 7 days after "
                "confirmation) delivered in full on or before that day ÷ orders due in the period."
            ),
            "percent",
        ),
        Figure(
            "backorders",
            _("Backorders"),
            _("Order lines of the orders confirmed in the period that had to wait for stock."),
            "number",
            better="down",
        ),
        Figure(
            "inventory_value",
            _("Inventory value"),
            _(
                "Stock at cost at the end of the period, per warehouse (a quarantine counted with "
                "its warehouse): every ledger move's quantity × its unit cost, summed to that day."
            ),
            "money",
            better=None,
        ),
        Figure(
            "turnover",
            _("Inventory turnover"),
            _(
                "Cost of the goods shipped in the period ÷ the average stock value at cost over "
                "its days, per year (× 365 ÷ the period's days)."
            ),
            "number",
        ),
        Figure(
            "slow_movers",
            _("Slow movers"),
            _(
                "Stock value at average cost of the products on the slow movers list (nothing "
                "sold for the planning settings' days, or more cover than their months), as "
                "recorded on the last night of the period (as they are now before any record)."
            ),
            "money",
            better="down",
        ),
        Figure(
            "purchase_on_time",
            _("Purchase on-time rate"),
            _(
                "Receipt lines posted in the period on or before their purchase order line's "
                "expected date ÷ receipt lines posted in the period (the supplier scorecard's rule)."
            ),
            "percent",
        ),
        Figure(
            "ar_aging",
            _("Receivables overdue"),
            _("Open invoice amounts past their due date today; the chart shows every aging bucket."),
            "money",
            better="down",
        ),
        Figure(
            "ap_aging",
            _("Payables overdue"),
            _("Open bill amounts past their due date today; the chart shows every aging bucket."),
            "money",
            better="down",
        ),
        Figure(
            "cash",
            _("Cash in and out"),
            _(
                "Payments received from customers − payments made to suppliers, by payment date "
                "in the period; the chart shows both."
            ),
            "money",
        ),
    )
}
HEADLINE = ("sales", "gross_margin", "aov", "otif", "nps", "ar_aging")


def can_see_figures(user) -> bool:
    return has_role(user, VIEW_ROLES)


def figure_order() -> list[str]:
    """The keys of ``FIGURES`` in the dashboard's order: those the company's
    ``dashboard_figures`` preference (an industry template's) names first, in its order, then
    the others as ``FIGURES`` lists them. Unknown keys in the preference are passed over."""
    wanted = cached_preference(DASHBOARD_FIGURES)
    named = [k for k in wanted if isinstance(k, str)] if isinstance(wanted, list) else []
    first = [k for k in dict.fromkeys(named) if k in FIGURES]
    return first + [k for k in FIGURES if k not in first]


# --- the cards: each subject's data and cards (``figure_sales``, ``figure_stock``, ``figure_money``) ---


class _Data(SalesData, StockData, MoneyData):
    """Reads each source once, for both periods, on first use."""


class _Cards(SalesCards, StockCards, MoneyCards):
    def card(self, key: str) -> dict:
        figure = FIGURES[key]
        value, previous, chart, table, drilldown = getattr(self, key)()
        return {
            "key": key,
            "title": str(figure.label),
            "definition": str(figure.definition),
            "unit": figure.unit,
            "better": figure.better,
            "value": value,
            "previous": previous,
            "change": change_pct(value, previous),
            "chart": chart,
            "drilldown": drilldown,
            "table": table,
        }


def dashboard(*, user, period: Period, previous: Period, team=None) -> list[dict]:
    """One card per figure of ``FIGURES``, in ``figure_order`` (see the module's docstring);
    none for a user who may not see the figures."""
    if not can_see_figures(user):
        return []
    cards = _Cards(_Data(user=user, period=period, previous=previous, team=team))
    with reporting():
        return [cards.card(key) for key in figure_order()]


def figure_card(key: str, *, user, period: Period, previous: Period, team=None) -> dict | None:
    """The card of one figure (None: no such figure, or not for this user)."""
    if key not in FIGURES or not can_see_figures(user):
        return None
    with reporting():
        return _Cards(_Data(user=user, period=period, previous=previous, team=team)).card(key)


def headline(*, user, period: Period, previous: Period, team=None) -> list[dict]:
    """The manager's home page figures (``HEADLINE``): the cards without chart and table."""
    if not can_see_figures(user):
        return []
    cards = _Cards(_Data(user=user, period=period, previous=previous, team=team))
    out = []
    for key in HEADLINE:
        with reporting():
            card = cards.card(key)
        card.pop("chart")
        card.pop("table")
        out.append(card)
    return out
