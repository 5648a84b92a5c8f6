"""Stock services: the only way any module changes stock. Receiving, adjusting and scrapping are
here; holding stock for a demand (reserve, release, consume) is in ``reservations``.

Invariants (DESIGN.md, "Stock: the invariants"): the ledger is append-only; ``StockLevel.on_hand``
equals the sum of its moves; ``0 ≤ reserved ≤ on_hand`` is a CHECK constraint. Quantities move
with conditional UPDATEs (``WHERE on_hand - reserved >= qty``) or under row locks taken in
primary-key order; nothing here reads a quantity and writes it back from Python.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import MAX_QUANTITY, decimal_input
from core.money import quantity as as_quantity
from scm.inventory import bins
from scm.inventory.holding import free_expression
from scm.inventory.ledger import write_move as _write_move
from scm.inventory.lots import lot_for_incoming, lot_for_outgoing
from scm.inventory.models import (
    Location,
    Lot,
    Product,
    ProductUnit,
    StockLevel,
    StockMove,
    Warehouse,
)

ZERO = Decimal("0")


def plain_qty(value) -> str:
    """24, 2.5, 10 — never 1E+1 (for messages and exports; pages use the ``qty`` filter)."""
    return format(Decimal(str(value)).normalize(), "f")


# --- units and validation -------------------------------------------------------------------


def to_base_quantity(
    *, product: Product, quantity, unit: ProductUnit | None = None, field: str = "quantity"
) -> Decimal:
    """Convert ``quantity`` in ``unit`` (None = base unit) to base units, refusing zero,
    negatives and fractions of a unit that cannot be split."""
    qty = decimal_input(quantity, field=field)
    if qty <= 0:
        raise ValidationError({field: _("The quantity must be greater than zero.")})
    if qty >= MAX_QUANTITY:
        raise ValidationError({field: _("This quantity is too large.")})
    if unit is not None and unit.product_id != product.pk:
        raise ValidationError({"unit": _("This unit does not belong to the product.")})
    divisible = unit.divisible if unit is not None else product.base_unit_divisible
    if not divisible and qty != qty.to_integral_value():
        raise ValidationError({field: _("This unit cannot be split: enter a whole number.")})
    base = qty * (unit.factor if unit is not None else 1)
    if product.tracking == Product.Tracking.SERIAL and base != base.to_integral_value():
        raise ValidationError({field: _("Serial-numbered products are counted in whole units.")})
    return base


def _check_product(product: Product) -> None:
    if not product.is_active:
        raise ValidationError({"product": _("This product is inactive.")})
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product holds no stock.")})


def _check_warehouse(warehouse: Warehouse, field: str = "warehouse") -> None:
    if not warehouse.is_active:
        raise ValidationError({field: _("This warehouse is inactive.")})


def _level_key(product_id: int, warehouse_id: int, lot_id: int | None) -> dict:
    return {"product_id": product_id, "warehouse_id": warehouse_id, "lot_id": lot_id}


def _ensure_level(product_id: int, warehouse_id: int, lot_id: int | None, serial: bool = False) -> int:
    """The level row's id, creating it if needed. Two creators racing: one wins the unique
    constraint, the other reads the winner's row."""
    key = _level_key(product_id, warehouse_id, lot_id)
    pk = StockLevel.objects.filter(**key).values_list("pk", flat=True).first()
    if pk is not None:
        return pk
    try:
        with transaction.atomic():
            return StockLevel.objects.create(serial=serial, **key).pk
    except IntegrityError:
        return StockLevel.objects.filter(**key).values_list("pk", flat=True).get()


def _signal_low_stock(product: Product, dropped: Decimal) -> None:
    """Publish ``stock.below_reorder_point`` when available stock (all warehouses, on hand −
    reserved of what is free to reserve: ``holding.free_level_q``) has just fallen below the
    product's reorder point: only on the crossing, so a product that stays low is not announced
    again with every order. Products without a reorder point cost nothing here."""
    point = product.reorder_point
    if not point or dropped <= 0:
        return
    after = StockLevel.objects.filter(product_id=product.pk).aggregate(a=Sum(free_expression()))["a"]
    after = as_quantity(Decimal(str(after or 0)))
    if after < point <= after + dropped:
        publish(
            names.STOCK_BELOW_REORDER_POINT,
            {
                "product_id": product.pk,
                "sku": product.sku,
                "available": str(after),
                "reorder_point": str(point),
                "reorder_quantity": str(product.reorder_quantity),
            },
        )


