"""Scans on a pick list (or on the pick lists of a batch pick, walked at once).

What a code is, in this order: a lot number on the list, a product or unit (box) barcode on the
list, a typed quantity ("×24": how many the last product scan was), a bin of the warehouse.
- Lot numbers are unique per product only: a number that several products on the list share
  waits (``Shipment.pending_lot``) until the next product scan says whose lot it is; a number
  of one product on the list selects that product's lot at once.
- A product scan picks one of the scanned unit (a box barcode: the box's base units), or
  ``quantity`` of them; it takes from the line of the bin scanned last (``current_location``).
- Each pick moves the line's picked quantity with a conditional UPDATE, so it never passes what
  the line holds; anything refused changes nothing (one transaction).

A batch's pick lists share the scan state (the same bin, lot and last scan on each); a product
scan fills the first order in walk and tote order that still needs it and says its tote.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _

from core.db import atomic_with_retry
from core.sql import as_id
from integration.fulfilment.models import Shipment, ShipmentLine
from integration.fulfilment.picking import refuse_held
from integration.fulfilment.walk import ZERO, unit_text, walk_key
from scm.inventory import locations
from scm.inventory.models import Location, Lot, Product, ProductUnit
from scm.inventory.services import to_base_quantity

# A typed quantity for the last product scan: ×24, x24, *24 (a code, not a barcode).
QUANTITY_STEP = re.compile(r"^[×xX*]\s*([0-9０-９.,]+)$")


@dataclass
class ScanResult:
    message: str
    line: ShipmentLine | None = None
    quantity: Decimal = ZERO  # base units this scan picked (negative: a typed quantity lowered it)
    tote: str = ""


@atomic_with_retry
def shipment_scan(*, shipment: Shipment, code: str, quantity=None, user=None) -> ScanResult:
    """One scan on a pick list: a lot number, a product or box barcode (one of that unit, or
    ``quantity`` of them), a typed quantity for the last product scan (``×24``, or ``quantity``
    with no code), or a bin."""
    _check_input(code, quantity)
    locked = list(
        Shipment.objects.select_for_update(of=("self",)).select_related("warehouse").filter(pk=shipment.pk)
    )
    if not locked or locked[0].state != Shipment.State.PICKING:
        raise ValidationError({"code": _("This pick list is closed.")})
    return scan_apply(shipments=locked, code=code, quantity=quantity)


def _check_input(code, quantity) -> None:
    if not (code or "").strip() and (quantity is None or str(quantity).strip() == ""):
        raise ValidationError({"code": _("Scan a barcode.")})


def scan_apply(*, shipments: list[Shipment], code: str, quantity=None) -> ScanResult:
    """A scan on ``shipments`` (locked by the caller, in tote order; one unless a batch pick),
    in the caller's transaction."""
    _check_input(code, quantity)
    code = (code or "").strip()
    quantity = None if quantity is None or str(quantity).strip() == "" else quantity
    state = shipments[0]
    rank = {s.pk: i for i, s in enumerate(shipments)}
    lines = sorted(
        ShipmentLine.objects.filter(shipment__in=shipments).select_related(
            "product", "lot", "location", "order_line__unit", "shipment"
        ),
        key=lambda line: (walk_key(line)[:-1], rank[line.shipment_id], line.pk),
    )
    if not code:
        return _quantity_step(shipments, lines, quantity, field="quantity")
    lot_lines = [line for line in lines if line.lot is not None and line.lot.number == code]
    if lot_lines:
        return _lot_scan(shipments, lot_lines, code)
    match = _product_match(lines, code)
    if match is not None:
        product_id, unit = match
        return _pick(shipments, lines, product_id, unit, quantity)
    step = QUANTITY_STEP.match(code)
    if step:
        return _quantity_step(shipments, lines, step.group(1), field="code")
    located = _bin_scan(shipments, state, code)
    if located is not None:
        return located
    if Lot.objects.filter(number=code).exists() or Product.objects.filter(barcode=code).exists():
        raise ValidationError({"code": _("%(code)s is not on this pick list.") % {"code": code}})
    if locations.has_locations(state.warehouse_id):
        raise ValidationError(
            {"code": _("Unknown barcode %(code)s: no product, lot or bin has it.") % {"code": code}}
        )
    raise ValidationError({"code": _("Unknown barcode %(code)s.") % {"code": code}})


