"""Receiving against purchase orders (收货): a receipt is started for an open order, its lines
are scanned (product, quantity, lot and expiry or serial number), checked (accepted and
rejected per line, rejected goods kept in quarantine or returned) and posted.

Posting moves stock only through ``scm.inventory``: accepted goods into the order's warehouse
at the order line's price (moving-average cost), rejected goods into that warehouse's
quarantine (``scm.inventory.quarantine``), those to return taken out again on a return to the
supplier (``RTV``). The order lines' progress moves with F() expressions, the order's state
follows, its open lines stay incoming supply (``order_incoming_sync``) and ``stock.received``
is published: its rule serves the purchase-to-order lines first.

In a warehouse with bins a line may name the bin its goods are put away into (scanned while
receiving: ``location``); posting receives the accepted quantity into that bin. Lines without
one go to the warehouse's stock not in a bin, to be put away later.

Locks: the receipt row, then the order row, then inventory's rows (its own order).
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import decimal_input, unit_price
from core.numbers import document_number
from scm.inventory import quarantine as inventory_quarantine
from scm.inventory.bins import check_location
from scm.inventory.lots import lot_incoming_check
from scm.inventory.models import Location, Product, ProductUnit
from scm.inventory.selectors import scan_lookup
from scm.inventory.services import plain_qty, stock_receive, to_base_quantity
from scm.purchasing.incoming import order_incoming_sync
from scm.purchasing.models import (
    OPEN_STATES,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    PurchasingSettings,
    Receipt,
    ReceiptLine,
    SupplierReturn,
    SupplierReturnLine,
)
from scm.purchasing.selectors import can_receive

ZERO = Decimal(0)
R = Receipt.State
RECEIPT_PREFIX = "GR"
RETURN_PREFIX = "RTV"


def _may_receive(user) -> None:
    if not can_receive(user):
        raise PermissionDenied(_("You may not receive goods."))


def _event(order: PurchaseOrder, kind: str, text: str, user, **data) -> None:
    """A timeline entry, stored in English with its parameters (shown in the reader's language
    by ``orders.event_text``, as the order's own entries are)."""
    PurchaseOrderEvent.objects.create(order=order, kind=kind, text=text, data={"params": data}, user=user)


def _locked_receipt(receipt_id: int) -> Receipt:
    return (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("purchase_order", "supplier", "warehouse")
        .get(pk=receipt_id)
    )


def _in_state(receipt: Receipt, *states) -> None:
    if receipt.state not in states:
        if receipt.state == R.POSTED:
            raise ValidationError({"state": _("This receipt has already been posted.")})
        raise ValidationError({"state": _("This receipt cannot be changed in its state.")})


# --- start and count ------------------------------------------------------------------------


@atomic_with_retry
def receipt_start(*, purchase_order: PurchaseOrder, user, delivery_note: str = "") -> Receipt:
    """Start receiving against an open purchase order (approved, sent or partly received)."""
    _may_receive(user)
    delivery_note = (delivery_note or "").strip()
    if len(delivery_note) > 100:
        raise ValidationError({"delivery_note": _("At most %(n)s characters.") % {"n": 100}})
    order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=purchase_order.pk)
    if order.state not in OPEN_STATES:
        raise ValidationError({"purchase_order": _("Only an open purchase order can be received.")})
    receipt = Receipt.objects.create(
        number=document_number(prefix=RECEIPT_PREFIX),
        purchase_order=order,
        supplier_id=order.supplier_id,
        warehouse_id=order.warehouse_id,
        delivery_note=delivery_note,
        received_by=user,
    )
    _event(order, "receipt_started", gettext_noop("Receipt %(number)s started"), user, number=receipt.number)
    audit("purchasing.receipt_start", actor=user, obj=receipt, data={"order": order.number})
    return receipt


