"""Quarantined goods after the receipt: released into stock after a re-inspection, or sent back
to their supplier on a return document (``RTV``). Stock moves through
``scm.inventory.quarantine``; the purchase order's timeline records both."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.db import atomic_with_retry
from scm.inventory import quarantine as inventory_quarantine
from scm.inventory.models import StockLevel, Warehouse
from scm.inventory.services import plain_qty, to_base_quantity
from scm.purchasing.models import (
    OPEN_STATES,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplierReturn,
)
from scm.purchasing.receiving import _event, _may_receive, _order_progress_sync, _return_create, _return_line


def _quarantine_level(level_id) -> StockLevel:
    level = (
        StockLevel.objects.select_related("product", "lot", "warehouse", "warehouse__site")
        .filter(pk=level_id, warehouse__kind=Warehouse.Kind.QUARANTINE)
        .first()
    )
    if level is None:
        raise ValidationError({"level": _("This stock is not in quarantine.")})
    return level


@atomic_with_retry
def quarantine_accept(*, level_id: int, quantity, user, reason: str = ""):
    """Quarantined goods pass a re-inspection: they move into the site warehouse and become
    available (``stock.available``)."""
    _may_receive(user)
    level = _quarantine_level(level_id)
    origin = _origin_line(level)
    order = None
    if origin is not None:
        # The order row before inventory's rows (the receiving lock order).
        order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=origin.receipt.purchase_order_id)
    move = inventory_quarantine.quarantine_release(
        level_id=level.pk,
        quantity=quantity,
        reference=origin.receipt.number if origin else "",
        reason=reason,
        user=user,
    )
    if order is not None and order.state in OPEN_STATES:
        # Accepted after all: the order line has it (no longer owed), as far as it was rejected.
        updated = PurchaseOrderLine.objects.filter(
            pk=origin.po_line_id, accepted_quantity__lte=F("received_quantity") - move.quantity
        ).update(accepted_quantity=F("accepted_quantity") + move.quantity)
        if updated:
            _order_progress_sync(order)
    if order is not None:
        _event(
            order,
            "quarantine_released",
            gettext_noop("%(qty)s of %(product)s released from quarantine into stock"),
            user,
            qty=plain_qty(move.quantity),
            product=level.product.sku,
            receipt=origin.receipt.number,
        )
    audit("purchasing.quarantine_accept", actor=user, obj=move, data={"quantity": str(move.quantity)})
    return move


@atomic_with_retry
def quarantine_return_to_supplier(*, level_id: int, quantity, reason: str, user) -> SupplierReturn:
    """Quarantined goods go back to their supplier on a return document (``RTV``): the supplier
    and order are those of the receipt that brought them (by the lot, or the latest receipt
    that rejected the product into this warehouse's quarantine)."""
    _may_receive(user)
    level = _quarantine_level(level_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    origin = _origin_line(level)
    if origin is None:
        raise ValidationError({"level": _("No receipt is known for this stock: its supplier is unknown.")})
    receipt = origin.receipt
    rtv = _return_create(receipt=receipt, reason=reason.strip(), user=user)
    base = to_base_quantity(product=level.product, quantity=quantity)
    _return_line(
        rtv, level.warehouse, level.product, level.lot_id, base, origin.unit_cost, origin.po_line_id, user
    )
    _event(
        receipt.purchase_order,
        "returned",
        gettext_noop("Return %(number)s: %(qty)s sent back from quarantine"),
        user,
        number=rtv.number,
        qty=plain_qty(base),
        receipt=receipt.number,
    )
    audit("purchasing.quarantine_return", actor=user, obj=rtv, data={"quantity": str(base)})
    return rtv


def _origin_line(level: StockLevel) -> ReceiptLine | None:
    qs = ReceiptLine.objects.select_related("receipt", "receipt__supplier", "receipt__purchase_order").filter(
        product_id=level.product_id, receipt__state=Receipt.State.POSTED, rejected_quantity__gt=0
    )
    if level.lot_id:
        qs = qs.filter(lot_id=level.lot_id)
    else:
        qs = qs.filter(receipt__warehouse_id=level.warehouse.site_id)
    return qs.order_by("-receipt__posted_at", "-pk").first()
