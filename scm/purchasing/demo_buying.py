"""Buying for the demo (``scm.purchasing.demo``, and the sales history and backorder stories of
``integration.fulfilment``): purchase orders placed, approved and sent, receipts counted,
checked and posted — through the services, with only the timestamps of the rows written "now"
moved back to the day they stand for."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from core.dates import at_hour
from scm.inventory.models import Product, StockMove
from scm.purchasing import orders, pricing, receiving
from scm.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    Receipt,
    ReceiptLine,
    Supplier,
    SupplierProduct,
)

# Share of receipts that come late, by supplier (the scorecards differ).
LATE_ODDS = {"V0005": 0.45, "V0009": 0.25, "V0008": 0.15, "V0012": 0.3}


def _backdate_order(order: PurchaseOrder, day: date) -> None:
    PurchaseOrder.objects.filter(pk=order.pk).update(
        created_at=at_hour(day, 10),
        approved_at=at_hour(day, 11) if order.approved_at else None,
        sent_at=at_hour(day, 14) if order.sent_at else None,
    )
    PurchaseOrderEvent.objects.filter(order=order).update(created_at=at_hour(day, 10))


def _backdate_receipt(receipt: Receipt, day: date) -> None:
    Receipt.objects.filter(pk=receipt.pk).update(created_at=at_hour(day, 8), posted_at=at_hour(day, 9))
    StockMove.objects.filter(reference=receipt.number).update(created_at=at_hour(day, 9))
    PurchaseOrderEvent.objects.filter(order_id=receipt.purchase_order_id).filter(
        Q(data__params__number=receipt.number) | Q(data__params__receipt=receipt.number)
    ).update(created_at=at_hour(day, 9))


def _line(product: Product, base: Decimal, sp: SupplierProduct | None, on: date) -> dict:
    """An order line for ``base`` units: in the supplier's boxes when they divide it (the
    supplier's price applies), else in base units at the box price per unit."""
    if sp is not None and sp.unit_id and base % sp.unit.factor == 0:
        return {"product": product, "quantity": base / sp.unit.factor, "unit": sp.unit}
    price = pricing.supplier_price_for(supplier_product=sp, quantity=1, on_date=on) if sp else None
    per_unit = (price / sp.unit.factor) if price and sp.unit_id else (price or product.cost)
    return {
        "product": product,
        "quantity": base,
        "unit": None,
        "unit_price": per_unit.quantize(Decimal("0.0001")),
    }


def place_order(
    ctx, *, supplier, warehouse, wants: list[dict], day: date, send: bool = False, demand_of=None
):
    """A purchase order of ``day`` for ``wants`` (dicts: product, quantity in base units),
    submitted, approved (by the manager when above the threshold) and sent. ``send``: e-mailed to
    the supplier (orders of the past were handed over before Tandem: not e-mailed again)."""
    buyer = supplier.buyer or ctx.users.get("purchasing")
    lines = []
    for want in wants:
        sp = pricing.supplier_product_for(supplier_id=supplier.pk, product_id=want["product"].pk)
        line = _line(want["product"], Decimal(want["quantity"]), sp, day)
        if want.get("demand"):
            line["demand"] = want["demand"]
        lines.append(line)
    order = orders.purchase_order_create(
        supplier=supplier, user=buyer, warehouse=warehouse, order_date=day, lines=lines
    )
    order = orders.purchase_order_submit(order=order, user=buyer)
    if order.state == PurchaseOrder.State.TO_APPROVE:
        order = orders.purchase_order_approve(order=order, user=ctx.users.get("manager"))
    order = orders.purchase_order_send(order=order, user=buyer, recipient=None if send else "")
    _backdate_order(order, day)
    return order


def receive(ctx, order: PurchaseOrder, *, day: date, share: Decimal = Decimal(1), lots=None, reject=None):
    """Receive ``share`` of every open line of ``order`` on ``day``, checked and posted. ``lots``:
    product id → list of (lot number, expiry, quantity) or serial numbers; ``reject``: product id
    → (quantity, reason, action)."""
    receiver = ctx.users.get("warehouse")
    receipt = receiving.receipt_start(
        purchase_order=order, user=receiver, delivery_note=f"SHD{day:%y%m%d}{order.pk:04d}"
    )
    for po_line in order.lines.select_related("product").order_by("pk"):
        base = (po_line.open_quantity * share).to_integral_value()
        if base <= 0:
            continue
        product = po_line.product
        given = (lots or {}).get(product.pk)
        if product.tracking == Product.Tracking.SERIAL:
            for serial in given or []:
                receiving.receipt_add_line(
                    receipt=receipt,
                    user=receiver,
                    product=product,
                    quantity=1,
                    po_line_id=po_line.pk,
                    lot_number=serial,
                )
            continue
        if product.tracking == Product.Tracking.LOT:
            for number, expiry, qty in given or [
                (f"{day:%y%m%d}{po_line.pk % 1000:03d}", day + timedelta(days=365), base)
            ]:
                receiving.receipt_add_line(
                    receipt=receipt,
                    user=receiver,
                    product=product,
                    quantity=qty,
                    po_line_id=po_line.pk,
                    lot_number=number,
                    expiry_date=expiry,
                )
            continue
        receiving.receipt_add_line(
            receipt=receipt, user=receiver, product=product, quantity=base, po_line_id=po_line.pk
        )
    results = []
    for line in ReceiptLine.objects.filter(receipt=receipt).order_by("pk"):
        rejected = (reject or {}).get(line.product_id)
        if rejected and rejected[0] < line.quantity:
            results.append(
                {
                    "line": line.pk,
                    "rejected_quantity": rejected[0],
                    "reject_reason": rejected[1],
                    "reject_action": rejected[2],
                }
            )
            reject = {k: v for k, v in reject.items() if k != line.product_id}
    receiving.receipt_check(receipt=receipt, user=receiver, results=results)
    receipt = receiving.receipt_post(receipt=receipt, user=receiver)
    _backdate_receipt(receipt, day)
    return receipt


def receive_through_orders(ctx, *, warehouse, wants: list[dict], day: date, late: bool | None = None) -> list:
    """Buy ``wants`` (dicts: product, quantity in base units, optional lots) from each product's
    preferred supplier and receive them into ``warehouse`` on ``day``: one order per supplier,
    placed its lead time before (plus a few days when the delivery is late)."""
    by_supplier = defaultdict(list)
    for want in wants:
        sp = pricing.preferred_supplier_product(want["product"].pk)
        by_supplier[sp.supplier_id if sp else None].append(want)
    receipts = []
    for supplier_id, group in by_supplier.items():
        if supplier_id is None:
            continue
        supplier = Supplier.objects.get(pk=supplier_id)
        lead = max(pricing.preferred_supplier_product(w["product"].pk).lead_time_days for w in group)
        is_late = late if late is not None else ctx.rng.random() < LATE_ODDS.get(supplier.code, 0.05)
        # Placed its lead time before the day: a few days more when it came late, up to two days
        # less when it came on time or early.
        shift = ctx.rng.randint(2, 6) if is_late else -min(ctx.rng.randint(0, 2), lead)
        placed = day - timedelta(days=lead + shift)
        order = place_order(ctx, supplier=supplier, warehouse=warehouse, wants=group, day=placed)
        lots = {w["product"].pk: w["lots"] for w in group if w.get("lots")}
        receipts.append(receive(ctx, order, day=day, lots=lots))
    return receipts