def _po_line_for(order: PurchaseOrder, product: Product, po_line_id=None) -> PurchaseOrderLine:
    """The order line a received product belongs to: the one named, or the product's first line
    still open (its first line when every one is complete)."""
    lines = list(PurchaseOrderLine.objects.filter(order_id=order.pk, product_id=product.pk).order_by("pk"))
    if po_line_id is not None:
        lines = [line for line in lines if line.pk == po_line_id]
    if not lines:
        raise ValidationError(
            {
                "product": _("%(product)s is not on purchase order %(order)s.")
                % {"product": product, "order": order}
            }
        )
    return next((line for line in lines if line.open_quantity > 0), lines[0])


def _tolerance_check(
    po_line: PurchaseOrderLine,
    receipt: Receipt,
    adding: Decimal,
    *,
    on_receipt: Decimal | None = None,
    percent: Decimal | None = None,
) -> None:
    """What was accepted before plus what this receipt brings may exceed the ordered quantity by
    the tolerance (``PurchasingSettings.receipt_tolerance_percent``) at most. ``on_receipt`` and
    ``percent``, when the caller has them, spare reading them again."""
    if percent is None:
        percent = PurchasingSettings.current().receipt_tolerance_percent
    limit = po_line.base_quantity * (1 + percent / 100)
    if on_receipt is None:
        on_receipt = ReceiptLine.objects.filter(receipt=receipt, po_line=po_line).aggregate(
            s=Sum("quantity")
        )["s"]
    total = po_line.accepted_quantity + (on_receipt or ZERO) + adding
    if total > limit:
        room = max(limit - po_line.accepted_quantity - (on_receipt or ZERO), ZERO)
        raise ValidationError(
            {
                "quantity": _(
                    "Over-receipt: %(ordered)s ordered, at most %(room)s more may be received "
                    "(tolerance %(percent)s%%)."
                )
                % {
                    "ordered": plain_qty(po_line.base_quantity),
                    "room": plain_qty(room),
                    "percent": plain_qty(percent),
                }
            }
        )


def _counted_expiry(receipt: Receipt, product: Product, lot_number: str):
    """The expiry date a lot number already has on this receipt (posting makes the lot with it)."""
    return (
        ReceiptLine.objects.filter(receipt=receipt, product=product, lot_number=lot_number)
        .exclude(expiry_date=None)
        .values_list("expiry_date", flat=True)
        .first()
    )


@atomic_with_retry
def receipt_add_line(
    *,
    receipt: Receipt,
    user,
    quantity,
    code: str = "",
    product: Product | None = None,
    unit: ProductUnit | None = None,
    po_line_id: int | None = None,
    lot_number: str = "",
    expiry_date=None,
    location: Location | None = None,
) -> ReceiptLine:
    """Add what was counted: a scanned ``code`` (barcode, SKU, a unit's barcode: its quantity
    is in that unit) or a ``product``, ``quantity`` (base units, or ``unit``), a lot number with
    its expiry (lot-tracked) or one serial number per line (serial-tracked), and the bin it is
    put away into (``location``, a bin of the receipt's warehouse). Refused: a product not on
    the order, more than the order line plus the over-receipt tolerance."""
    _may_receive(user)
    receipt = _locked_receipt(receipt.pk)
    _in_state(receipt, R.COUNTING, R.CHECKING)
    if location is not None:
        check_location(location, receipt.warehouse_id, field="location")
    if code:
        scan = scan_lookup(code=code, field="code")
        product, unit = scan.product, scan.unit
        if scan.lot is not None:
            lot_number, expiry_date = scan.lot.number, expiry_date or scan.lot.expiry_date
    if product is None:
        raise ValidationError({"product": _("Scan or choose a product.")})
    po_line = _po_line_for(receipt.purchase_order, product, po_line_id)
    base = to_base_quantity(product=product, quantity=quantity, unit=unit)
    lot_number = (lot_number or "").strip()
    if product.tracking == Product.Tracking.SERIAL:
        if base != 1:
            raise ValidationError(
                {"quantity": _("Receive serial-numbered units one serial number per line.")}
            )
        if ReceiptLine.objects.filter(receipt=receipt, product=product, lot_number=lot_number).exists():
            raise ValidationError({"lot_number": _("This serial number is already on the receipt.")})
    counted_expiry = None
    if product.tracking != Product.Tracking.LOT:
        expiry_date = None
    elif lot_number:
        counted_expiry = _counted_expiry(receipt, product, lot_number)
    expiry_date = lot_incoming_check(
        product=product, lot_number=lot_number, expiry_date=expiry_date, counted_expiry=counted_expiry
    )
    _tolerance_check(po_line, receipt, base)
    same = None
    if product.tracking != Product.Tracking.SERIAL:
        same = ReceiptLine.objects.filter(
            receipt=receipt,
            po_line=po_line,
            lot_number=lot_number,
            location=location,
            accepted_quantity__isnull=True,
        ).first()
    if same is not None:
        ReceiptLine.objects.filter(pk=same.pk).update(quantity=F("quantity") + base)
        same.refresh_from_db()
        line = same
    else:
        line = ReceiptLine.objects.create(
            receipt=receipt,
            po_line=po_line,
            product=product,
            lot_number=lot_number,
            expiry_date=expiry_date,
            quantity=base,
            unit_cost=unit_price(po_line.base_unit_price),
            location=location,
        )
    if receipt.state == R.CHECKING:
        Receipt.objects.filter(pk=receipt.pk).update(state=R.COUNTING)
    audit(
        "purchasing.receipt_line",
        actor=user,
        obj=receipt,
        data={"product": product.sku, "quantity": str(base)},
    )
    return line