def stock_available_publish(*, product_ids, warehouse_id: int, reason: str, reference: str = "") -> None:
    """Publish ``stock.available``: stock of ``product_ids`` has become free to reserve in the
    warehouse (``reason``: the move's kind, ``count`` or ``release``). One event per change (a
    receipt, a transfer, a count, a cancellation), not per unit or line, in the caller's
    transaction; whoever waits for the products (the backorder rule) listens for it."""
    publish(
        names.STOCK_AVAILABLE,
        {
            "product_ids": sorted({int(pk) for pk in product_ids}),
            "warehouse_id": warehouse_id,
            "reason": reason,
            "reference": reference,
        },
    )


# --- receiving ------------------------------------------------------------------------------


def _add_stock(
    *,
    product: Product,
    warehouse: Warehouse,
    lot: Lot | None,
    base: Decimal,
    location: Location | None = None,
) -> None:
    """on_hand += base on the level (created if needed), and in ``location``'s bin when one is
    named (else the stock is in the implicit location). A serial landing in a second place
    breaks a database constraint; that surfaces as a field error."""
    serial = product.tracking == Product.Tracking.SERIAL
    level_id = _ensure_level(product.pk, warehouse.pk, lot.pk if lot else None, serial=serial)
    try:
        with transaction.atomic():
            StockLevel.objects.filter(pk=level_id).update(on_hand=F("on_hand") + base)
    except IntegrityError:
        raise ValidationError({"lot_number": _("This serial number is already in stock.")})
    if location is not None:
        bins.bin_add(
            location_id=location.pk, product_id=product.pk, lot_id=lot.pk if lot else None, base=base
        )


def _remove_stock(
    *,
    product_id: int,
    warehouse_id: int,
    lot_id: int | None,
    base: Decimal,
    field="quantity",
    location: Location | None = None,
    reference: str = "",
    user=None,
):
    """on_hand -= base, only from what is not reserved: one conditional UPDATE. From the bin
    ``location`` when one is named; else from the implicit location, which first takes from the
    bins what it lacks (``bins.draw_to_implicit``)."""
    if location is None:
        bins.draw_to_implicit(
            product_id=product_id,
            warehouse_id=warehouse_id,
            lot_id=lot_id,
            base=base,
            reference=reference,
            user=user,
        )
    _remove_from_level(
        product_id=product_id, warehouse_id=warehouse_id, lot_id=lot_id, base=base, field=field
    )
    if location is not None:
        bins.bin_remove(location=location, product_id=product_id, lot_id=lot_id, base=base, field=field)


def _remove_from_level(*, product_id: int, warehouse_id: int, lot_id: int | None, base: Decimal, field: str):
    updated = StockLevel.objects.filter(
        **_level_key(product_id, warehouse_id, lot_id), on_hand__gte=F("reserved") + base
    ).update(on_hand=F("on_hand") - base)
    if not updated:
        available = (
            StockLevel.objects.filter(**_level_key(product_id, warehouse_id, lot_id))
            .annotate(a=F("on_hand") - F("reserved"))
            .values_list("a", flat=True)
            .first()
        ) or ZERO
        raise ValidationError(
            {
                field: _("Not enough stock available: %(available)s available.")
                % {"available": plain_qty(available)}
            }
        )


def _take_out(*, product: Product, warehouse: Warehouse, lot, base: Decimal, location, reference, user):
    """``base`` leaves the warehouse (the bin ``location`` when named) from what is not
    reserved, out of the lot ``lot_for_outgoing`` chooses; answers that lot."""
    lot = lot_for_outgoing(product=product, lot=lot)
    _remove_stock(
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        lot_id=lot.pk if lot else None,
        base=base,
        location=location,
        reference=reference,
        user=user,
    )
    return lot


def _move_at_cost(
    *, kind, product: Product, warehouse: Warehouse, lot, quantity: Decimal, location, reference, reason, user
):
    """The ledger's move of an adjustment or a write-off, valued at the product's current cost."""
    return _write_move(
        kind=kind,
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        lot_id=lot.pk if lot else None,
        quantity=quantity,
        unit_cost=Product.objects.values_list("cost", flat=True).get(pk=product.pk),
        reference=reference,
        reason=reason,
        user=user,
        location_id=location.pk if location else None,
    )


