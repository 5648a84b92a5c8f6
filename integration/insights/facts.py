"""Keeping the facts (``integration.insights.models.facts``) from the documents.

Every fact row is *recomputed* from the documents, never moved by a delta: a refresh deletes
the rows of the keys it was given (orders, shipments, days) and writes what the documents say
now, in one transaction. So an event handled twice has the effect of once, a handler that ran
before another one's change is corrected by the next event, and ``facts_rebuild`` — the same
functions over every key — gives what the events gave (a test checks it).

- ``orders_refresh`` / ``shipments_refresh``: the document facts of some orders or shipments;
  they return the days whose day facts depend on them (old and new).
- ``sales_days_refresh``, ``stock_days_refresh``, ``cash_days_refresh``,
  ``receipt_days_refresh``, ``ticket_days_refresh``, ``survey_days_refresh``
  (``integration.insights.fact_days``): the day facts of some days (all when None).
- The event handlers (``integration.insights.handlers``) call them for the keys the event
  names. A nightly task
  (``tasks.insights_refresh_recent``) refreshes the last days too, for the changes no event
  announces (a stock adjustment downwards, a line shortened, an owner reassigned).

Days are local days of the company's time zone (``TIME_ZONE``).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.money import money
from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from integration.fulfilment.models import Backorder, Shipment, ShipmentLine
from integration.insights.fact_days import (
    BATCH,
    QTY,
    cash_days_refresh,
    local_day,
    on_days,
    receipt_days_refresh,
    sales_days_refresh,
    slow_movers_snapshot,
    stock_days_refresh,
    survey_days_refresh,
    ticket_days_refresh,
)
from integration.insights.models import (
    CashDay,
    OrderFact,
    ReceiptDay,
    SalesDay,
    ShipmentFact,
    StockDay,
    SurveyDay,
    TicketDay,
)
from scm.inventory.models import StockMove

__all__ = [
    "DEFAULT_DUE_DAYS",
    "FACT_MODELS",
    "cash_days_refresh",
    "fact_counts",
    "facts_rebuild",
    "local_day",
    "orders_refresh",
    "receipt_days_refresh",
    "sales_days_refresh",
    "shipments_refresh",
    "slow_movers_snapshot",
    "stock_days_refresh",
    "survey_days_refresh",
    "ticket_days_refresh",
]

# An order with no requested delivery date is due this many days after its confirmation.
DEFAULT_DUE_DAYS = 7
_CHUNK = 500


def _chunks(ids: list[int]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


# --- document facts ------------------------------------------------------------------------------


def _fact_days(model, key: str, ids) -> set[date]:
    days: set[date] = set()
    rows = model.objects.filter(**{f"{key}__in": ids}) if ids is not None else model.objects.all()
    fields = ["day", "due_day"] if model is OrderFact else ["day"]
    for values in rows.values_list(*fields):
        days.update(values)
    return days


def _count(model, **filters):
    """A correlated subquery counting ``model`` rows of the outer order (``order_id``)."""
    rows = model.objects.filter(order_id=OuterRef("pk"), **filters).order_by().values("order_id")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def _order_facts(orders) -> list[OrderFact]:
    """The facts of ``orders`` (a queryset of confirmed orders), from their lines, backorders
    and shipments: one query (the figures are subqueries)."""
    shipped = Shipment.objects.filter(order_id=OuterRef("pk"), state=Shipment.State.SHIPPED)
    rows = orders.annotate(
        n_lines=_count(SalesOrderLine),
        n_short=_count(SalesOrderLine, shipped_quantity__lt=F("base_quantity")),
        n_backordered=_count(Backorder),
        n_shipped=_count(Shipment, state=Shipment.State.SHIPPED),
        n_waiting=_count(Shipment, state=Shipment.State.SHIPPED, delivered_at__isnull=True),
        last_delivery=Subquery(shipped.order_by("-delivered_at").values("delivered_at")[:1]),
    ).values_list(
        "pk",
        "confirmed_at",
        "requested_date",
        "owner_id",
        "customer_id",
        "subtotal",
        "state",
        "n_lines",
        "n_short",
        "n_backordered",
        "n_shipped",
        "n_waiting",
        "last_delivery",
    )
    facts = []
    for (
        pk,
        confirmed_at,
        requested,
        owner_id,
        customer_id,
        subtotal,
        state,
        n,
        short,
        backordered,
        shipments,
        waiting,
        last,
    ) in rows.iterator(chunk_size=2000):
        day = local_day(confirmed_at)
        due = requested or day + timedelta(days=DEFAULT_DUE_DAYS)
        in_full = n > 0 and short == 0
        arrived = in_full and shipments > 0 and waiting == 0 and last is not None
        delivered = local_day(last) if arrived else None
        facts.append(
            OrderFact(
                order_id=pk,
                day=day,
                due_day=due,
                owner_id=owner_id,
                customer_id=customer_id,
                net=money(subtotal),
                lines=n,
                backordered_lines=backordered,
                shipped_in_full=in_full,
                delivered_day=delivered,
                on_time_in_full=delivered is not None and delivered <= due,
                cancelled=state == SalesOrder.State.CANCELLED,
            )
        )
    return facts


def orders_refresh(order_ids: Iterable[int]) -> set[date]:
    """Recompute the facts of these orders (an order not confirmed has none); the days of the
    sales day facts they touch, before and after."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return set()
    with transaction.atomic(savepoint=False):
        days = _fact_days(OrderFact, "order_id", ids)
        facts = _order_facts(SalesOrder.objects.filter(pk__in=ids, confirmed_at__isnull=False))
        OrderFact.objects.filter(order_id__in=ids).delete()
        OrderFact.objects.bulk_create(facts, batch_size=BATCH)
    return days | {d for f in facts for d in (f.day, f.due_day)}