@atomic_with_retry
def receipt_remove_line(*, line: ReceiptLine, user) -> None:
    """Take a line off a receipt that is not posted yet (a wrong scan)."""
    _may_receive(user)
    receipt = _locked_receipt(line.receipt_id)
    _in_state(receipt, R.COUNTING, R.CHECKING)
    ReceiptLine.objects.filter(pk=line.pk, receipt=receipt).delete()
    audit("purchasing.receipt_line_removed", actor=user, obj=receipt, data={"line": line.pk})


# --- the quality check ----------------------------------------------------------------------


@atomic_with_retry
def receipt_check(*, receipt: Receipt, user, results: list[dict] | None = None) -> Receipt:
    """Record the quality check: per line (``results``: dicts with ``line`` (id),
    ``accepted_quantity``, ``rejected_quantity``, ``reject_reason``, ``reject_action``) what
    passed and what did not, and why; accepted + rejected must make the received quantity.
    Lines not named pass whole. The receipt goes to the check (then it may be posted)."""
    _may_receive(user)
    receipt = _locked_receipt(receipt.pk)
    _in_state(receipt, R.COUNTING, R.CHECKING)
    lines = {line.pk: line for line in ReceiptLine.objects.filter(receipt=receipt)}
    if not lines:
        raise ValidationError({"lines": _("Nothing has been received on this receipt yet.")})
    given: dict[int, dict] = {}
    for result in results or []:
        line_id = result.get("line")
        if line_id not in lines:
            raise ValidationError({"line": _("This line is not on the receipt.")})
        given[line_id] = result
    for line_id, line in lines.items():
        _check_line(line, given.get(line_id))
    Receipt.objects.filter(pk=receipt.pk).update(state=R.CHECKING, checked_by=user)
    receipt.state, receipt.checked_by = R.CHECKING, user
    audit("purchasing.receipt_check", actor=user, obj=receipt, data={"lines": len(lines)})
    return receipt