def _unit_cost(product: Product, unit: ProductUnit | None, unit_cost) -> Decimal:
    """The cost of one base unit: ``unit_cost`` per ``unit``, or the product's current cost."""
    if unit_cost is None or unit_cost == "":
        return product.cost
    cost = decimal_input(unit_cost, field="unit_cost") / (unit.factor if unit else 1)
    if cost < 0:
        raise ValidationError({"unit_cost": _("The cost cannot be negative.")})
    return cost


def _average_in(locked: Product, base: Decimal, cost: Decimal) -> None:
    """The moving-average cost once ``base`` units at ``cost`` come in; ``locked`` is the
    product's row, locked by the caller, so the on-hand total read here stays true."""
    total = StockLevel.objects.filter(product_id=locked.pk).aggregate(t=Sum("on_hand"))["t"] or ZERO
    if total + base > 0:
        new_cost = ((locked.cost * max(total, ZERO)) + cost * base) / (max(total, ZERO) + base)
        Product.objects.filter(pk=locked.pk).update(cost=new_cost.quantize(Decimal("0.0001")))


def _average_out(locked: Product, base: Decimal, cost: Decimal) -> None:
    """The moving-average cost once ``base`` units valued at ``cost`` go back to where they came
    from (a return to the supplier at what was paid for them): their value leaves with them, as
    ``_average_in`` took it in. ``locked`` is the product's row, locked by the caller, read
    before the stock leaves."""
    total = max(
        StockLevel.objects.filter(product_id=locked.pk).aggregate(t=Sum("on_hand"))["t"] or ZERO, ZERO
    )
    if total - base > 0:
        new_cost = max((locked.cost * total - cost * base) / (total - base), ZERO)
        Product.objects.filter(pk=locked.pk).update(cost=new_cost.quantize(Decimal("0.0001")))


@atomic_with_retry
def stock_receive(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity,
    unit: ProductUnit | None = None,
    unit_cost=None,
    lot_number: str = "",
    expiry_date: date | None = None,
    reference: str = "",
    kind: str = StockMove.Kind.RECEIPT,
    user=None,
    lot: Lot | None = None,
    supplier_reference: str = "",
    announce: bool = True,
    location: Location | None = None,
) -> StockMove:
    """Put stock into a warehouse (a purchase receipt, a return, a transfer arriving, an
    opening balance: ``opening.stock_opening``).

    Updates the moving-average cost (receipts and opening balances) under a lock on the
    product row. A new lot records
    ``reference`` and ``supplier_reference`` (where it came from). Stock put into a quarantine
    is never free to reserve, so it is not announced; ``announce=False`` leaves the announcing
    to the caller (a purchase receipt announces ``stock.received`` instead, whose rule serves
    purchase-to-order lines before the others). ``location``: the bin it is put into (none:
    the warehouse's implicit location, to be put away later).
    """
    _check_product(product)
    _check_warehouse(warehouse)
    if location is not None:
        bins.check_location(location, warehouse)
    base = to_base_quantity(product=product, quantity=quantity, unit=unit)
    if product.tracking == Product.Tracking.SERIAL and base != 1:
        raise ValidationError({"quantity": _("Receive serial-numbered units one serial number at a time.")})
    cost = _unit_cost(product, unit, unit_cost)
    lot = lot_for_incoming(
        product=product,
        lot=lot,
        lot_number=lot_number,
        expiry_date=expiry_date,
        reference=reference,
        kind=kind,
        allow_expired=kind != StockMove.Kind.RECEIPT,
        supplier_reference=supplier_reference,
    )
    lot_id = lot.pk if lot else None
    # Lock the product row: the moving average needs the on-hand total before this receipt.
    locked = Product.objects.select_for_update().only("pk", "cost").order_by("pk").get(pk=product.pk)
    if kind in (StockMove.Kind.RECEIPT, StockMove.Kind.OPENING):
        _average_in(locked, base, cost)
    _add_stock(product=product, warehouse=warehouse, lot=lot, base=base, location=location)
    move = _write_move(
        kind=kind,
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        lot_id=lot_id,
        quantity=base,
        unit_cost=cost,
        reference=reference,
        user=user,
        location_id=location.pk if location else None,
    )
    audit(f"stock.{kind}", actor=user, obj=move, data={"quantity": str(base), "reference": reference})
    if announce and not warehouse.is_quarantine:
        stock_available_publish(
            product_ids=[product.pk], warehouse_id=warehouse.pk, reason=kind, reference=reference
        )
    return move


