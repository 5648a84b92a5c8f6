"""Purchase cycles: which customers buy a product, or a category, regularly, and when they are
expected to buy it next. Read from the order history (``purchases``: confirmed and later orders,
by order date) of the last ``INSIGHTS_CYCLE_HISTORY_DAYS``; a purchase is a day on which the
customer ordered the item (the day's lines summed).

Two kinds, each with a confidence between 0 and 1:

* **Regular interval** ("every 6 weeks"): at least ``MIN_GAPS`` + 1 purchase days whose gaps
  have a mean between ``MIN_INTERVAL_DAYS`` and ``MAX_INTERVAL_DAYS`` and a coefficient of
  variation (standard deviation ÷ mean, over the gaps) of at most ``MAX_CV``.
  confidence = (1 − CV) × k ÷ (k + 1), k the number of gaps: regular gaps, and more of them, give
  more confidence. Expected next = last purchase + mean gap. A customer who let a whole mean gap
  pass after the expected date has stopped: no cycle.
* **Annual** ("every March"): bought in the same calendar month in at least ``MIN_YEARS``
  different years. With y = years bought in that month, o = years in which that month was
  observed (from the customer's first purchase in the history to the last month that has ended,
  or this month if they bought in it) and n = all distinct months in which they bought the item:
  hit rate = y ÷ o (at least ``MIN_HIT_RATE``), concentration = y ÷ n (at least
  ``MIN_CONCENTRATION``: mostly bought in that month, not all year round) and
  confidence = hit rate × concentration × y ÷ (y + 1). Expected next = the month in the year after
  the last one bought in it, on the mean day of the month the customer first bought in it
  (a year later again once that is more than ``ANNUAL_GRACE_DAYS`` past).

Irregular histories give none. A category cycle is kept only where no product of the category
has a cycle of the same kind for that customer (the product says more); an annual one of a
category takes ``MIN_CATEGORY_YEARS``. One cycle per customer, item and kind: the most confident
month for annual ones.

The statistics are aggregated in the database (``_stats_sql``: one statement for both levels and
both kinds, window functions and GROUP BY over the order lines) and come back only for the
candidates; ``_stats_plain`` computes the same from the purchase days read through the ORM, and
the tests hold the two equal.
"""

import calendar
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from integration.insights import purchases
from integration.insights.models import PurchaseCycle
from integration.insights.purchases import (
    LINE_TABLE,
    ORDER_TABLE,
    PRODUCT_TABLE,
    day_from_number,
    day_number,
    day_sql,
    part_sql,
    purchase_filter_sql,
)
from scm.inventory.models import Product

MIN_GAPS = 3
MAX_CV = 0.35
MIN_INTERVAL_DAYS = 7
MAX_INTERVAL_DAYS = 200
MIN_YEARS = 2
# A category gathers many products: two purchases of it in the same month of two years happen
# by chance far more often than of one product, so it takes three years.
MIN_CATEGORY_YEARS = 3
MIN_HIT_RATE = 0.5
MIN_CONCENTRATION = 0.5
ANNUAL_GRACE_DAYS = 31

PRODUCT, CATEGORY = "product", "category"
LEVELS = (PRODUCT, CATEGORY)
KEY_PREFIX = {PRODUCT: "p", CATEGORY: "c"}
THOUSANDTH = Decimal("0.001")


def history_days() -> int:
    return int(getattr(settings, "INSIGHTS_CYCLE_HISTORY_DAYS", 1096))


def item_key(level: str, item_id: int) -> str:
    return f"{KEY_PREFIX[level]}{item_id}"