def _check_line(line: ReceiptLine, result: dict | None) -> None:
    result = result or {}
    accepted_raw, rejected_raw = result.get("accepted_quantity"), result.get("rejected_quantity")
    rejected = ZERO if rejected_raw in (None, "") else decimal_input(rejected_raw, field="rejected_quantity")
    if accepted_raw in (None, ""):
        accepted = line.quantity - rejected
    else:
        accepted = decimal_input(accepted_raw, field="accepted_quantity")
    if rejected_raw in (None, ""):
        rejected = line.quantity - accepted
    if accepted < 0 or rejected < 0:
        field = (
            "rejected_quantity" if rejected < 0 and rejected_raw not in (None, "") else "accepted_quantity"
        )
        raise ValidationError({field: _("Quantities cannot be negative.")})
    if accepted + rejected != line.quantity:
        raise ValidationError(
            {
                "accepted_quantity": _("Accepted and rejected must make the %(qty)s received.")
                % {"qty": plain_qty(line.quantity)}
            }
        )
    reason = (result.get("reject_reason") or "").strip()
    action = result.get("reject_action") or ReceiptLine.RejectAction.QUARANTINE
    if action not in ReceiptLine.RejectAction.values:
        raise ValidationError(
            {"reject_action": _("Choose to keep rejected goods in quarantine or return them.")}
        )
    if rejected > 0 and not reason:
        raise ValidationError({"reject_reason": _("Give the reason for the rejection.")})
    if len(reason) > 200:
        raise ValidationError({"reject_reason": _("At most %(n)s characters.") % {"n": 200}})
    ReceiptLine.objects.filter(pk=line.pk).update(
        accepted_quantity=accepted,
        rejected_quantity=rejected,
        reject_reason=reason if rejected > 0 else "",
        reject_action=action,
    )


# --- posting --------------------------------------------------------------------------------


def _supplier_reference(receipt: Receipt) -> str:
    return f"{receipt.supplier.code} {receipt.supplier.name}"[:100]


@atomic_with_retry
def receipt_post(*, receipt: Receipt, user) -> Receipt:
    """Post a checked receipt: stock moves (accepted → the order's warehouse at the order
    line's price, rejected → quarantine, returns → back to the supplier on an RTV), the order
    lines' progress and the order's state follow, and ``stock.received`` is published. The
    receipt row is locked: a second or concurrent post is refused, nothing counted twice."""
    _may_receive(user)
    receipt = _locked_receipt(receipt.pk)
    _in_state(receipt, R.CHECKING)
    order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=receipt.purchase_order_id)
    if order.state not in OPEN_STATES:
        raise ValidationError({"purchase_order": _("Only an open purchase order can be received.")})
    lines = list(ReceiptLine.objects.filter(receipt=receipt).select_related("product", "po_line", "location"))
    if not lines or any(line.accepted_quantity is None for line in lines):
        raise ValidationError({"state": _("Check every line before posting.")})
    po_lines = {
        pl.pk: pl for pl in PurchaseOrderLine.objects.select_for_update().filter(order=order).order_by("pk")
    }
    received, accepted = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for line in lines:
        received[line.po_line_id] += line.quantity
        accepted[line.po_line_id] += line.accepted_quantity
    percent = PurchasingSettings.current().receipt_tolerance_percent
    for po_line_id, quantity in received.items():
        # Other receipts may have been posted since these lines were counted.
        _tolerance_check(po_lines[po_line_id], receipt, ZERO, on_receipt=quantity, percent=percent)
    returns = _post_stock(receipt, lines, user)
    for po_line_id in received:
        PurchaseOrderLine.objects.filter(pk=po_line_id).update(
            received_quantity=F("received_quantity") + received[po_line_id],
            accepted_quantity=F("accepted_quantity") + accepted[po_line_id],
        )
    _order_progress_sync(order)
    receipt.state, receipt.posted_at = R.POSTED, timezone.now()
    Receipt.objects.filter(pk=receipt.pk).update(state=receipt.state, posted_at=receipt.posted_at)
    total_accepted = sum(accepted.values(), ZERO)
    total_rejected = sum((line.rejected_quantity for line in lines), ZERO)
    _event(
        order,
        "receipt_posted",
        gettext_noop("Receipt %(number)s posted: %(accepted)s accepted, %(rejected)s rejected"),
        user,
        number=receipt.number,
        accepted=plain_qty(total_accepted),
        rejected=plain_qty(total_rejected),
        returns=[r.number for r in returns],
    )
    publish(
        names.STOCK_RECEIVED,
        {
            "receipt_id": receipt.pk,
            "purchase_order_id": order.pk,
            "supplier_id": receipt.supplier_id,
            "warehouse_id": receipt.warehouse_id,
            "product_ids": sorted({line.product_id for line in lines if line.accepted_quantity > 0}),
            "demands": sorted(
                {
                    po_lines[line.po_line_id].demand
                    for line in lines
                    if line.accepted_quantity > 0 and po_lines[line.po_line_id].demand
                }
            ),
        },
    )
    audit(
        "purchasing.receipt_post",
        actor=user,
        obj=receipt,
        data={"order": order.number, "accepted": str(total_accepted), "rejected": str(total_rejected)},
    )
    return receipt