@atomic_with_retry
def stock_adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity,
    reason: str,
    unit: ProductUnit | None = None,
    lot: Lot | None = None,
    lot_number: str = "",
    expiry_date: date | None = None,
    reference: str = "",
    user=None,
    location: Location | None = None,
) -> StockMove:
    """Correct stock by a signed ``quantity`` (found: positive, lost: negative), with a reason,
    in the bin ``location`` when one is named.

    A decrease takes only unreserved stock (conditional UPDATE); an increase of a tracked product
    names its lot (an existing lot may be expired: found stock is still stock) and publishes
    ``stock.available``.
    """
    move = _adjust(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        reason=reason,
        unit=unit,
        lot=lot,
        lot_number=lot_number,
        expiry_date=expiry_date,
        reference=reference,
        user=user,
        location=location,
    )
    if move.quantity > 0:
        stock_available_publish(
            product_ids=[product.pk], warehouse_id=warehouse.pk, reason=move.kind, reference=reference
        )
    return move


def _signed_quantity(quantity) -> Decimal:
    """An adjustment's quantity: a number, positive (found) or negative (lost), never zero."""
    signed = decimal_input(quantity, field="quantity")
    if signed == 0:
        raise ValidationError({"quantity": _("The adjustment cannot be zero.")})
    return signed


def _adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity,
    reason: str,
    unit: ProductUnit | None = None,
    lot: Lot | None = None,
    lot_number: str = "",
    expiry_date: date | None = None,
    reference: str = "",
    user=None,
    location: Location | None = None,
) -> StockMove:
    """``stock_adjust`` without announcing what it frees, inside the caller's transaction: for a
    service that adjusts several lines as one change (a count) and announces them once."""
    _check_warehouse(warehouse)
    if location is not None:
        bins.check_location(location, warehouse)
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product holds no stock.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the adjustment.")})
    signed = _signed_quantity(quantity)
    base = to_base_quantity(product=product, quantity=abs(signed), unit=unit)
    if signed > 0:
        lot = lot_for_incoming(
            product=product,
            lot=lot,
            lot_number=lot_number,
            expiry_date=expiry_date,
            reference=reference,
            kind=StockMove.Kind.ADJUSTMENT,
            allow_expired=True,
        )
        if product.tracking == Product.Tracking.SERIAL and base != 1:
            raise ValidationError({"quantity": _("Serial-numbered units are adjusted one at a time.")})
        _add_stock(product=product, warehouse=warehouse, lot=lot, base=base, location=location)
    else:
        lot = _take_out(
            product=product,
            warehouse=warehouse,
            lot=lot,
            base=base,
            location=location,
            reference=reference,
            user=user,
        )
        base = -base
    move = _move_at_cost(
        kind=StockMove.Kind.ADJUSTMENT,
        product=product,
        warehouse=warehouse,
        lot=lot,
        quantity=base,
        location=location,
        reference=reference,
        reason=reason,
        user=user,
    )
    audit("stock.adjustment", actor=user, obj=move, data={"quantity": str(base), "reason": reason})
    _signal_low_stock(product, -base)
    return move


@atomic_with_retry
def stock_scrap(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity,
    reason: str,
    unit: ProductUnit | None = None,
    lot: Lot | None = None,
    reference: str = "",
    user=None,
    location: Location | None = None,
) -> StockMove:
    """Write off damaged or expired stock (expired lots may be scrapped; reserved stock not),
    out of the bin ``location`` when one is named."""
    _check_warehouse(warehouse)
    if location is not None:
        bins.check_location(location, warehouse)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for scrapping.")})
    base = to_base_quantity(product=product, quantity=quantity, unit=unit)
    lot = _take_out(
        product=product,
        warehouse=warehouse,
        lot=lot,
        base=base,
        location=location,
        reference=reference,
        user=user,
    )
    move = _move_at_cost(
        kind=StockMove.Kind.SCRAP,
        product=product,
        warehouse=warehouse,
        lot=lot,
        quantity=-base,
        location=location,
        reference=reference,
        reason=reason,
        user=user,
    )
    audit("stock.scrap", actor=user, obj=move, data={"quantity": str(-base), "reason": reason})
    _signal_low_stock(product, base)
    return move