def _qty(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(THOUSANDTH)


@dataclass(frozen=True, order=True)
class IntervalStats:
    customer_id: int
    item_id: int
    gaps: int
    gap_sum: int
    gap_squares: int
    last_day: int
    last_quantity: Decimal


@dataclass(frozen=True, order=True)
class MonthStats:
    customer_id: int
    item_id: int
    month: int
    years: int  # years bought in the month
    day_sum: int  # sum over those years of the first day of the month bought
    last_year: int  # the last year bought in the month
    item_months: int  # distinct months (year and month) the item was bought in
    last_day: int
    last_quantity: Decimal
    first_day: int  # the customer's first purchase in the history


@dataclass(frozen=True)
class Detected:
    customer_id: int
    level: str
    item_id: int
    kind: str
    interval_days: int | None
    month: int | None
    occurrences: int
    expected_date: date
    confidence: Decimal
    last_quantity: Decimal
    last_order_date: date

    @property
    def key(self) -> str:
        return item_key(self.level, self.item_id)


# --- the statistics, in the database ----------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """The candidates' statistics of one history, by level (product, category)."""

    intervals: dict[str, list[IntervalStats]]
    months: dict[str, list[MonthStats]]

    def sorted(self) -> "Stats":
        return Stats(
            {lv: sorted(rows) for lv, rows in self.intervals.items()},
            {lv: sorted(rows) for lv, rows in self.months.items()},
        )


def _stats_sql(since: date, until: date) -> Stats:
    """One statement: the purchase days of products (``pdays``) and of categories (summed from
    them), level ``lv`` 0 and 1 (``days``); of those, the items bought on two days or more
    (``fdays``: a single purchase makes no cycle, and most items are bought once); their gaps,
    last day and its quantity (window functions, ``ranked``), summed per item (``items``); the
    months they were bought in, with the number of months of the item (``months``); the months
    bought in two years or more (``cand``); each customer's first purchase (``firsts``).
    Returns the interval candidates (at least ``MIN_GAPS`` gaps) and the month candidates,
    tagged 0 and 1."""
    where, params = purchase_filter_sql(since=since, until=until)
    day = day_sql("dt")
    item = "PARTITION BY lv, c, i"
    sql = (
        f"WITH pdays AS (SELECT o.customer_id AS c, l.product_id AS i, o.order_date AS dt, "
        f"SUM(l.base_quantity) AS q FROM {LINE_TABLE} l JOIN {ORDER_TABLE} o ON o.id = l.order_id "
        f"WHERE {where} GROUP BY o.customer_id, l.product_id, o.order_date), "
        f"days AS (SELECT 0 AS lv, c, i, dt, q FROM pdays UNION ALL "
        f"SELECT 1, pd.c, p.category_id, pd.dt, SUM(pd.q) FROM pdays pd "
        f"JOIN {PRODUCT_TABLE} p ON p.id = pd.i "
        f"WHERE p.category_id IS NOT NULL GROUP BY pd.c, p.category_id, pd.dt), "
        f"multi AS (SELECT lv, c, i FROM days GROUP BY lv, c, i HAVING COUNT(*) >= 2), "
        f"fdays AS (SELECT days.lv, days.c, days.i, days.dt, days.q FROM days "
        f"JOIN multi ON multi.lv = days.lv AND multi.c = days.c AND multi.i = days.i), "
        f"ranked AS (SELECT lv, c, i, dt, {day} - LAG({day}) OVER (w) AS g, "
        f"MAX(dt) OVER ({item}) AS last_dt, "
        f"LAST_VALUE(q) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_q "
        f"FROM fdays WINDOW w AS ({item} ORDER BY dt)), "
        f"items AS (SELECT lv, c, i, COUNT(g) AS gaps, SUM(g) AS gs, SUM(g * g) AS g2, "
        f"MAX(last_dt) AS last_dt, MAX(last_q) AS last_q FROM ranked GROUP BY lv, c, i "
        f"HAVING COUNT(g) >= %s), "
        f"months AS (SELECT lv, c, i, y, m, dd, last_dt, last_q, COUNT(*) OVER ({item}) AS n FROM ("
        f"SELECT lv, c, i, {part_sql('year', 'dt')} AS y, {part_sql('month', 'dt')} AS m, "
        f"MIN({part_sql('day', 'dt')}) AS dd, MAX(last_dt) AS last_dt, MAX(last_q) AS last_q FROM ranked "
        f"GROUP BY lv, c, i, {part_sql('year', 'dt')}, {part_sql('month', 'dt')}) ym), "
        f"cand AS (SELECT lv, c, i, m, COUNT(*) AS years, SUM(dd) AS day_sum, MAX(y) AS last_year, "
        f"MAX(n) AS n, MAX(last_dt) AS last_dt, MAX(last_q) AS last_q "
        f"FROM months GROUP BY lv, c, i, m HAVING COUNT(*) >= %s), "
        f"firsts AS (SELECT c, MIN(dt) AS f FROM pdays GROUP BY c) "
        f"SELECT 0, lv, c, i, gaps, gs, g2, {day_sql('last_dt')}, last_q, 0, 0, 0 FROM items "
        f"UNION ALL "
        f"SELECT 1, cand.lv, cand.c, cand.i, cand.m, cand.years, cand.day_sum, {day_sql('cand.last_dt')}, "
        f"cand.last_q, cand.last_year, cand.n, {day_sql('firsts.f')} FROM cand "
        f"JOIN firsts ON firsts.c = cand.c"
    )
    stats = Stats({lv: [] for lv in LEVELS}, {lv: [] for lv in LEVELS})
    with purchases.aggregation(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, MIN_GAPS, MIN_YEARS])
        for tag, lv, c, i, a, b, e, last_d, last_q, x, y, z in cursor.fetchall():
            level = LEVELS[lv]
            if tag == 0:
                stats.intervals[level].append(
                    IntervalStats(c, i, a, int(b), int(e), int(last_d), _qty(last_q))
                )
            else:
                stats.months[level].append(
                    MonthStats(c, i, a, b, int(e), x, y, int(last_d), _qty(last_q), int(z))
                )
    return stats


