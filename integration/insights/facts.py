"""Keeping the facts (``integration.insights.models.facts``) from the documents.

Every fact row is *recomputed* from the documents, never moved by a delta: a refresh deletes
the rows of the keys it was given (orders, shipments, days) and writes what the documents say
now, in one transaction. So an event handled twice has the effect of once, a handler that ran
before another one's change is corrected by the next event, and ``facts_rebuild`` — the same
functions over every key — gives what the events gave (a test checks it).

- ``orders_refresh`` / ``shipments_refresh``: the document facts of some orders or shipments;
  they return the days whose day facts depend on them (old and new).
- ``sales_days_refresh``, ``stock_days_refresh``, ``cash_days_refresh``,
  ``receipt_days_refresh``, ``ticket_days_refresh``, ``survey_days_refresh``: the day facts of
  some days (all when None).
- The event handlers (bottom) call them for the keys the event names. A nightly task
  (``tasks.insights_refresh_recent``) refreshes the last days too, for the changes no event
  announces (a stock adjustment downwards, a line shortened, an owner reassigned).

Days are local days of the company's time zone (``TIME_ZONE``).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.events import names
from core.events.registry import batch_of, on
from core.money import money
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.service.models import Survey, Ticket
from crm.service.nps import SCORE_GROUPS
from finance.models import Invoice, Payment
from finance.payables.models import Bill, SupplierPayment
from integration.fulfilment.models import Backorder, Shipment, ShipmentLine
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
from scm.purchasing.models import Receipt, ReceiptLine

ZERO = Decimal("0")
QTY = Decimal("0.001")
# An order with no requested delivery date is due this many days after its confirmation.
DEFAULT_DUE_DAYS = 7
_CHUNK = 500
_BATCH = 1000

Days = Iterable[date] | None


def local_day(moment=None) -> date:
    """The company's local date of ``moment`` (now when None)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days merged into (first, last) ranges."""
    out: list[list[date]] = []
    for day in sorted(set(days)):
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1][1] = day
        else:
            out.append([day, day])
    return [(a, b) for a, b in out]


def _on_days(field: str, days: Days, *, moment: bool) -> Q:
    """A Q keeping rows whose ``field`` (a datetime when ``moment``, else a date) falls on
    ``days``; everything when None."""
    if days is None:
        return Q()
    q = Q(pk__in=[])
    for first, last in _ranges(days):
        if moment:
            q |= Q(**{f"{field}__gte": _start(first), f"{field}__lt": _start(last + timedelta(days=1))})
        else:
            q |= Q(**{f"{field}__range": (first, last)})
    return q


def _replace(model, days: Days, rows: list) -> None:
    """The rows of ``model`` on ``days`` (all when None) replaced by ``rows``."""
    model.objects.filter(_on_days("day", days, moment=False)).delete()
    model.objects.bulk_create(rows, batch_size=_BATCH)


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
        OrderFact.objects.bulk_create(facts, batch_size=_BATCH)
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
        ShipmentFact.objects.bulk_create(facts, batch_size=_BATCH)
    return days | {f.day for f in facts}


# --- day facts -------------------------------------------------------------------------------------