def _order_progress_sync(order: PurchaseOrder) -> None:
    """The locked order's state from its lines' accepted quantities (received once every line
    has what was ordered, partly received before), and its open lines as incoming supply."""
    short = PurchaseOrderLine.objects.filter(order=order, accepted_quantity__lt=F("base_quantity")).exists()
    order.state = PurchaseOrder.State.PARTLY_RECEIVED if short else PurchaseOrder.State.RECEIVED
    PurchaseOrder.objects.filter(pk=order.pk).update(state=order.state, updated_at=timezone.now())
    order_incoming_sync(order)


def _post_stock(receipt: Receipt, lines: list[ReceiptLine], user) -> list[SupplierReturn]:
    """The receipt's stock moves, through inventory's services; the lines learn their lots.
    Rejected goods to return leave quarantine on one return document."""
    supplier_reference = _supplier_reference(receipt)
    holding = None
    to_return: list[tuple[ReceiptLine, int]] = []
    for line in lines:
        common = {
            "product": line.product,
            "unit_cost": line.unit_cost,
            "lot_number": line.lot_number,
            "expiry_date": line.expiry_date,
            "reference": receipt.number,
            "user": user,
            "supplier_reference": supplier_reference,
        }
        move = None
        if line.accepted_quantity > 0:
            move = stock_receive(
                warehouse=receipt.warehouse,
                quantity=line.accepted_quantity,
                announce=False,
                location=line.location,
                **common,
            )
        if line.rejected_quantity > 0:
            holding = holding or inventory_quarantine.quarantine_of(receipt.warehouse)
            move = stock_receive(warehouse=holding, quantity=line.rejected_quantity, **common)
            if line.reject_action == ReceiptLine.RejectAction.RETURN:
                to_return.append((line, move.lot_id))
        if move is not None and move.lot_id:
            ReceiptLine.objects.filter(pk=line.pk).update(lot_id=move.lot_id)
            line.lot_id = move.lot_id
    if not to_return:
        return []
    reasons = "; ".join(sorted({line.reject_reason for line, _lot in to_return}))
    rtv = _return_create(receipt=receipt, reason=reasons, user=user)
    for line, lot_id in to_return:
        _return_line(
            rtv, holding, line.product, lot_id, line.rejected_quantity, line.unit_cost, line.po_line_id, user
        )
    return [rtv]


def _return_create(*, receipt: Receipt, reason: str, user) -> SupplierReturn:
    return SupplierReturn.objects.create(
        number=document_number(prefix=RETURN_PREFIX),
        supplier=receipt.supplier,
        purchase_order=receipt.purchase_order,
        receipt=receipt,
        warehouse=receipt.warehouse,
        reason=reason[:200],
        created_by=user,
    )


def _return_line(rtv, holding, product, lot_id, quantity, unit_cost, po_line_id, user) -> None:
    level_id = inventory_quarantine.quarantine_level_id(
        product_id=product.pk, quarantine_id=holding.pk, lot_id=lot_id
    )
    inventory_quarantine.quarantine_return(
        level_id=level_id,
        quantity=quantity,
        reason=rtv.reason,
        reference=rtv.number,
        unit_cost=unit_cost,
        user=user,
    )
    SupplierReturnLine.objects.create(
        supplier_return=rtv,
        po_line_id=po_line_id,
        product=product,
        lot_id=lot_id,
        quantity=quantity,
        unit_cost=unit_cost,
    )