# --- the same, plainly ------------------------------------------------------------------------


def _purchase_days_plain(since: date, until: date) -> dict[str, dict[tuple[int, int], list]]:
    """By level, (customer, item) → [(day number, date, quantity)] by day, through the ORM."""
    rows = (
        purchases.counted_lines(since=since, until=until)
        .values(c=F("order__customer_id"), i=F("product_id"), day=F("order__order_date"))
        .annotate(q=Sum("base_quantity"))
        .order_by()
    )
    rows = list(rows)
    category_of = dict(
        Product.objects.filter(pk__in={r["i"] for r in rows}, category__isnull=False).values_list(
            "pk", "category_id"
        )
    )
    products: dict[tuple[int, int], dict] = defaultdict(dict)
    categories: dict[tuple[int, int], dict] = defaultdict(dict)
    for row in rows:
        day, quantity = row["day"], _qty(row["q"])
        products[(row["c"], row["i"])][day] = quantity
        if row["i"] in category_of:
            series = categories[(row["c"], category_of[row["i"]])]
            series[day] = series.get(day, Decimal(0)) + quantity
    return {
        level: {
            key: sorted((day_number(d), d, q) for d, q in series.items()) for key, series in found.items()
        }
        for level, found in ((PRODUCT, products), (CATEGORY, categories))
    }


def _stats_plain(since: date, until: date) -> Stats:
    days = _purchase_days_plain(since, until)
    firsts: dict[int, int] = {}
    for (c, _i), series in days[PRODUCT].items():
        firsts[c] = min(firsts.get(c, series[0][0]), series[0][0])
    stats = Stats({lv: [] for lv in LEVELS}, {lv: [] for lv in LEVELS})
    for level in LEVELS:
        for (c, i), series in days[level].items():
            last_day, last_q = series[-1][0], series[-1][2]
            gaps = [b[0] - a[0] for a, b in zip(series, series[1:], strict=False)]
            if len(gaps) >= MIN_GAPS:
                stats.intervals[level].append(
                    IntervalStats(c, i, len(gaps), sum(gaps), sum(g * g for g in gaps), last_day, last_q)
                )
            months: dict[tuple[int, int], int] = {}
            for _number, day, _q in series:
                key = (day.year, day.month)
                months[key] = min(months.get(key, 99), day.day)
            by_month: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for (year, month), first_day in months.items():
                by_month[month].append((year, first_day))
            for month, years in by_month.items():
                if len(years) >= MIN_YEARS:
                    stats.months[level].append(
                        MonthStats(
                            c,
                            i,
                            month,
                            len(years),
                            sum(d for _y, d in years),
                            max(y for y, _d in years),
                            len(months),
                            last_day,
                            last_q,
                            firsts[c],
                        )
                    )
    return stats


def cycle_stats(since: date, until: date, *, fast: bool = True) -> Stats:
    """The candidates' statistics: in the database (``fast``) or plainly; the same either way."""
    return (_stats_sql if fast else _stats_plain)(since, until).sorted()


# --- from statistics to cycles ----------------------------------------------------------------


def _confidence(value: float) -> Decimal:
    return Decimal(str(max(0.0, min(1.0, value)))).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def interval_cycle(stats: IntervalStats, level: str, today: date) -> Detected | None:
    """The regular-interval cycle the gaps show, or None (see the module's text)."""
    k = stats.gaps
    mean = stats.gap_sum / k
    if not MIN_INTERVAL_DAYS <= mean <= MAX_INTERVAL_DAYS:
        return None
    variance = max(stats.gap_squares / k - mean * mean, 0.0)
    cv = math.sqrt(variance) / mean
    if cv > MAX_CV:
        return None
    interval = round(mean)
    last = day_from_number(stats.last_day)
    expected = last + timedelta(days=interval)
    if expected + timedelta(days=interval) < today:
        return None  # a whole cycle missed: the customer stopped
    return Detected(
        customer_id=stats.customer_id,
        level=level,
        item_id=stats.item_id,
        kind=PurchaseCycle.Kind.INTERVAL,
        interval_days=interval,
        month=None,
        occurrences=k + 1,
        expected_date=expected,
        confidence=_confidence((1 - cv) * k / (k + 1)),
        last_quantity=stats.last_quantity,
        last_order_date=last,
    )


def _observed_years(month: int, first: date, today: date, bought_this_month: bool) -> int:
    """Years whose ``month`` lies between the customer's first purchase month and the last month
    that has ended (this month too if they bought in it)."""
    count = 0
    for year in range(first.year, today.year + 1):
        if (year, month) < (first.year, first.month):
            continue
        ended = (year, month) < (today.year, today.month)
        if ended or ((year, month) == (today.year, today.month) and bought_this_month):
            count += 1
    return count


