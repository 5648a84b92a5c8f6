"""Who waits for stock, and in which order it is served: the one definition of both, read by the
order lists (an order that waits), the promise dates (``document_lines``, ``line_stock``), the
backorder rule that hands arriving stock out (``integration.fulfilment.backorders``) and the
pick queue (``integration.fulfilment.selectors.pick_order``).

- A line is on backorder while its order is in ``BACKORDER_STATES`` and it lacks stock:
  ordered − reserved − shipped > 0 base units (``line_short_q``; that much: ``line_backorder``;
  in hand: ``SalesOrderLine.backordered_quantity``).
- Waiting orders are served, when stock arrives, by priority (urgent first), then the requested
  delivery date (none last), then the confirmation time (none last: an order not yet confirmed
  comes after every confirmed one), then the id (none last: an order not yet written comes
  after every written one). The rule is written once (``_RULE``) and read three ways: a sort key
  for orders in hand (``waiting_order_key``), an ORDER BY (``waiting_order_by``) and a filter
  of the orders ahead of one (``orders_ahead_q``).
"""

from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.db.models.lookups import Exact, IsNull, LessThan

from crm.sales.orders.models import BACKORDER_STATES, SalesOrder, SalesOrderLine

P = SalesOrder.Priority
PRIORITY_RANK = {P.URGENT: 0, P.HIGH: 1, P.NORMAL: 2}


def _rank(order) -> int:
    return PRIORITY_RANK.get(order.priority, len(PRIORITY_RANK))


def _rank_expression(prefix: str) -> Case:
    return Case(
        *[When(**{f"{prefix}priority": p}, then=Value(r)) for p, r in PRIORITY_RANK.items()],
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


# The rule, step by step, each ascending with empty values last: (what a query sorts on, given
# the prefix of the order's fields; what an order in hand gives).
_RULE = (
    (_rank_expression, _rank),
    (lambda prefix: F(f"{prefix}requested_date"), lambda order: order.requested_date),
    (lambda prefix: F(f"{prefix}confirmed_at"), lambda order: order.confirmed_at),
    (lambda prefix: F(f"{prefix}pk"), lambda order: order.pk),
)


def waiting_order_key(order) -> tuple:
    """The rule's place of ``order`` (anything with ``priority``, ``requested_date``,
    ``confirmed_at`` and ``pk``) among waiting orders: sort ascending."""
    values = [value(order) for _expression, value in _RULE]
    return tuple(part for v in values for part in (v is None, v))


def waiting_order_by(prefix: str = "") -> tuple:
    """The rule as an ``order_by`` of orders (``prefix``: of a related order, ``"order__"``)."""
    return tuple(expression(prefix).asc(nulls_last=True) for expression, _value in _RULE)


def orders_ahead_q(order, *, prefix: str = "") -> Q:
    """Orders that the rule serves before ``order`` (one in hand, written or not: a draft or a
    new order is placed by its priority and requested date, after every confirmed order like
    it). Never ``order`` itself."""
    ahead, same = [], Q()
    for expression, value in _RULE:
        field, mine = expression(prefix), value(order)
        if mine is None:
            ahead.append(same & Q(IsNull(field, False)))
            same &= Q(IsNull(field, True))
        else:
            ahead.append(same & Q(LessThan(field, mine)))
            same &= Q(Exact(field, mine))
    return reduce(or_, ahead)


def line_short_q(prefix: str = "") -> Q:
    """Lines (reached through ``prefix``) that lack stock: ordered − reserved − shipped > 0."""
    progress = F(f"{prefix}reserved_quantity") + F(f"{prefix}shipped_quantity")
    return Q(**{f"{prefix}base_quantity__gt": progress})


def line_backorder(prefix: str = ""):
    """What a line that lacks stock lacks, in base units (with ``line_short_q``)."""
    return F(f"{prefix}base_quantity") - F(f"{prefix}reserved_quantity") - F(f"{prefix}shipped_quantity")


def backorders_waiting(product_ids, *, ahead_of=None) -> dict[int, Decimal]:
    """Per product of ``product_ids``: the base units on backorder (orders in
    ``BACKORDER_STATES``, lines that lack stock) that arriving stock serves first. With
    ``ahead_of`` (an order, written or not) only those of orders the rule serves before it,
    never its own. Products nothing waits for are left out. One query, whatever the number of
    products; none without products."""
    ids = sorted({int(pk) for pk in product_ids})
    if not ids:
        return {}
    lines = SalesOrderLine.objects.filter(
        line_short_q(), product_id__in=ids, order__state__in=BACKORDER_STATES
    )
    if ahead_of is not None:
        lines = lines.filter(orders_ahead_q(ahead_of, prefix="order__"))
        if ahead_of.pk is not None:  # as written, should its figures in hand differ
            lines = lines.exclude(order_id=ahead_of.pk)
    rows = lines.order_by().values("product_id").annotate(waiting=Sum(line_backorder()))
    return {row["product_id"]: Decimal(row["waiting"]) for row in rows}
