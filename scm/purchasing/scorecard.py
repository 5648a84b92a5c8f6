"""A supplier's scorecard, from its posted receipts and its purchase order lines (two queries
for any number of suppliers):

- **on time:** the share of posted receipt lines posted on or before their order line's
  expected date (by line);
- **quality:** the quantity that passed ÷ the received quantity over those lines, where a line
  passed with its accepted quantity (the receiving check) unless its lot has a confirmed quality
  complaint against this supplier (``SupplierComplaint``, recorded when service confirms a
  customer's quality complaint about the lot): then none of it passed. A lot that got through the
  receiving check and failed at the customers counts as failed. ``complaints`` is the number of
  confirmed complaints against the supplier in the period (by confirmation date), and
  ``complained_quantity`` the accepted quantity of the lines whose lot was complained about;
- **lead time:** the average actual lead time in days (a receipt's posting date − its order's
  sending date, or order date when it was never marked sent), against the average promised one
  (an order line's expected date − its order date) of the lines received;
- **price trend:** per product, the price per base unit paid by month over the last 12 months
  (order lines of orders not in draft or cancelled, weighted by quantity), and the change of
  the latest month against the first.

Rates are fractions (0.95 for 95%), None when there is nothing to measure.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, SupplierComplaint

RATE = Decimal("0.0001")
DAYS = Decimal("0.1")
PRICE = Decimal("0.0001")
TREND_MONTHS = 12


def _ratio(part, whole, places=RATE):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def _local_date(moment) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _empty(supplier_id) -> dict:
    return {
        "supplier_id": supplier_id,
        "receipts": 0,
        "receipt_lines": 0,
        "on_time_lines": 0,
        "on_time_rate": None,
        "received_quantity": Decimal(0),
        "accepted_quantity": Decimal(0),
        "complaints": 0,
        "complained_quantity": Decimal(0),
        "quality_rate": None,
        "actual_lead_days": None,
        "promised_lead_days": None,
        "price_trend": [],
    }


def _lead_days(posted_at, sent_at, order_date: date) -> int:
    """A receipt's actual lead time in days: its posting date − its order's sending date (the
    order date when it was never marked sent)."""
    start = _local_date(sent_at) if sent_at is not None else order_date
    return (_local_date(posted_at) - start).days


def actual_lead_days(supplier_ids, *, since: date | None = None) -> dict[int, list[int]]:
    """Each supplier's actual lead times (days, one per posted receipt) since ``since``: what
    replenishment planning reads their mean and spread from. One query."""
    ids = sorted({int(i) for i in supplier_ids})
    out: dict[int, dict[int, int]] = {i: {} for i in ids}
    if not ids:
        return {}
    lines = ReceiptLine.objects.filter(
        receipt__supplier_id__in=ids, receipt__state=Receipt.State.POSTED, receipt__posted_at__isnull=False
    )
    if since is not None:
        lines = lines.filter(receipt__posted_at__date__gte=since)
    for supplier_id, receipt_id, posted_at, ordered, sent in lines.values_list(
        "receipt__supplier_id",
        "receipt_id",
        "receipt__posted_at",
        "po_line__order__order_date",
        "po_line__order__sent_at",
    ).distinct():
        out[supplier_id][receipt_id] = _lead_days(posted_at, sent, ordered)
    return {i: list(days.values()) for i, days in out.items()}


def _receipt_figures(cards: dict, ids: list[int], since) -> None:
    lines = ReceiptLine.objects.filter(
        receipt__supplier_id__in=ids, receipt__state=Receipt.State.POSTED, receipt__posted_at__isnull=False
    )
    if since is not None:
        lines = lines.filter(receipt__posted_at__date__gte=since)
    # The complaints ride on the same query: whether each line's lot was complained about, and
    # how many complaints its supplier has in the period (the same on every line of a supplier).
    complained = SupplierComplaint.objects.filter(
        supplier_id=OuterRef("receipt__supplier_id"),
        product_id=OuterRef("product_id"),
        lot_number=OuterRef("lot_number"),
    ).exclude(lot_number="")
    counted = SupplierComplaint.objects.filter(supplier_id=OuterRef("receipt__supplier_id"))
    if since is not None:
        counted = counted.filter(confirmed_at__date__gte=since)
    counted = counted.order_by().values("supplier_id").annotate(n=Count("pk")).values("n")
    lines = lines.annotate(
        lot_complained=Exists(complained),
        supplier_complaints=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
    )
    rows = lines.values_list(
        "receipt__supplier_id",
        "receipt_id",
        "receipt__posted_at",
        "quantity",
        "accepted_quantity",
        "rejected_quantity",
        "po_line_id",
        "po_line__expected_date",
        "po_line__order__order_date",
        "po_line__order__sent_at",
        "lot_complained",
        "supplier_complaints",
    )
    actual: dict[int, dict[int, int]] = defaultdict(dict)  # supplier → receipt → days
    promised: dict[int, dict[int, int]] = defaultdict(dict)  # supplier → po line → days
    for (
        supplier_id,
        receipt_id,
        posted_at,
        qty,
        accepted,
        rejected,
        po_line_id,
        expected,
        ordered,
        sent,
        lot_complained,
        supplier_complaints,
    ) in rows:
        card = cards[supplier_id]
        card["complaints"] = supplier_complaints
        posted = _local_date(posted_at)
        card["receipt_lines"] += 1
        if posted <= expected:
            card["on_time_lines"] += 1
        card["received_quantity"] += qty
        passed = accepted if accepted is not None else max(qty - rejected, Decimal(0))
        card["accepted_quantity"] += passed
        if lot_complained:
            card["complained_quantity"] += passed
        actual[supplier_id][receipt_id] = _lead_days(posted_at, sent, ordered)
        promised[supplier_id][po_line_id] = (expected - ordered).days
    for supplier_id, card in cards.items():
        card["receipts"] = len(actual[supplier_id])
        card["on_time_rate"] = _ratio(card["on_time_lines"], card["receipt_lines"])
        card["quality_rate"] = _ratio(
            card["accepted_quantity"] - card["complained_quantity"], card["received_quantity"]
        )
        days = list(actual[supplier_id].values())
        card["actual_lead_days"] = _ratio(sum(days), len(days), DAYS)
        days = list(promised[supplier_id].values())
        card["promised_lead_days"] = _ratio(sum(days), len(days), DAYS)


def _month_start(day: date, months_back: int) -> date:
    month = day.month - months_back
    year = day.year
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _price_trends(cards: dict, ids: list[int], today: date) -> None:
    first_month = _month_start(today, TREND_MONTHS - 1)
    rows = (
        PurchaseOrderLine.objects.filter(order__supplier_id__in=ids, order__order_date__gte=first_month)
        .exclude(order__state__in=[PurchaseOrder.State.DRAFT, PurchaseOrder.State.CANCELLED])
        .annotate(month=TruncMonth("order__order_date"))
        .values("order__supplier_id", "product_id", "product__sku", "product__name", "month")
        .annotate(amount=Sum("net_amount"), qty=Sum("base_quantity"))
        .order_by("order__supplier_id", "product__sku", "month")
    )
    trends: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        if not row["qty"]:
            continue
        product = trends[row["order__supplier_id"]].setdefault(
            row["product_id"],
            {
                "product_id": row["product_id"],
                "sku": row["product__sku"],
                "name": row["product__name"],
                "months": [],
            },
        )
        month = row["month"]
        month = month.date() if hasattr(month, "date") and callable(month.date) else month
        product["months"].append(
            {"month": month.strftime("%Y-%m"), "unit_price": (row["amount"] / row["qty"]).quantize(PRICE)}
        )
    for supplier_id, products in trends.items():
        out = []
        for product in products.values():
            first = product["months"][0]["unit_price"]
            latest = product["months"][-1]["unit_price"]
            product["first_price"] = first
            product["latest_price"] = latest
            product["change"] = latest - first
            product["change_rate"] = _ratio(latest - first, first)
            out.append(product)
        cards[supplier_id]["price_trend"] = out


def supplier_scorecards(
    supplier_ids, *, since: date | None = None, today: date | None = None
) -> dict[int, dict]:
    """The scorecards of several suppliers, in two queries whatever their number."""
    ids = sorted({int(i) for i in supplier_ids})
    cards = {i: _empty(i) for i in ids}
    if not ids:
        return cards
    _receipt_figures(cards, ids, since)
    _price_trends(cards, ids, today or timezone.localdate())
    return cards


def supplier_scorecard(supplier_id, *, since: date | None = None, today: date | None = None) -> dict:
    """One supplier's scorecard (see the module's description)."""
    return supplier_scorecards([supplier_id], since=since, today=today)[int(supplier_id)]


def default_since(today: date | None = None) -> date:
    """The scorecard's default period on the supplier page: the last 12 months."""
    return (today or timezone.localdate()) - timedelta(days=365)