def annual_cycle(stats: MonthStats, level: str, today: date) -> Detected | None:
    """The annual cycle of one month, or None (see the module's text)."""
    first = day_from_number(stats.first_day)
    bought_this_month = stats.last_year == today.year and stats.month == today.month
    observed = _observed_years(stats.month, first, today, bought_this_month)
    if stats.years < (MIN_YEARS if level == PRODUCT else MIN_CATEGORY_YEARS) or observed <= 0:
        return None
    hit_rate = min(stats.years / observed, 1.0)
    concentration = stats.years / stats.item_months
    if hit_rate < MIN_HIT_RATE or concentration < MIN_CONCENTRATION:
        return None
    mean_day = round(stats.day_sum / stats.years)
    year = stats.last_year + 1
    while True:
        day = min(mean_day, calendar.monthrange(year, stats.month)[1])
        expected = date(year, stats.month, day)
        if expected >= today - timedelta(days=ANNUAL_GRACE_DAYS):
            break
        year += 1
    y = stats.years
    return Detected(
        customer_id=stats.customer_id,
        level=level,
        item_id=stats.item_id,
        kind=PurchaseCycle.Kind.ANNUAL,
        interval_days=None,
        month=stats.month,
        occurrences=y,
        expected_date=expected,
        confidence=_confidence(hit_rate * concentration * y / (y + 1)),
        last_quantity=stats.last_quantity,
        last_order_date=day_from_number(stats.last_day),
    )


def cycles_detect(*, today: date | None = None, fast: bool = True) -> list[Detected]:
    """Every customer's cycles as the history shows them today."""
    today = today or timezone.localdate()
    since = today - timedelta(days=history_days())
    found: dict[tuple[int, str, str], Detected] = {}
    stats_of = cycle_stats(since, today, fast=fast)
    for level in LEVELS:
        for stats in stats_of.intervals[level]:
            cycle = interval_cycle(stats, level, today)
            if cycle is not None:
                found[(cycle.customer_id, cycle.kind, cycle.key)] = cycle
        for stats in stats_of.months[level]:
            cycle = annual_cycle(stats, level, today)
            if cycle is None:
                continue
            key = (cycle.customer_id, cycle.kind, cycle.key)
            best = found.get(key)
            if best is None or (cycle.confidence, -cycle.expected_date.toordinal()) > (
                best.confidence,
                -best.expected_date.toordinal(),
            ):
                found[key] = cycle
    return _drop_covered_categories(list(found.values()))


def _drop_covered_categories(cycles: list[Detected]) -> list[Detected]:
    """Category cycles of a customer whose product of that category has a cycle of the same
    kind are left out."""
    product_ids = {c.item_id for c in cycles if c.level == PRODUCT}
    if not product_ids:
        return cycles
    category_of = dict(
        Product.objects.filter(pk__in=product_ids, category__isnull=False).values_list("pk", "category_id")
    )
    covered = {
        (c.customer_id, c.kind, category_of[c.item_id])
        for c in cycles
        if c.level == PRODUCT and c.item_id in category_of
    }
    return [c for c in cycles if c.level == PRODUCT or (c.customer_id, c.kind, c.item_id) not in covered]


@transaction.atomic
def cycles_refresh(*, today: date | None = None, fast: bool = True) -> dict[str, int]:
    """Detect every cycle and keep them: new ones added, known ones updated, those no longer
    found deleted (one transaction). Returns counts by kind and the number removed."""
    now = timezone.now()
    detected = cycles_detect(today=today, fast=fast)
    rows = [
        PurchaseCycle(
            customer_id=c.customer_id,
            product_id=c.item_id if c.level == PRODUCT else None,
            category_id=c.item_id if c.level == CATEGORY else None,
            item_key=c.key,
            kind=c.kind,
            interval_days=c.interval_days,
            month=c.month,
            occurrences=c.occurrences,
            expected_date=c.expected_date,
            confidence=c.confidence,
            last_quantity=c.last_quantity,
            last_order_date=c.last_order_date,
            refreshed_at=now,
        )
        for c in detected
    ]
    PurchaseCycle.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["customer", "kind", "item_key"],
        update_fields=[
            "interval_days",
            "month",
            "occurrences",
            "expected_date",
            "confidence",
            "last_quantity",
            "last_order_date",
            "refreshed_at",
        ],
    )
    removed, _ = PurchaseCycle.objects.filter(refreshed_at__lt=now).delete()
    counts = {kind: sum(1 for c in detected if c.kind == kind) for kind in PurchaseCycle.Kind.values}
    counts["removed"] = removed
    return counts
