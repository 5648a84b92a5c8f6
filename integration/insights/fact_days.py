"""The day facts (``SalesDay``, ``StockDay``, ``CashDay``, ``ReceiptDay``, ``TicketDay``,
``SurveyDay``): each ``*_days_refresh(days)`` deletes the rows of those local days and writes
what the documents (or the document facts) say of them now; ``None`` is every day. See
``integration.insights.facts``."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum, Window
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.money import money
from crm.service.models import Survey, Ticket
from crm.service.nps import SCORE_GROUPS
from finance.models import Invoice, Payment
from finance.payables.models import Bill, SupplierPayment
from integration.insights.models import (
    CashDay,
    OrderFact,
    ReceiptDay,
    SalesDay,
    ShipmentFact,
    SlowMoversDay,
    StockDay,
    SurveyDay,
    TicketDay,
)
from scm.inventory.models import StockMove
from scm.purchasing.models import Receipt, ReceiptLine

ZERO = Decimal("0")
QTY = Decimal("0.001")
BATCH = 1000

Days = Iterable[date] | None


def local_day(moment=None) -> date:
    """The company's local date of ``moment`` (now when None)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def day_start(day: date) -> datetime:
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


def on_days(field: str, days: Days, *, moment: bool) -> Q:
    """A Q keeping rows whose ``field`` (a datetime when ``moment``, else a date) falls on
    ``days``; everything when None."""
    if days is None:
        return Q()
    q = Q(pk__in=[])
    for first, last in _ranges(days):
        if moment:
            q |= Q(**{f"{field}__gte": day_start(first), f"{field}__lt": day_start(last + timedelta(days=1))})
        else:
            q |= Q(**{f"{field}__range": (first, last)})
    return q


def _replace(model, days: Days, rows: list) -> None:
    """The rows of ``model`` on ``days`` (all when None) replaced by ``rows``."""
    model.objects.filter(on_days("day", days, moment=False)).delete()
    model.objects.bulk_create(rows, batch_size=BATCH)


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
        live.filter(on_days("day", days, moment=False))
        .values("day", "owner_id")
        .annotate(n=Count("pk"), lines=Sum("lines"), net=Sum("net"), short=Sum("backordered_lines"))
        .values_list("day", "owner_id", "n", "lines", "net", "short")
    ):
        r = row(day, owner_id)
        r.orders, r.lines, r.net, r.backordered_lines = n, lines, money(net), short
    for day, owner_id, n, otif in (
        live.filter(on_days("due_day", days, moment=False))
        .values("due_day", "owner_id")
        .annotate(n=Count("pk"), otif=Count("pk", filter=Q(on_time_in_full=True)))
        .values_list("due_day", "owner_id", "n", "otif")
    ):
        r = row(day, owner_id)
        r.due_orders, r.otif_orders = n, otif
    for day, owner_id, net, cost in (
        ShipmentFact.objects.filter(on_days("day", days, moment=False))
        .order_by()
        .values("day", "owner_id")
        .annotate(net=Sum("net"), cost=Sum("cost"))
        .values_list("day", "owner_id", "net", "cost")
    ):
        r = row(day, owner_id)
        r.revenue, r.cost = money(net), money(cost)
    with transaction.atomic(savepoint=False):
        _replace(SalesDay, days, list(rows.values()))


def stock_days_refresh(days: Days = None, *, sites: Iterable[int] | None = None) -> None:
    """Stock day facts of ``days`` (all when None) from the ledger's moves of those days: of
    every warehouse, or of the warehouses ``sites`` (ids of stock warehouses: their quarantines
    count with them)."""
    days = None if days is None else set(days)
    if days is not None and not days:
        return
    sites = None if sites is None else sorted({int(w) for w in sites if w})
    if sites is not None and not sites:
        return
    where = on_days("created_at", days, moment=True)
    if sites is not None:
        where &= Q(warehouse_id__in=sites) | Q(warehouse__site_id__in=sites)
    sums: dict[tuple[date, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    moves = (
        StockMove.objects.filter(where)
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
        if sites is None:
            _replace(StockDay, days, rows)
        else:
            StockDay.objects.filter(on_days("day", days, moment=False), warehouse_id__in=sites).delete()
            StockDay.objects.bulk_create(rows, batch_size=BATCH)


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
            qs.filter(on_days(day_field, days, moment=False))
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
        on_days("receipt__posted_at", days, moment=True),
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
            Ticket.objects.filter(on_days(field, days, moment=True), **{f"{field}__isnull": False})
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
            on_days("created_at", days, moment=True), answered_at__isnull=False
        )
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "kind")
        .annotate(n=Count("pk"), **counts)
        .values_list("day", "kind", "n", "promoters", "passives", "detractors")
        .order_by()
    ]
    with transaction.atomic(savepoint=False):
        _replace(SurveyDay, days, rows)


SLOW_MOVERS_KEPT = 10


def slow_movers_read(limit: int = SLOW_MOVERS_KEPT) -> dict:
    """The slow movers now: their number, stock value and the ``limit`` biggest by value
    ([sku, name, on hand, value], values as text). One query (a window over the list)."""
    from integration.planning.slow_movers import slow_movers

    qs = slow_movers().annotate(all_value=Window(Sum("value")), all_count=Window(Count("pk")))
    rows = list(qs.values_list("sku", "name", "on_hand", "value", "all_value", "all_count")[:limit])
    return {
        "products": rows[0][5] if rows else 0,
        "value": money(rows[0][4] or 0) if rows else money(0),
        "top": [[sku, name, str(on_hand), str(money(value or 0))] for sku, name, on_hand, value, *_ in rows],
    }


def slow_movers_snapshot(day: date | None = None) -> SlowMoversDay:
    """Record the slow movers of ``day`` (today): one row per day, replaced."""
    day = day or local_day()
    figures = slow_movers_read()
    snapshot, _created = SlowMoversDay.objects.update_or_create(day=day, defaults=figures)
    return snapshot
