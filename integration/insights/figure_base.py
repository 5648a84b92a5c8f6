"""What every figure's computation shares (``integration.insights.figures``): the arithmetic of
ratios and changes, the chart's buckets of a period, per-day sums of the daily facts (``Trend``),
the data reader's common part (``DataBase``: the periods, the reporting database, the team
filter) and the shapes of a card's chart and table."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from core.db import reporting_db
from core.money import money
from integration.insights.periods import Period

ZERO = Decimal("0")
PCT = Decimal("0.1")
RATIO = Decimal("0.01")
DAILY_UP_TO = 62


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


def average(total, n) -> Decimal | None:
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


class Trend:
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


def by_day(qs, columns: dict) -> Trend:
    rows = {}
    for row in qs.order_by().values("day").annotate(**columns):
        day = row.pop("day")
        rows[day] = {k: (v if v is not None else 0) for k, v in row.items()}
    return Trend(rows)


class DataBase:
    """Reads each source once, for both periods, on first use: the common part of the readers
    of each subject (``figure_sales``, ``figure_stock``, ``figure_money``)."""

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


def list_url(name: str, **params) -> str:
    url = reverse(name)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def chart_of(
    kind: str, categories, series: list[tuple[str, list]], *, links: list[str] | None = None
) -> dict:
    """A card's chart; ``links``: the list behind each category (as many as the categories),
    where one has its own (a click elsewhere opens the card's list)."""
    chart = {
        "kind": kind,
        "categories": [str(c) for c in categories],
        "series": [{"name": str(name), "values": list(values)} for name, values in series],
    }
    if links is not None:
        chart["links"] = list(links)
    return chart


def trend_table(first_column: str, categories, series: list[tuple[str, list]]) -> dict:
    return {
        "columns": [first_column, *(str(name) for name, _values in series)],
        "rows": [[c, *(values[i] for _name, values in series)] for i, c in enumerate(categories)],
    }


def bucket_labels(period: Period) -> list[str]:
    return [label for label, _first, _last in buckets(period)]


class CardsBase:
    """The common part of the cards of each subject: each card method returns (value, previous,
    chart, table, drilldown)."""

    def __init__(self, data, *, charts: bool = True):
        self.d = data
        self.p, self.q = data.period, data.previous
        self.charts = charts

    def _ratio_trend(self, trend: Trend, part: str, whole: str, name: str):
        labels = bucket_labels(self.p)
        parts, wholes = trend.per_bucket(self.p, part), trend.per_bucket(self.p, whole)
        values = [ratio_pct(a, b) for a, b in zip(parts, wholes, strict=True)]
        series = [(name, values)]
        return (
            ratio_pct(trend.total(self.p, part), trend.total(self.p, whole)),
            ratio_pct(trend.total(self.q, part), trend.total(self.q, whole)),
            chart_of("line", labels, series),
            trend_table(_("Period"), labels, series),
        )