def _shipment_facts(shipments) -> list[ShipmentFact]:
    """The facts of ``shipments`` (a queryset of shipped shipments): their lines valued at the
    order lines' net price per base unit, their cost from the ledger's shipment moves."""
    heads = list(
        shipments.values_list(
            "pk",
            "number",
            "shipped_at",
            "warehouse_id",
            "warehouse__site_id",
            "order_id",
            "order__owner_id",
            "order__customer_id",
        )
    )
    if not heads:
        return []
    net: dict[int, Decimal] = defaultdict(Decimal)
    quantity: dict[int, Decimal] = defaultdict(Decimal)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    ids = [h[0] for h in heads]
    numbers = [h[1] for h in heads]
    for chunk in _chunks(ids):
        for sid, picked, line_net, base in ShipmentLine.objects.filter(
            shipment_id__in=chunk, picked_quantity__gt=0
        ).values_list(
            "shipment_id", "picked_quantity", "order_line__net_amount", "order_line__base_quantity"
        ):
            quantity[sid] += picked
            if base:
                net[sid] += picked * line_net / base
    for chunk in _chunks(numbers):
        for reference, qty, unit_cost in StockMove.objects.filter(
            kind=StockMove.Kind.SHIPMENT, reference__in=chunk
        ).values_list("reference", "quantity", "unit_cost"):
            cost[reference] -= qty * unit_cost
    return [
        ShipmentFact(
            shipment_id=pk,
            day=local_day(shipped_at),
            warehouse_id=site_id or warehouse_id,
            order_id=order_id,
            owner_id=owner_id,
            customer_id=customer_id,
            quantity=quantity[pk].quantize(QTY),
            net=money(net[pk]),
            cost=money(cost[number]),
        )
        for pk, number, shipped_at, warehouse_id, site_id, order_id, owner_id, customer_id in heads
    ]


_SHIPPED = Q(state=Shipment.State.SHIPPED, shipped_at__isnull=False)


def shipments_refresh(shipment_ids: Iterable[int]) -> set[date]:
    """Recompute the facts of these shipments (one not shipped has none); the days they touch."""
    ids = sorted({int(i) for i in shipment_ids})
    if not ids:
        return set()
    with transaction.atomic(savepoint=False):
        days = _fact_days(ShipmentFact, "shipment_id", ids)
        facts = _shipment_facts(Shipment.objects.filter(_SHIPPED, pk__in=ids))
        ShipmentFact.objects.filter(shipment_id__in=ids).delete()
        ShipmentFact.objects.bulk_create(facts, batch_size=BATCH)
    return days | {f.day for f in facts}


# --- the whole rebuild ------------------------------------------------------------------------------


def _days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def facts_rebuild(start: date | None = None, end: date | None = None) -> dict[str, int]:
    """Recompute the facts from the documents: every fact (both None), or those of the days
    ``start`` … ``end`` (the orders confirmed and shipments shipped on them, and every day fact
    they touch). Returns the number of rows of each fact table."""
    if start is None and end is None:
        with transaction.atomic(savepoint=False):
            OrderFact.objects.all().delete()
            ShipmentFact.objects.all().delete()
            OrderFact.objects.bulk_create(
                _order_facts(SalesOrder.objects.filter(confirmed_at__isnull=False).order_by("pk")),
                batch_size=BATCH,
            )
            ShipmentFact.objects.bulk_create(
                _shipment_facts(Shipment.objects.filter(_SHIPPED).order_by("pk")), batch_size=BATCH
            )
            sales_days_refresh(None)
            stock_days_refresh(None)
            cash_days_refresh(None)
            receipt_days_refresh(None)
            ticket_days_refresh(None)
            survey_days_refresh(None)
            slow_movers_snapshot()
    else:
        # A start alone runs to today; an end alone is that day.
        end = end or (local_day() if start else None)
        start = start or end
        days = _days_between(start, end)
        # Inside the transaction: the ids read here come from the default database, as written.
        with transaction.atomic(savepoint=False):
            in_range = on_days("confirmed_at", days, moment=True)
            orders = set(SalesOrder.objects.filter(in_range).values_list("pk", flat=True))
            # Orders changed on those days without an event of their own (a line shortened, a
            # note): every change to an order writes its timeline.
            orders |= set(
                OrderEvent.objects.filter(on_days("created_at", days, moment=True)).values_list(
                    "order_id", flat=True
                )
            )
            orders |= set(
                OrderFact.objects.filter(day__range=(start, end)).values_list("order_id", flat=True)
            )
            shipments = set(
                Shipment.objects.filter(on_days("shipped_at", days, moment=True)).values_list("pk", flat=True)
            )
            shipments |= set(
                ShipmentFact.objects.filter(day__range=(start, end)).values_list("shipment_id", flat=True)
            )
            touched = set(days)
            for chunk in _chunks(sorted(orders)):
                touched |= orders_refresh(chunk)
            for chunk in _chunks(sorted(shipments)):
                touched |= shipments_refresh(chunk)
            sales_days_refresh(touched)
            stock_days_refresh(days)
            cash_days_refresh(days)
            receipt_days_refresh(days)
            ticket_days_refresh(days)
            survey_days_refresh(days)
            if start <= local_day() <= end:
                slow_movers_snapshot()
    return fact_counts()


FACT_MODELS = (OrderFact, ShipmentFact, SalesDay, StockDay, CashDay, ReceiptDay, TicketDay, SurveyDay)


def fact_counts() -> dict[str, int]:
    return {model._meta.model_name: model.objects.count() for model in FACT_MODELS}
