"""Cross-sell: "customers who buy A also buy B", and the suggestions it gives for one customer.

**Co-purchase** is counted by customer: a customer bought A and B within
``INSIGHTS_COPURCHASE_WINDOW_DAYS`` days of each other — on the same order, or on orders that
many days apart or fewer — in the order history of the last ``INSIGHTS_COPURCHASE_HISTORY_DAYS``
(``purchases``: confirmed and later orders). A customer who did so many times counts once. With N
the customers who bought anything in that history, n_A those who bought A, n_B those who bought B
and n_AB those who bought both within the window:

* support(A → B) = n_AB ÷ N
* confidence(A → B) = n_AB ÷ n_A
* lift(A → B) = confidence(A → B) ÷ (n_B ÷ N) = n_AB × N ÷ (n_A × n_B)

A rule A → B is kept when n_AB ≥ ``INSIGHTS_COPURCHASE_MIN_CUSTOMERS``, support ≥
``INSIGHTS_COPURCHASE_MIN_SUPPORT``, confidence ≥ ``MIN_CONFIDENCE`` and lift > 1 (B goes with A
more often than with anyone); of those, each product keeps its ``INSIGHTS_COPURCHASE_TOP`` best
by confidence, then lift, then customers (``CoPurchase``, replaced by each nightly run).

The pairs are counted in the database (``_pair_counts_sql``: one statement, a self-join of the
customers' purchase days within the window, grouped); ``_pair_counts_plain`` counts the same from
the purchase days read through the ORM, and the tests hold the two equal.

**Suggestions** for a customer (``suggestions_for``): products B of the rules of what the
customer bought in that history, that are in stock — free to reserve (``holding.candidate_levels_for``,
the reservation's own reading of levels: no quarantine, no lot on hold or expired) in a warehouse
that serves the customer (``warehouses_by_distance``, the warehouses the reservation rule takes
from, nearest first) — and that the customer has not ordered in the last
``INSIGHTS_CROSSSELL_RECENT_DAYS`` (any order but a cancelled one). Only for a customer the user may
read (``crm.customers.selectors.customer_is_visible``). A fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from crm.customers.selectors import customer_is_visible
from crm.sales.models import SalesOrder, SalesOrderLine
from integration.insights import purchases
from integration.insights.models import CoPurchase
from integration.insights.purchases import (
    COUNTED_STATES,
    LINE_TABLE,
    ORDER_TABLE,
    day_number,
    day_sql,
    purchase_filter_sql,
)
from scm.inventory.holding import candidate_levels_for
from scm.inventory.models import Warehouse
from scm.inventory.selectors import active_warehouses, warehouses_by_distance

MIN_CONFIDENCE = Decimal("0.05")
# Rules read for one customer's suggestions (the best first), before the stock check.
MAX_RULES = 200
SUPPORT_PLACES = Decimal("0.000001")
CONFIDENCE_PLACES = Decimal("0.000001")
LIFT_PLACES = Decimal("0.0001")


def _setting(name: str, default):
    return type(default)(getattr(settings, name, default))


def history_days() -> int:
    return _setting("INSIGHTS_COPURCHASE_HISTORY_DAYS", 730)


def window_days() -> int:
    return _setting("INSIGHTS_COPURCHASE_WINDOW_DAYS", 30)


def min_customers() -> int:
    return max(_setting("INSIGHTS_COPURCHASE_MIN_CUSTOMERS", 3), 1)


def min_support() -> Decimal:
    return Decimal(str(getattr(settings, "INSIGHTS_COPURCHASE_MIN_SUPPORT", "0")))


def top_k() -> int:
    return _setting("INSIGHTS_COPURCHASE_TOP", 10)


def recent_days() -> int:
    return _setting("INSIGHTS_CROSSSELL_RECENT_DAYS", 90)


@dataclass(frozen=True)
class PairCounts:
    """Customers who bought both of each pair (a < b) at least ``min_customers`` times, who
    bought each product, and who bought anything."""

    pairs: dict[tuple[int, int], int]
    buyers: dict[int, int]
    customers: int


# --- counting, in the database and plainly ----------------------------------------------------


def _pair_counts_sql(since: date, until: date, window: int, least: int) -> PairCounts:
    """One statement, over the customers' purchase days (``days``): the pairs bought within
    ``window`` days by one customer (tagged 0), each product's buyers (1) and the number of
    customers (2). The days are put in buckets of ``window`` + 1 days, so that a day meets only
    the days of its own bucket and of the next (a band join on equal keys, not every day of the
    customer against every other), those of the next bucket kept when ``window`` days apart or
    less."""
    where, params = purchase_filter_sql(since=since, until=until)
    day, width = day_sql("o.order_date"), int(window) + 1
    days = (
        f"SELECT DISTINCT o.customer_id AS c, l.product_id AS p, {day} AS d, {day} / {width} AS k "
        f"FROM {LINE_TABLE} l JOIN {ORDER_TABLE} o ON o.id = l.order_id WHERE {where}"
    )
    sql = (
        f"WITH days AS ({days}), near AS ("
        f"SELECT a.c, a.p AS pa, b.p AS pb FROM days a "
        f"JOIN days b ON b.c = a.c AND b.k = a.k AND b.p > a.p "
        f"UNION ALL "
        f"SELECT a.c, CASE WHEN a.p < b.p THEN a.p ELSE b.p END, "
        f"CASE WHEN a.p < b.p THEN b.p ELSE a.p END FROM days a "
        f"JOIN days b ON b.c = a.c AND b.k = a.k + 1 AND b.p <> a.p AND b.d - a.d <= %s) "
        f"SELECT 0, pa, pb, COUNT(*) FROM (SELECT DISTINCT c, pa, pb FROM near) x "
        f"GROUP BY pa, pb HAVING COUNT(*) >= %s "
        f"UNION ALL SELECT 1, p, 0, COUNT(DISTINCT c) FROM days GROUP BY p "
        f"UNION ALL SELECT 2, 0, 0, COUNT(DISTINCT c) FROM days"
    )
    pairs, buyers, customers = {}, {}, 0
    with purchases.aggregation(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, window, least])
        for tag, a, b, n in cursor.fetchall():
            if tag == 0:
                pairs[(a, b)] = n
            elif tag == 1:
                buyers[a] = n
            else:
                customers = n
    return PairCounts(pairs, buyers, customers)


def _pair_counts_plain(since: date, until: date, window: int, least: int) -> PairCounts:
    rows = (
        purchases.counted_lines(since=since, until=until)
        .values_list("order__customer_id", "product_id", "order__order_date")
        .distinct()
        .order_by()
    )
    by_customer: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for customer_id, product_id, day in rows:
        by_customer[customer_id].append((day_number(day), product_id))
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    buyers: dict[int, set] = defaultdict(set)
    for customer_id, days in by_customer.items():
        days.sort()
        seen: set[tuple[int, int]] = set()
        for i, (day, product) in enumerate(days):
            buyers[product].add(customer_id)
            for other_day, other in days[i + 1 :]:
                if other_day - day > window:
                    break
                if other != product:
                    seen.add((min(product, other), max(product, other)))
        for pair in seen:
            pairs[pair] += 1
    return PairCounts(
        {pair: n for pair, n in pairs.items() if n >= least},
        {p: len(c) for p, c in buyers.items()},
        len(by_customer),
    )


def pair_counts(*, today: date | None = None, fast: bool = True) -> PairCounts:
    today = today or timezone.localdate()
    step = _pair_counts_sql if fast else _pair_counts_plain
    return step(today - timedelta(days=history_days()), today, window_days(), min_customers())


# --- from counts to rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    product_a: int
    product_b: int
    customers: int
    customers_a: int
    customers_b: int
    support: Decimal
    confidence: Decimal
    lift: Decimal
    rank: int = 0


def copurchase_rules(counts: PairCounts) -> list[Rule]:
    """The rules kept (see the module's text), each product's best first, ranked from 1."""
    n_all = counts.customers
    least_support, top = min_support(), top_k()
    by_a: dict[int, list[Rule]] = defaultdict(list)
    for (x, y), both in counts.pairs.items():
        if both < min_customers() or Decimal(both) < least_support * n_all:
            continue
        for a, b in ((x, y), (y, x)):
            n_a, n_b = counts.buyers[a], counts.buyers[b]
            if Decimal(both) < MIN_CONFIDENCE * n_a or both * n_all <= n_a * n_b:
                continue
            by_a[a].append(
                Rule(
                    product_a=a,
                    product_b=b,
                    customers=both,
                    customers_a=n_a,
                    customers_b=n_b,
                    support=(Decimal(both) / n_all).quantize(SUPPORT_PLACES, ROUND_HALF_UP),
                    confidence=(Decimal(both) / n_a).quantize(CONFIDENCE_PLACES, ROUND_HALF_UP),
                    lift=(Decimal(both * n_all) / (n_a * n_b)).quantize(LIFT_PLACES, ROUND_HALF_UP),
                )
            )
    kept = []
    for a in sorted(by_a):
        # Exact ordering (not the rounded figures): confidence, lift, customers, then B.
        ranked = sorted(
            by_a[a],
            key=lambda r: (
                -Decimal(r.customers) / r.customers_a,
                -Decimal(r.customers) / r.customers_b,
                -r.customers,
                r.product_b,
            ),
        )
        kept.extend(Rule(**{**r.__dict__, "rank": i}) for i, r in enumerate(ranked[:top], start=1))
    return kept


@transaction.atomic
def copurchase_refresh(*, today: date | None = None, fast: bool = True) -> dict[str, int]:
    """Count the pairs, keep the rules and replace the table's rows (one transaction)."""
    now = timezone.now()
    counts = pair_counts(today=today, fast=fast)
    rules = copurchase_rules(counts)
    CoPurchase.objects.all().delete()
    CoPurchase.objects.bulk_create(
        [
            CoPurchase(
                product_a_id=r.product_a,
                product_b_id=r.product_b,
                support=r.support,
                confidence=r.confidence,
                lift=r.lift,
                customers=r.customers,
                customers_a=r.customers_a,
                customers_b=r.customers_b,
                rank=r.rank,
                refreshed_at=now,
            )
            for r in rules
        ],
        batch_size=2000,
    )
    return {"pairs": len(counts.pairs), "rules": len(rules), "customers": counts.customers}


# --- suggestions for one customer -------------------------------------------------------------


@dataclass
class Suggestion:
    product: object
    confidence: Decimal
    lift: Decimal
    customers: int
    because: list = field(default_factory=list)  # products the customer bought that lead to it
    available: Decimal = Decimal(0)
    warehouse: object = None  # the nearest serving warehouse with stock

    @property
    def because_names(self) -> str:
        return ", ".join(p.name for p in self.because)

    @property
    def percent(self) -> int:
        """Confidence as a whole percentage: n_AB out of every 100 buyers of A."""
        return int((self.confidence * 100).to_integral_value(ROUND_HALF_UP))


def _bought(customer_id: int, today: date) -> tuple[set[int], set[int]]:
    """What the customer bought in the co-purchase history, and what they ordered recently
    (any order but a cancelled one). One query."""
    history_since = today - timedelta(days=history_days())
    rows = (
        SalesOrderLine.objects.filter(order__customer_id=customer_id)
        .exclude(order__state=SalesOrder.State.CANCELLED)
        .values("product_id")
        .annotate(
            counted=Max(
                "order__order_date",
                filter=Q(order__state__in=COUNTED_STATES, order__order_date__gte=history_since),
            ),
            last=Max("order__order_date"),
        )
        .order_by()
    )
    recent_since = today - timedelta(days=recent_days())
    bought, recent = set(), set()
    for row in rows:
        if row["counted"] is not None:
            bought.add(row["product_id"])
        if row["last"] >= recent_since:
            recent.add(row["product_id"])
    return bought, recent


def suggestions_for(
    *, customer, user, limit: int = 5, exclude=(), today: date | None = None
) -> list[Suggestion]:
    """Products to offer ``customer`` (see the module's text), the most confident first: at
    most ``limit``, none of ``exclude`` (product ids already on the form). Empty for a customer
    the user may not read. A fixed number of queries (at most six)."""
    if customer is None or not customer_is_visible(user, customer):
        return []
    today = today or timezone.localdate()
    bought, recent = _bought(customer.pk, today)
    if not bought:
        return []
    skip = recent | {int(p) for p in exclude}
    rules = (
        CoPurchase.objects.filter(
            product_a_id__in=bought, product_b__is_active=True, product_b__is_template=False
        )
        .exclude(product_b_id__in=skip)
        .select_related("product_a", "product_b")
        .order_by("-confidence", "-lift", "-customers", "product_b_id", "rank")[:MAX_RULES]
    )
    found: dict[int, Suggestion] = {}
    for rule in rules:
        suggestion = found.get(rule.product_b_id)
        if suggestion is None:
            suggestion = found[rule.product_b_id] = Suggestion(
                product=rule.product_b, confidence=rule.confidence, lift=rule.lift, customers=rule.customers
            )
        if len(suggestion.because) < 3:
            suggestion.because.append(rule.product_a)
    if not found:
        return []
    serving = warehouses_by_distance(
        latitude=customer.latitude, longitude=customer.longitude, warehouses=active_warehouses()
    )
    levels = candidate_levels_for(list(found), serving)
    in_stock = []
    for product_id, suggestion in found.items():
        rows = levels.get(product_id, [])
        suggestion.available = sum((r["available"] for r in rows), Decimal(0))
        if suggestion.available > 0:
            suggestion.warehouse = rows[0]["warehouse_id"]  # nearest first (``fefo_order``)
            in_stock.append(suggestion)
    chosen = in_stock[:limit]
    names = Warehouse.objects.in_bulk({s.warehouse for s in chosen}) if chosen else {}
    for suggestion in chosen:
        suggestion.warehouse = names.get(suggestion.warehouse)
    return chosen