def sales_days_refresh(days: Days = None) -> None:
    """Sales day facts of ``days`` (all when None) from the order and shipment facts."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    rows: dict[tuple[date, int], SalesDay] = {}

    def row(day, owner_id) -> SalesDay:
        key = (day, owner_id)
        if key not in rows:
            rows[key] = SalesDay(day=day, owner_id=owner_id)
        return rows[key]

    live = OrderFact.objects.filter(cancelled=False).order_by()
    for day, owner_id, n, lines, net, short in (
        live.filter(_on_days("day", days, moment=False))
        .values("day", "owner_id")
        .annotate(n=Count("pk"), lines=Sum("lines"), net=Sum("net"), short=Sum("backordered_lines"))
        .values_list("day", "owner_id", "n", "lines", "net", "short")
    ):
        r = row(day, owner_id)
        r.orders, r.lines, r.net, r.backordered_lines = n, lines, money(net), short
    for day, owner_id, n, otif in (
        live.filter(_on_days("due_day", days, moment=False))
        .values("due_day", "owner_id")
        .annotate(n=Count("pk"), otif=Count("pk", filter=Q(on_time_in_full=True)))
        .values_list("due_day", "owner_id", "n", "otif")
    ):
        r = row(day, owner_id)
        r.due_orders, r.otif_orders = n, otif
    for day, owner_id, net, cost in (
        ShipmentFact.objects.filter(_on_days("day", days, moment=False))
        .order_by()
        .values("day", "owner_id")
        .annotate(net=Sum("net"), cost=Sum("cost"))
        .values_list("day", "owner_id", "net", "cost")
    ):
        r = row(day, owner_id)
        r.revenue, r.cost = money(net), money(cost)
    with transaction.atomic(savepoint=False):
        _replace(SalesDay, days, list(rows.values()))


def stock_days_refresh(days: Days = None) -> None:
    """Stock day facts of ``days`` (all when None) from the ledger's moves of those days."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    sums: dict[tuple[date, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    moves = (
        StockMove.objects.filter(_on_days("created_at", days, moment=True))
        .annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()),
            site=Coalesce("warehouse__site_id", "warehouse_id"),
        )
        .values_list("day", "site", "kind", "quantity", "unit_cost")
        .order_by()
    )
    for day, site, kind, qty, unit_cost in moves.iterator(chunk_size=5000):
        s = sums[(day, site)]
        s[0] += qty * unit_cost
        s[1] += qty
        if kind == StockMove.Kind.SHIPMENT:
            s[2] -= qty * unit_cost
            s[3] -= qty
    rows = [
        StockDay(
            day=day,
            warehouse_id=site,
            value_change=money(v),
            quantity_change=q.quantize(QTY),
            cogs=money(c),
            issued_quantity=i.quantize(QTY),
        )
        for (day, site), (v, q, c, i) in sums.items()
    ]
    with transaction.atomic(savepoint=False):
        _replace(StockDay, days, rows)


def cash_days_refresh(days: Days = None) -> None:
    """Cash day facts of ``days`` (all when None) from invoices, payments, bills and supplier
    payments."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    rows: dict[date, CashDay] = {}
    sources = (
        ("invoiced", Invoice.objects.exclude(state=Invoice.State.CANCELLED), "issue_date", "total"),
        ("received", Payment.objects.all(), "paid_at", "amount"),
        (
            "billed",
            Bill.objects.exclude(state__in=(Bill.State.DRAFT, Bill.State.CANCELLED)),
            "issue_date",
            "total",
        ),
        ("paid_out", SupplierPayment.objects.all(), "paid_at", "amount"),
    )
    for column, qs, day_field, amount in sources:
        for day, total in (
            qs.filter(_on_days(day_field, days, moment=False))
            .order_by()
            .values(day_field)
            .annotate(total=Sum(amount))
            .values_list(day_field, "total")
        ):
            setattr(rows.setdefault(day, CashDay(day=day)), column, money(total or 0))
    with transaction.atomic(savepoint=False):
        _replace(CashDay, days, list(rows.values()))


def receipt_days_refresh(days: Days = None) -> None:
    """Receipt day facts of ``days`` (all when None) from the posted receipt lines."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    rows: dict[tuple[date, int], ReceiptDay] = {}
    lines = ReceiptLine.objects.filter(
        _on_days("receipt__posted_at", days, moment=True),
        receipt__state=Receipt.State.POSTED,
        receipt__posted_at__isnull=False,
    ).values_list(
        "receipt__posted_at", "receipt__supplier_id", "po_line__expected_date", "quantity", "unit_cost"
    )
    for posted_at, supplier_id, expected, qty, unit_cost in lines.iterator(chunk_size=5000):
        day = local_day(posted_at)
        r = rows.setdefault((day, supplier_id), ReceiptDay(day=day, supplier_id=supplier_id, amount=ZERO))
        r.lines += 1
        if expected is not None and day <= expected:
            r.on_time_lines += 1
        r.amount += qty * unit_cost
    for r in rows.values():
        r.amount = money(r.amount)
    with transaction.atomic(savepoint=False):
        _replace(ReceiptDay, days, list(rows.values()))


