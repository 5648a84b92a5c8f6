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
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import reporting, reporting_db
from core.money import money
from core.roles import ADMIN, MANAGER, has_role
from crm.service.nps import Nps
from integration.insights.fact_days import day_start, slow_movers_read
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

ZERO = Decimal("0")
D = Decimal
PCT = Decimal("0.1")
RATIO = Decimal("0.01")
VIEW_ROLES = (MANAGER, ADMIN)
DAILY_UP_TO = 62


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    unit: str  # money, percent, number, days


_F = gettext_lazy
FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure(
            "sales",
            _F("Sales"),
            _F(
                "Net value (before tax) of the goods shipped in the period, at the order lines' "
                "prices, by the day they left; the chart shows it with the gross margin."
            ),
            "money",
        ),
        Figure(
            "gross_margin",
            _F("Gross margin"),
            _F(
                "(Sales − cost of the goods shipped) ÷ sales, where the cost is what the stock "
                "ledger recorded for the shipped goods."
            ),
            "percent",
        ),
        Figure(
            "pipeline",
            _F("Pipeline and conversion"),
            _F(
                "The funnel shows the open opportunities per stage now; the figure is the "
                "conversion: opportunities won ÷ opportunities closed (won or lost) in the period."
            ),
            "percent",
        ),
        Figure(
            "aov",
            _F("Average order value"),
            _F(
                "Net value (before tax) of the orders confirmed in the period ÷ their number; "
                "cancelled orders left out."
            ),
            "money",
        ),
        Figure(
            "repurchase",
            _F("Repurchase rate"),
            _F(
                "Of the customers with an order confirmed in the period, the share that had two "
                "or more (cancelled orders left out)."
            ),
            "percent",
        ),
        Figure(
            "nps",
            _F("Net promoter score"),
            _F(
                "% promoters (9–10) − % detractors (0–6) of the survey answers, surveys counted in "
                "the period they were sent for (the delivery or the closed ticket)."
            ),
            "number",
        ),
        Figure(
            "fill_rate",
            _F("Order fill rate"),
            _F(
                "Order lines reserved in full from stock ÷ order lines, of the orders confirmed in "
                "the period: a line that had to wait for stock (a backorder) is not filled."
            ),
            "percent",
        ),
        Figure(
            "otif",
            _F("On time in full (OTIF)"),
            _F(
                "Orders due in the period (the requested delivery date, else 7 days after "
                "confirmation) delivered in full on or before that day ÷ orders due in the period."
            ),
            "percent",
        ),
        Figure(
            "backorders",
            _F("Backorders"),
            _F("Order lines of the orders confirmed in the period that had to wait for stock."),
            "number",
        ),
        Figure(
            "inventory_value",
            _F("Inventory value"),
            _F(
                "Stock at cost at the end of the period, per warehouse (a quarantine counted with "
                "its warehouse): every ledger move's quantity × its unit cost, summed to that day."
            ),
            "money",
        ),
        Figure(
            "turnover",
            _F("Inventory turnover"),
            _F(
                "Cost of the goods shipped in the period ÷ the average stock value at cost over "
                "its days, per year (× 365 ÷ the period's days)."
            ),
            "number",
        ),
        Figure(
            "slow_movers",
            _F("Slow movers"),
            _F(
                "Stock value at average cost of the products on the slow movers list (nothing "
                "sold for the planning settings' days, or more cover than their months), as "
                "recorded on the last night of the period (as they are now before any record)."
            ),
            "money",
        ),
        Figure(
            "purchase_on_time",
            _F("Purchase on-time rate"),
            _F(
                "Receipt lines posted in the period on or before their purchase order line's "
                "expected date ÷ receipt lines posted in the period (the supplier scorecard's rule)."
            ),
            "percent",
        ),
        Figure(
            "ar_aging",
            _F("Receivables overdue"),
            _F("Open invoice amounts past their due date today; the chart shows every aging bucket."),
            "money",
        ),
        Figure(
            "ap_aging",
            _F("Payables overdue"),
            _F("Open bill amounts past their due date today; the chart shows every aging bucket."),
            "money",
        ),
        Figure(
            "cash",
            _F("Cash in and out"),
            _F(
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


# --- arithmetic -----------------------------------------------------------------------------------


def ratio_pct(part, whole) -> Decimal | None:
    """``part`` ÷ ``whole`` in percent, one decimal; None when ``whole`` is nothing."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(PCT, rounding=ROUND_HALF_UP)


def change_pct(value, previous) -> Decimal | None:
    if value is None or previous is None or previous == 0:
        return None
    return (Decimal(100) * (Decimal(value) - Decimal(previous)) / abs(Decimal(previous))).quantize(
        PCT, rounding=ROUND_HALF_UP
    )


def _avg(total, n) -> Decimal | None:
    return money(Decimal(total) / n) if n else None


def buckets(period: Period) -> list[tuple[str, date, date]]:
    """The chart's buckets of ``period``: (label, first day, last day), by day up to
    ``DAILY_UP_TO`` days, else by calendar month (the first and last clipped to the period)."""
    if period.days <= DAILY_UP_TO:
        return [(f"{d:%m-%d}", d, d) for d in (period.start + timedelta(days=i) for i in range(period.days))]
    out = []
    first = period.start
    while first <= period.end:
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        last = min(nxt - timedelta(days=1), period.end)
        out.append((f"{first:%Y-%m}", first, last))
        first = nxt
    return out


class _Trend:
    """Per-day sums of some columns, summed again over a period or per bucket."""

    def __init__(self, rows: dict[date, dict]):
        self.rows = rows
        self._index: dict[Period, dict[date, int]] = {}

    def total(self, period: Period, column: str):
        return sum((r[column] for d, r in self.rows.items() if period.start <= d <= period.end), Decimal(0))

    def per_bucket(self, period: Period, column: str) -> list:
        index = self._index.get(period)
        if index is None:
            index = self._index[period] = {
                first + timedelta(days=i): n
                for n, (_label, first, last) in enumerate(buckets(period))
                for i in range((last - first).days + 1)
            }
        out = [Decimal(0)] * (max(index.values()) + 1 if index else 0)
        for day, row in self.rows.items():
            n = index.get(day)
            if n is not None:
                out[n] += row[column]
        return out


def _by_day(qs, columns: dict) -> _Trend:
    rows = {}
    for row in qs.order_by().values("day").annotate(**columns):
        day = row.pop("day")
        rows[day] = {k: (v if v is not None else 0) for k, v in row.items()}
    return _Trend(rows)


# --- the data behind the cards ----------------------------------------------------------------------


class _Data:
    """Reads each source once, for both periods, on first use."""

    def __init__(self, *, user, period: Period, previous: Period, team=None):
        self.user, self.period, self.previous, self.team = user, period, previous, team
        self.db = reporting_db()
        self.first = min(period.start, previous.start)
        self.last = max(period.end, previous.end)

    def _facts(self, model):
        return model.objects.using(self.db).filter(day__range=(self.first, self.last))

    @cached_property
    def members(self) -> list[int]:
        return list(self.team.members.values_list("pk", flat=True))

    def _owners(self, qs, field="owner_id"):
        """``qs`` limited to what the team's members own (all when no team)."""
        if self.team is None:
            return qs
        return qs.filter(**{f"{field}__in": self.members})

    @cached_property
    def sales(self) -> _Trend:
        return _by_day(
            self._owners(self._facts(SalesDay)),
            {
                "orders": Sum("orders"),
                "lines": Sum("lines"),
                "net": Sum("net"),
                "backordered": Sum("backordered_lines"),
                "revenue": Sum("revenue"),
                "cost": Sum("cost"),
                "due": Sum("due_orders"),
                "otif": Sum("otif_orders"),
            },
        )

    @cached_property
    def repurchase(self) -> dict[str, tuple[int, int]]:
        """Per period: (customers with an order, customers with two or more). One query."""
        qs = self._owners(
            OrderFact.objects.using(self.db).filter(cancelled=False, day__range=(self.first, self.last))
        )
        cur = Q(day__range=(self.period.start, self.period.end))
        prev = Q(day__range=(self.previous.start, self.previous.end))
        row = (
            qs.order_by()
            .values("customer_id")
            .annotate(cur=Count("pk", filter=cur), prev=Count("pk", filter=prev))
            .aggregate(
                cur_any=Count("customer_id", filter=Q(cur__gte=1)),
                cur_repeat=Count("customer_id", filter=Q(cur__gte=2)),
                prev_any=Count("customer_id", filter=Q(prev__gte=1)),
                prev_repeat=Count("customer_id", filter=Q(prev__gte=2)),
            )
        )
        return {"cur": (row["cur_any"], row["cur_repeat"]), "prev": (row["prev_any"], row["prev_repeat"])}

    @cached_property
    def surveys(self) -> _Trend:
        return _by_day(
            self._facts(SurveyDay),
            {
                "answers": Sum("answers"),
                "promoters": Sum("promoters"),
                "passives": Sum("passives"),
                "detractors": Sum("detractors"),
            },
        )

    @cached_property
    def cash(self) -> _Trend:
        return _by_day(self._facts(CashDay), {"received": Sum("received"), "paid_out": Sum("paid_out")})

    @cached_property
    def receipts(self) -> _Trend:
        return _by_day(self._facts(ReceiptDay), {"lines": Sum("lines"), "on_time": Sum("on_time_lines")})

    @cached_property
    def stock(self) -> dict:
        """Per warehouse: the value at the end of each day from the first to the last day read,
        and the cost of goods shipped per day. Three queries."""
        from scm.inventory.models import Warehouse

        facts = StockDay.objects.using(self.db)
        opening = {
            wid: value or ZERO
            for wid, value in facts.filter(day__lt=self.first)
            .order_by()
            .values("warehouse_id")
            .annotate(v=Sum("value_change"))
            .values_list("warehouse_id", "v")
        }
        changes: dict[int, dict[date, tuple]] = defaultdict(dict)
        for day, wid, value, cogs in self._facts(StockDay).values_list(
            "day", "warehouse_id", "value_change", "cogs"
        ):
            changes[wid][day] = (value, cogs)
        ids = set(opening) | set(changes)
        names = dict(Warehouse.objects.filter(pk__in=ids).values_list("pk", "name"))
        out = {}
        for wid in sorted(ids, key=lambda i: (names.get(i, ""), i)):
            # Running sums from the first day read: the value at the end of each day, and the
            # sums of those values and of the cost of goods up to it (a period's sum is then a
            # difference of two).
            level = Decimal(opening.get(wid, ZERO))
            values, value_sums, cogs_sums = [], [ZERO], [ZERO]
            for i in range((self.last - self.first).days + 1):
                value, cost = changes[wid].get(self.first + timedelta(days=i), (ZERO, ZERO))
                level += value
                values.append(level)
                value_sums.append(value_sums[-1] + level)
                cogs_sums.append(cogs_sums[-1] + cost)
            out[wid] = {
                "name": names.get(wid, str(wid)),
                "values": values,
                "value_sums": value_sums,
                "cogs": cogs_sums,
            }
        return out

    def _span(self, period: Period) -> tuple[int, int]:
        return (period.start - self.first).days, (period.end - self.first).days + 1

    def stock_end(self, period: Period, wid: int) -> Decimal:
        return money(self.stock[wid]["values"][(period.end - self.first).days])

    def turnover(self, period: Period, wid: int | None) -> Decimal | None:
        """Cost of goods ÷ the average daily value, per year (× 365 ÷ days)."""
        a, b = self._span(period)
        wids = list(self.stock) if wid is None else [wid]
        cogs = sum((self.stock[w]["cogs"][b] - self.stock[w]["cogs"][a] for w in wids), ZERO)
        total = sum((self.stock[w]["value_sums"][b] - self.stock[w]["value_sums"][a] for w in wids), ZERO)
        average = total / period.days
        if average <= 0:
            return None
        return (cogs * 365 / period.days / average).quantize(RATIO, rounding=ROUND_HALF_UP)

    @cached_property
    def funnel(self) -> list[dict]:
        from crm.sales.selectors import funnel

        return funnel(user=self.user)

    @cached_property
    def conversion(self) -> dict:
        from crm.sales.models import Opportunity
        from crm.sales.selectors import opportunities_visible_to

        qs = self._owners(opportunities_visible_to(self.user).filter(state__in=("won", "lost")))
        won = Q(state=Opportunity.State.WON)
        spans = {"cur": self.period, "prev": self.previous}
        aggregates = {}
        for key, p in spans.items():
            inside = Q(closed_at__gte=day_start(p.start), closed_at__lt=day_start(p.end + timedelta(days=1)))
            aggregates[f"{key}_closed"] = Count("pk", filter=inside)
            aggregates[f"{key}_won"] = Count("pk", filter=inside & won)
        return qs.aggregate(**aggregates)

    @cached_property
    def ar(self) -> dict:
        from finance.selectors import receivables_aging_totals

        return receivables_aging_totals(user=self.user)

    @cached_property
    def ap(self) -> dict:
        from finance.payables.selectors import ap_aging_totals

        return ap_aging_totals()

    def _slow_snapshot(self, period: Period) -> SlowMoversDay | None:
        return (
            SlowMoversDay.objects.using(self.db)
            .filter(day__lte=period.end)
            .order_by("-day")
            .only("day", "products", "value", "top")
            .first()
        )

    @cached_property
    def slow(self) -> dict:
        """The slow movers as last recorded up to the period's end (``SlowMoversDay``), or, when
        none was, as they are now; the value recorded up to the comparison period's end. Two
        queries."""
        snapshot = self._slow_snapshot(self.period)
        if snapshot is not None:
            current = {"products": snapshot.products, "value": snapshot.value, "top": snapshot.top}
        else:
            current = slow_movers_read()
        before = self._slow_snapshot(self.previous)
        return {**current, "previous": before.value if before is not None else None}


# --- the cards ------------------------------------------------------------------------------------------


def _url(name: str, **params) -> str:
    url = reverse(name)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def _chart(kind: str, categories, series: list[tuple[str, list]]) -> dict:
    return {
        "kind": kind,
        "categories": [str(c) for c in categories],
        "series": [{"name": str(name), "values": list(values)} for name, values in series],
    }


def _trend_table(first_column: str, categories, series: list[tuple[str, list]]) -> dict:
    return {
        "columns": [first_column, *(str(name) for name, _values in series)],
        "rows": [[c, *(values[i] for _name, values in series)] for i, c in enumerate(categories)],
    }


def _bucket_labels(period: Period) -> list[str]:
    return [label for label, _first, _last in buckets(period)]


class _Cards:
    def __init__(self, data: _Data, *, charts: bool = True):
        self.d = data
        self.p, self.q = data.period, data.previous
        self.charts = charts

    def card(self, key: str) -> dict:
        figure = FIGURES[key]
        value, previous, chart, table, drilldown = getattr(self, key)()
        return {
            "key": key,
            "title": str(figure.label),
            "definition": str(figure.definition),
            "unit": figure.unit,
            "value": value,
            "previous": previous,
            "change": change_pct(value, previous),
            "chart": chart,
            "drilldown": drilldown,
            "table": table,
        }

    # Each returns (value, previous, chart, table, drilldown).

    def _ratio_trend(self, trend: _Trend, part: str, whole: str, name: str):
        labels = _bucket_labels(self.p)
        parts, wholes = trend.per_bucket(self.p, part), trend.per_bucket(self.p, whole)
        values = [ratio_pct(a, b) for a, b in zip(parts, wholes, strict=True)]
        series = [(name, values)]
        return (
            ratio_pct(trend.total(self.p, part), trend.total(self.p, whole)),
            ratio_pct(trend.total(self.q, part), trend.total(self.q, whole)),
            _chart("line", labels, series),
            _trend_table(_("Period"), labels, series),
        )

    def _orders_url(self, **params):
        return _url("sales:orders:order_list", **params)

    def sales(self):
        s, labels = self.d.sales, _bucket_labels(self.p)
        revenue = [money(v) for v in s.per_bucket(self.p, "revenue")]
        costs = s.per_bucket(self.p, "cost")
        margin = [money(r - c) for r, c in zip(revenue, costs, strict=True)]
        series = [(_("Sales"), revenue), (_("Gross margin"), margin)]
        return (
            money(s.total(self.p, "revenue")),
            money(s.total(self.q, "revenue")),
            _chart("line", labels, series),
            _trend_table(_("Period"), labels, series),
            _url("fulfilment:shipments", state="shipped"),
        )

    def gross_margin(self):
        s, labels = self.d.sales, _bucket_labels(self.p)

        def pct(period):
            revenue = s.total(period, "revenue")
            return ratio_pct(revenue - s.total(period, "cost"), revenue)

        revenue, costs = s.per_bucket(self.p, "revenue"), s.per_bucket(self.p, "cost")
        series = [(_("Gross margin %"), [ratio_pct(r - c, r) for r, c in zip(revenue, costs, strict=True)])]
        return (
            pct(self.p),
            pct(self.q),
            _chart("line", labels, series),
            _trend_table(_("Period"), labels, series),
            _url("fulfilment:shipments", state="shipped"),
        )

    def pipeline(self):
        c = self.d.conversion
        stages = self.d.funnel
        names = [s["stage"].name for s in stages]
        series = [(_("Open opportunities"), [s["count"] for s in stages])]
        table = {
            "columns": [
                _("Stage"),
                _("Open opportunities"),
                _("Value"),
                _("Reached"),
                _("Conversion to next %"),
            ],
            "rows": [
                [s["stage"].name, s["count"], s["value"], s["reached"], s["conversion"]] for s in stages
            ],
        }
        return (
            ratio_pct(c["cur_won"], c["cur_closed"]),
            ratio_pct(c["prev_won"], c["prev_closed"]),
            _chart("funnel", names, series),
            table,
            _url("sales:board"),
        )

    def aov(self):
        s, labels = self.d.sales, _bucket_labels(self.p)
        values = [
            _avg(n, o)
            for n, o in zip(s.per_bucket(self.p, "net"), s.per_bucket(self.p, "orders"), strict=True)
        ]
        series = [(_("Average order value"), values)]
        return (
            _avg(s.total(self.p, "net"), s.total(self.p, "orders")),
            _avg(s.total(self.q, "net"), s.total(self.q, "orders")),
            _chart("bar", labels, series),
            _trend_table(_("Period"), labels, series),
            self._orders_url(),
        )

    def repurchase(self):
        r = self.d.repurchase
        any_, repeat = r["cur"]
        categories = [_("One order"), _("Two or more")]
        series = [(_("Customers"), [any_ - repeat, repeat])]
        return (
            ratio_pct(repeat, any_),
            ratio_pct(r["prev"][1], r["prev"][0]),
            _chart("pie", categories, series),
            _trend_table(_("Customers"), categories, [(_("Number"), [any_ - repeat, repeat])]),
            _url("customers:list"),
        )

    def nps(self):
        s, labels = self.d.surveys, _bucket_labels(self.p)

        def score(period):
            n = {k: int(s.total(period, k)) for k in ("answers", "promoters", "passives", "detractors")}
            return Nps(surveys=0, sent=0, **n).score

        series = [
            (_("Promoters"), [int(v) for v in s.per_bucket(self.p, "promoters")]),
            (_("Passives"), [int(v) for v in s.per_bucket(self.p, "passives")]),
            (_("Detractors"), [int(v) for v in s.per_bucket(self.p, "detractors")]),
        ]
        return (
            score(self.p),
            score(self.q),
            _chart("bar_stacked", labels, series),
            _trend_table(_("Period"), labels, series),
            _url("surveys:list", date_from=self.p.start.isoformat(), date_to=self.p.end.isoformat()),
        )

    def fill_rate(self):
        s = self.d.sales
        filled = _Trend(
            {
                d: {
                    "filled": (r.get("lines") or 0) - (r.get("backordered") or 0),
                    "lines": r.get("lines") or 0,
                }
                for d, r in s.rows.items()
            }
        )
        return (*self._ratio_trend(filled, "filled", "lines", _("Fill rate %")), self._orders_url())

    def otif(self):
        return (
            *self._ratio_trend(self.d.sales, "otif", "due", _("On time in full %")),
            _url("fulfilment:shipments", state="shipped"),
        )

    def backorders(self):
        s, labels = self.d.sales, _bucket_labels(self.p)
        series = [(_("Backordered lines"), [int(v) for v in s.per_bucket(self.p, "backordered")])]
        return (
            Decimal(int(s.total(self.p, "backordered"))),
            Decimal(int(s.total(self.q, "backordered"))),
            _chart("bar", labels, series),
            _trend_table(_("Period"), labels, series),
            self._orders_url(state="partly_reserved"),
        )

    def inventory_value(self):
        st = self.d.stock
        names = [w["name"] for w in st.values()]
        current = [self.d.stock_end(self.p, wid) for wid in st]
        before = [self.d.stock_end(self.q, wid) for wid in st]
        series = [(self.p.label, current), (self.q.label, before)]
        return (
            money(sum(current, ZERO)),
            money(sum(before, ZERO)),
            _chart("bar", names, series),
            _trend_table(_("Warehouse"), names, series),
            _url("inventory:stock"),
        )

    def turnover(self):
        st = self.d.stock
        names = [w["name"] for w in st.values()]
        series = [
            (self.p.label, [self.d.turnover(self.p, wid) for wid in st]),
            (self.q.label, [self.d.turnover(self.q, wid) for wid in st]),
        ]
        return (
            self.d.turnover(self.p, None) if st else None,
            self.d.turnover(self.q, None) if st else None,
            _chart("bar", names, series),
            _trend_table(_("Warehouse"), names, series),
            _url("inventory:stock"),
        )

    def slow_movers(self):
        slow = self.d.slow
        top = [[sku, name, D(on_hand), D(value)] for sku, name, on_hand, value in slow["top"]]
        categories = [f"{sku} {name}" for sku, name, _q, _v in top]
        series = [(_("Stock value"), [value for _s, _n, _q, value in top])]
        table = {"columns": [_("SKU"), _("Product"), _("On hand"), _("Stock value")], "rows": top}
        return (
            money(slow["value"]),
            slow["previous"],
            _chart("bar", categories, series),
            table,
            _url("planning:slow_movers"),
        )

    def purchase_on_time(self):
        return (
            *self._ratio_trend(self.d.receipts, "on_time", "lines", _("On time %")),
            _url("purchasing:supplier_list"),
        )

    def _aging(self, report: dict, url: str):
        from finance.views import aging_labels

        labels = aging_labels()
        keys = report["buckets"]
        totals = report["totals"]
        categories = [str(labels[k]) for k in keys]
        series = [(_("Open amount"), [totals[k] for k in keys])]
        overdue = money(sum((totals[k] for k in keys if k != "current"), ZERO))
        return (
            overdue,
            None,
            _chart("bar", categories, series),
            _trend_table(_("Days past due"), categories, series),
            url,
        )

    def ar_aging(self):
        return self._aging(self.d.ar, _url("finance:aging"))

    def ap_aging(self):
        return self._aging(self.d.ap, _url("finance:ap_aging"))

    def cash(self):
        c, labels = self.d.cash, _bucket_labels(self.p)
        series = [
            (_("Cash in"), [money(v) for v in c.per_bucket(self.p, "received")]),
            (_("Cash out"), [money(v) for v in c.per_bucket(self.p, "paid_out")]),
        ]
        return (
            money(c.total(self.p, "received") - c.total(self.p, "paid_out")),
            money(c.total(self.q, "received") - c.total(self.q, "paid_out")),
            _chart("bar", labels, series),
            _trend_table(_("Period"), labels, series),
            _url("finance:payment_list"),
        )


def dashboard(*, user, period: Period, previous: Period, team=None) -> list[dict]:
    """One card per figure of ``FIGURES``, in order (see the module's docstring); none for a
    user who may not see the figures."""
    if not can_see_figures(user):
        return []
    cards = _Cards(_Data(user=user, period=period, previous=previous, team=team))
    with reporting():
        return [cards.card(key) for key in FIGURES]


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