def _save_state(shipments: list[Shipment], **fields) -> None:
    Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(**fields)
    for shipment in shipments:
        for name, value in fields.items():
            setattr(shipment, name, value)


def _lot_scan(shipments, lot_lines: list[ShipmentLine], code: str) -> ScanResult:
    products = {line.product_id for line in lot_lines}
    if len(products) > 1:
        _save_state(shipments, pending_lot=code)
        return ScanResult(
            _("Lot %(lot)s belongs to %(count)s products on this list: now scan the product.")
            % {"lot": code, "count": len(products)}
        )
    line = lot_lines[0]
    refuse_held(line.lot, "code")
    lots = {**shipments[0].scanned_lots, str(line.product_id): line.lot_id}
    _save_state(shipments, scanned_lots=lots, pending_lot="")
    return ScanResult(
        _("Lot %(lot)s of %(product)s: now scan the product.") % {"lot": code, "product": line.product.name},
        line,
    )


def _product_match(lines: list[ShipmentLine], code: str) -> tuple[int, ProductUnit | None] | None:
    """The product on the list the code is the barcode of, and the unit (None: one base unit)."""
    for line in lines:
        if line.product.barcode and line.product.barcode == code:
            return line.product_id, None
    unit = (
        ProductUnit.objects.filter(product_id__in={line.product_id for line in lines}, barcode=code)
        .order_by("pk")
        .first()
    )
    return (unit.product_id, unit) if unit is not None else None


def _pick(shipments, lines, product_id: int, unit: ProductUnit | None, quantity) -> ScanResult:
    state = shipments[0]
    field = "code" if quantity is None else "quantity"
    candidates = [line for line in lines if line.product_id == product_id]
    product = candidates[0].product
    lots, pending = dict(state.scanned_lots), state.pending_lot
    if product.tracking != Product.Tracking.NONE:
        if pending:
            of_lot = [line for line in candidates if line.lot is not None and line.lot.number == pending]
            if not of_lot:
                raise ValidationError(
                    {
                        "code": _("Lot %(lot)s of %(product)s is not on this pick list.")
                        % {"lot": pending, "product": product.name}
                    }
                )
            lots[str(product_id)], pending = of_lot[0].lot_id, ""
        lot_id = lots.get(str(product_id))
        if lot_id is None:
            raise ValidationError({"code": _("Scan the lot number first.")})
        candidates = [line for line in candidates if line.lot_id == lot_id]
        if not candidates:
            raise ValidationError({"code": _("Scan the lot number first.")})
        refuse_held(candidates[0].lot, "code")
    candidates = _in_bin(state, candidates)
    base = to_base_quantity(
        product=product, quantity=1 if quantity is None else quantity, unit=unit, field=field
    )
    factor = unit.factor if unit is not None else Decimal(1)
    for line in candidates:
        if _move_picked(line, base):
            _save_state(
                shipments,
                scanned_lots=lots,
                pending_lot=pending,
                last_scan={
                    "line": line.pk,
                    "unit": unit.pk if unit is not None else None,
                    "count": str(base / factor),
                },
            )
            return ScanResult(_picked_message(line, shipments), line, base, line.shipment.tote)
    raise ValidationError({field: _over_message(product, candidates)})


def _move_picked(line: ShipmentLine, delta: Decimal) -> bool:
    """Add ``delta`` (may be negative) to what was picked of the line, never above what it
    holds nor below zero: one conditional UPDATE."""
    updated = ShipmentLine.objects.filter(
        pk=line.pk, picked_quantity__lte=F("quantity") - delta, picked_quantity__gte=-delta
    ).update(picked_quantity=F("picked_quantity") + delta)
    if updated:
        line.picked_quantity += delta
    return bool(updated)