def ticket_days_refresh(days: Days = None) -> None:
    """Ticket day facts of ``days`` (all when None): tickets opened and closed per category."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    rows: dict[tuple[date, str], TicketDay] = {}
    tz = timezone.get_default_timezone()
    for column, field in (("opened", "opened_at"), ("closed", "closed_at")):
        for day, category, n in (
            Ticket.objects.filter(_on_days(field, days, moment=True), **{f"{field}__isnull": False})
            .annotate(day=TruncDate(field, tzinfo=tz))
            .values("day", "category")
            .annotate(n=Count("pk"))
            .values_list("day", "category", "n")
            .order_by()
        ):
            r = rows.setdefault((day, category), TicketDay(day=day, category=category))
            setattr(r, column, n)
    with transaction.atomic(savepoint=False):
        _replace(TicketDay, days, list(rows.values()))


def survey_days_refresh(days: Days = None) -> None:
    """Survey day facts of ``days`` (all when None): the answers of the surveys created on them,
    as promoters, passives and detractors (``crm.service.nps``)."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    counts = {key: Count("pk", filter=q) for key, q in SCORE_GROUPS.items()}
    rows = [
        SurveyDay(day=day, kind=kind, answers=n, promoters=p, passives=s, detractors=d)
        for day, kind, n, p, s, d in Survey.objects.filter(
            _on_days("created_at", days, moment=True), answered_at__isnull=False
        )
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "kind")
        .annotate(n=Count("pk"), **counts)
        .values_list("day", "kind", "n", "promoters", "passives", "detractors")
        .order_by()
    ]
    with transaction.atomic(savepoint=False):
        _replace(SurveyDay, days, rows)


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
                batch_size=_BATCH,
            )
            ShipmentFact.objects.bulk_create(
                _shipment_facts(Shipment.objects.filter(_SHIPPED).order_by("pk")), batch_size=_BATCH
            )
            sales_days_refresh(None)
            stock_days_refresh(None)
            cash_days_refresh(None)
            receipt_days_refresh(None)
            ticket_days_refresh(None)
            survey_days_refresh(None)
    else:
        start = start or end
        end = end or start
        days = _days_between(start, end)
        in_range = _on_days("confirmed_at", days, moment=True)
        orders = set(SalesOrder.objects.filter(in_range).values_list("pk", flat=True))
        orders |= set(OrderFact.objects.filter(day__range=(start, end)).values_list("order_id", flat=True))
        shipments = set(
            Shipment.objects.filter(_on_days("shipped_at", days, moment=True)).values_list("pk", flat=True)
        )
        shipments |= set(
            ShipmentFact.objects.filter(day__range=(start, end)).values_list("shipment_id", flat=True)
        )
        with transaction.atomic(savepoint=False):
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
    return fact_counts()


FACT_MODELS = (OrderFact, ShipmentFact, SalesDay, StockDay, CashDay, ReceiptDay, TicketDay, SurveyDay)


def fact_counts() -> dict[str, int]:
    return {model._meta.model_name: model.objects.count() for model in FACT_MODELS}


# --- the events ---------------------------------------------------------------------------------


def _today_and(event) -> set[date]:
    return {local_day(event.created_at), local_day()}


def _orders(event) -> None:
    sales_days_refresh(orders_refresh([event.payload["order_id"]]))


@on(names.ORDER_CONFIRMED)
def facts_on_order_confirmed(event):
    """An order confirmed: its fact and its day's sales."""
    _orders(event)


@batch_of(facts_on_order_confirmed)
def facts_on_orders_confirmed(events):
    """A batch of confirmations (the worker's, on PostgreSQL): one refresh for them all."""
    sales_days_refresh(orders_refresh([e.payload["order_id"] for e in events]))


