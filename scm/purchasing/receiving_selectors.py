"""Receiving reads: receipts for the lists, a receipt's lines and progress, the orders that may
be received, and where a lot came from (receipt, purchase order, supplier)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from core.dates import optional_date_input
from core.people import display_name
from core.sql import as_id, id_input
from scm.purchasing.models import (
    OPEN_STATES,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from scm.purchasing.orders import event_text
from scm.purchasing.selectors import receipts_visible_to

ZERO = Decimal(0)
R = Receipt.State


def lot_origin(lot_id: int) -> dict | None:
    """Where a lot came from: the receipt that first brought it, its purchase order and
    supplier (None for a lot that did not come from a purchase receipt)."""
    line = (
        ReceiptLine.objects.filter(lot_id=lot_id, receipt__state=R.POSTED)
        .select_related("receipt", "receipt__purchase_order", "receipt__supplier")
        .order_by("receipt__posted_at", "pk")
        .first()
    )
    if line is None:
        return None
    return {
        "receipt": line.receipt,
        "purchase_order": line.receipt.purchase_order,
        "supplier": line.receipt.supplier,
    }


def receipt_lines(receipt: Receipt):
    return ReceiptLine.objects.filter(receipt=receipt).select_related(
        "product", "lot", "po_line", "po_line__unit", "location"
    )


def receipt_progress(receipt: Receipt) -> list[dict]:
    """The order's lines beside what this receipt counted of each (for the tablet's review)."""
    counted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for po_line_id, qty in ReceiptLine.objects.filter(receipt=receipt).values_list("po_line_id", "quantity"):
        counted[po_line_id] += qty
    rows = []
    for pl in PurchaseOrderLine.objects.filter(order_id=receipt.purchase_order_id).select_related("product"):
        rows.append(
            {
                "line": pl,
                "open": pl.open_quantity,
                "counted": counted.get(pl.pk, ZERO),
                "done": counted.get(pl.pk, ZERO) >= pl.open_quantity,
            }
        )
    return rows


def receipts_filtered(user, params):
    """Receipts visible to ``user`` filtered by ``params`` (state, supplier, warehouse, search,
    from/to dates): one query per page, the lines' totals as annotations."""
    qs = (
        receipts_visible_to(user)
        .select_related("purchase_order", "supplier", "warehouse", "received_by")
        .annotate(
            line_count=Count("lines"),
            received_total=Sum("lines__quantity"),
            rejected_total=Sum("lines__rejected_quantity"),
        )
        .order_by("-created_at", "-pk")
    )
    state = params.get("state", "")
    if state in Receipt.State.values:
        qs = qs.filter(state=state)
    supplier_id = id_input(params.get("supplier"), field="supplier", required=False)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    search = (params.get("q") or "").strip()
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(purchase_order__number__icontains=search)
            | Q(delivery_note__icontains=search)
        )
    date_from = optional_date_input(params.get("from"), field="from")
    date_to = optional_date_input(params.get("to"), field="to")
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs


def receivable_orders():
    """Purchase orders that may be received, oldest expected first."""
    return PurchaseOrder.objects.filter(state__in=OPEN_STATES).select_related("supplier", "warehouse")


def receivable_order_by_number(number: str) -> PurchaseOrder | None:
    """The open purchase order with this (scanned or typed) number, any case, or its id."""
    number = (number or "").strip()
    if not number:
        return None
    return receivable_orders().filter(Q(number__iexact=number) | Q(pk=as_id(number) or 0)).first()


def receipt_timeline(receipt: Receipt) -> list[dict]:
    """The receipt's entries on its order's timeline (started, posted, returns, releases), in
    the reader's language: one query."""
    events = (
        PurchaseOrderEvent.objects.filter(order_id=receipt.purchase_order_id)
        .filter(Q(data__params__number=receipt.number) | Q(data__params__receipt=receipt.number))
        .select_related("user")
        .order_by("created_at", "pk")
    )
    return [{"time": e.created_at, "who": display_name(e.user), "text": event_text(e)} for e in events]