def _quantity_step(shipments, lines, raw, *, field: str) -> ScanResult:
    """A typed quantity: the last product scan was that many of its unit, not one."""
    last = shipments[0].last_scan or {}
    line = next((ln for ln in lines if ln.pk == as_id(last.get("line"))), None)
    if line is None:
        raise ValidationError({field: _("Scan a product first, then type how many.")})
    refuse_held(line.lot, field)
    unit = line.order_line.unit if line.order_line.unit_id == last.get("unit") else None
    if last.get("unit") is not None and unit is None:
        unit = ProductUnit.objects.filter(pk=last["unit"]).first()
    factor = unit.factor if unit is not None else Decimal(1)
    base = to_base_quantity(product=line.product, quantity=raw, unit=unit, field=field)
    delta = base - Decimal(last.get("count") or 1) * factor
    if not _move_picked(line, delta):
        raise ValidationError({field: _over_message(line.product, [line])})
    _save_state(shipments, last_scan={**last, "count": str(base / factor)})
    return ScanResult(_picked_message(line, shipments), line, delta, line.shipment.tote)


def _picked_message(line: ShipmentLine, shipments) -> str:
    unit, base_unit = line.order_line.unit, line.product.base_unit
    params = {
        "product": line.product.name,
        "picked": unit_text(line.picked_quantity, unit=unit, base_unit=base_unit),
        "quantity": unit_text(line.quantity, unit=unit, base_unit=base_unit),
        "tote": line.shipment.tote,
    }
    if line.shipment.tote:
        return _("Into tote %(tote)s: %(product)s, %(picked)s of %(quantity)s picked.") % params
    return _("%(product)s: %(picked)s of %(quantity)s picked.") % params


def _over_message(product: Product, candidates: list[ShipmentLine]) -> str:
    left = sum((line.quantity - line.picked_quantity for line in candidates), ZERO)
    unit = candidates[0].order_line.unit if candidates else None
    return _("That is more than is left to pick of %(product)s: %(left)s left. Nothing was picked.") % {
        "product": product.name,
        "left": unit_text(left, unit=unit, base_unit=product.base_unit),
    }


# --- bins -----------------------------------------------------------------------------------


def _in_bin(state: Shipment, candidates: list[ShipmentLine]) -> list[ShipmentLine]:
    """The lines a product scan may take from: those of the bin scanned last, and those of
    stock not put away (no bin). A product still to pick only from other bins is refused,
    naming them."""
    if all(line.location_id is None for line in candidates):
        return candidates
    here = state.current_location_id
    usable = [line for line in candidates if line.location_id is None or line.location_id == here]
    if any(line.picked_quantity < line.quantity for line in usable):
        return usable
    elsewhere = sorted(
        {
            line.location.code
            for line in candidates
            if line.location_id not in (None, here) and line.picked_quantity < line.quantity
        }
    )
    if elsewhere:
        raise ValidationError(
            {
                "code": _("%(product)s is picked from %(bins)s: scan the bin first.")
                % {"product": candidates[0].product.name, "bins": ", ".join(elsewhere)}
            }
        )
    return usable or candidates


def _bin_scan(shipments, state: Shipment, code: str) -> ScanResult | None:
    """A bin of the warehouse: product scans take from it until another bin is scanned. A bin
    of another warehouse, or one no longer used, is refused by name (``location_for_scan``);
    a code that is no bin anywhere is not a bin scan (None)."""
    if not Location.objects.filter(Q(barcode=code) | Q(code__iexact=code)).exists():
        return None
    location = locations.location_for_scan(warehouse=state.warehouse, code=code, field="code")
    _save_state(shipments, current_location=location)
    lines = list(
        ShipmentLine.objects.filter(
            shipment__in=shipments, location=location, quantity__gt=F("picked_quantity")
        ).select_related("product")
    )
    if not lines:
        return ScanResult(_("Bin %(bin)s: nothing to pick here.") % {"bin": location.code})
    names = sorted({line.product.name for line in lines})
    return ScanResult(
        _("Bin %(bin)s: pick %(products)s.") % {"bin": location.code, "products": "、".join(names)}
    )