@on(names.ORDER_CANCELLED)
def facts_on_order_cancelled(event):
    """An order cancelled leaves the sales of its day."""
    _orders(event)


@on(names.STOCK_SHORTAGE)
def facts_on_shortage(event):
    """A line went on backorder: the order's backordered lines."""
    _orders(event)


@batch_of(facts_on_shortage)
def facts_on_shortages(events):
    sales_days_refresh(orders_refresh([e.payload["order_id"] for e in events]))


@on(names.SHIPMENT_SHIPPED)
def facts_on_shipment_shipped(event):
    """What left: the shipment's fact (sales and cost of the day), the order's progress, and the
    stock's value of the day."""
    days = shipments_refresh([event.payload["shipment_id"]])
    days |= orders_refresh([event.payload["order_id"]])
    sales_days_refresh(days)
    stock_days_refresh(_today_and(event))


@on(names.SHIPMENT_DELIVERED)
def facts_on_shipment_delivered(event):
    """Arrived: whether the order is on time in full."""
    _orders(event)


@on(names.RETURN_RECORDED)
def facts_on_return(event):
    stock_days_refresh(_today_and(event))


@on(names.STOCK_AVAILABLE)
def facts_on_stock_available(event):
    """Stock came in (a return, a transfer arriving, an adjustment, a count): its value."""
    stock_days_refresh(_today_and(event))


@on(names.STOCK_RECEIVED)
def facts_on_stock_received(event):
    """A receipt posted: the stock's value and the supplier's receipt lines of its day."""
    posted = (
        Receipt.objects.filter(pk=event.payload["receipt_id"]).values_list("posted_at", flat=True).first()
    )
    days = _today_and(event) | ({local_day(posted)} if posted else set())
    stock_days_refresh(days)
    receipt_days_refresh(days)


def _cash(model, pk, field) -> None:
    day = model.objects.filter(pk=pk).values_list(field, flat=True).first()
    if day is not None:
        cash_days_refresh({day})


@on(names.INVOICE_CREATED)
def facts_on_invoice_created(event):
    _cash(Invoice, event.payload["invoice_id"], "issue_date")


@on(names.INVOICE_CANCELLED)
def facts_on_invoice_cancelled(event):
    _cash(Invoice, event.payload["invoice_id"], "issue_date")


@on(names.PAYMENT_RECORDED)
def facts_on_payment(event):
    _cash(Payment, event.payload["payment_id"], "paid_at")


@on(names.SUPPLIER_PAYMENT_RECORDED)
def facts_on_supplier_payment(event):
    _cash(SupplierPayment, event.payload["payment_id"], "paid_at")


@on(names.BILL_CREATED)
def facts_on_bill_created(event):
    _cash(Bill, event.payload["bill_id"], "issue_date")


@on(names.BILL_MISMATCH_ACCEPTED)
def facts_on_bill_accepted(event):
    _cash(Bill, event.payload["bill_id"], "issue_date")


@on(names.BILL_CANCELLED)
def facts_on_bill_cancelled(event):
    _cash(Bill, event.payload["bill_id"], "issue_date")


def _ticket(event, field) -> None:
    moment = Ticket.objects.filter(pk=event.payload["ticket_id"]).values_list(field, flat=True).first()
    ticket_days_refresh({local_day(moment)} if moment else {local_day(event.created_at)})


@on(names.TICKET_OPENED)
def facts_on_ticket_opened(event):
    _ticket(event, "opened_at")


@on(names.TICKET_CLOSED)
def facts_on_ticket_closed(event):
    _ticket(event, "closed_at")


@on(names.SURVEY_ANSWERED)
def facts_on_survey_answered(event):
    """An answer counts on the day its survey was created."""
    created = (
        Survey.objects.filter(pk=event.payload["survey_id"]).values_list("created_at", flat=True).first()
    )
    if created is not None:
        survey_days_refresh({local_day(created)})
