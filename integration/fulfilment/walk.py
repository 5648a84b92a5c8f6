"""The pick walk as the picker reads it: the order of a pick list's lines (the bins' pick
sequence, stock not put away last), their quantities in the units the customer ordered, never
added across units, and the totes of a batch pick in order. Reads only; the pick lists'
writers (``picking``, ``scanning``, ``batches``) and readers (``selectors``, the pages and the
API) all take them from here."""

import re
from decimal import Decimal

from django.db.models import F

from core.templatetags.tandem import qty
from integration.fulfilment.models import ShipmentLine
from scm.inventory.models import ProductUnit
from scm.inventory.services import plain_qty

ZERO = Decimal("0")

# The walk: the bins' pick sequence, stock not put away (no bin) last, then the product.
WALK_ORDER = (
    F("location__sequence").asc(nulls_last=True),
    F("location__code").asc(nulls_last=True),
    "product__sku",
    "lot__expiry_date",
    "pk",
)


def walk_key(line: ShipmentLine) -> tuple:
    """``WALK_ORDER`` for lines already read (with their location and product)."""
    location = line.location
    expiry = line.lot.expiry_date if line.lot_id and line.lot else None
    return (
        location is None,
        location.sequence if location else 0,
        location.code if location else "",
        line.product.sku,
        expiry is None,
        expiry.toordinal() if expiry else 0,
        line.pk or 0,
    )


def unit_text(quantity: Decimal, *, unit: ProductUnit | None, base_unit: str) -> str:
    """A quantity of base units as the order line counts it: "2 箱 (48 个)"; what does not make a
    whole unit is said apart ("1 箱 + 6 个 (30 个)"); in the base unit, just "5 个"."""
    base = f"{qty(quantity)} {base_unit}"
    if unit is None or unit.factor == 1 or not quantity:
        return base
    whole, rest = divmod(quantity, unit.factor)
    if whole == 0:
        return base
    if rest == 0:
        return f"{qty(whole)} {unit.name} ({base})"
    return f"{qty(whole)} {unit.name} + {qty(rest)} {base_unit} ({base})"


def unit_totals(items) -> list[str]:
    """Totals per unit, never added across units: ``items`` are (base quantity, unit or None,
    base unit name); the whole units of each line count in its unit, the rest in its base unit.
    ["2 箱", "6 个", "1 瓶"], in the order the units first appear."""
    totals: dict[str, Decimal] = {}
    for quantity, unit, base_unit in items:
        if unit is not None and unit.factor != 1:
            whole, rest = divmod(quantity, unit.factor)
            if whole:
                totals[unit.name] = totals.get(unit.name, ZERO) + whole
            quantity = rest
        if quantity:
            totals[base_unit] = totals.get(base_unit, ZERO) + quantity
    return [f"{qty(amount)} {name}" for name, amount in totals.items()]


def lines_for_display(lines: list[ShipmentLine]) -> list[ShipmentLine]:
    """Pick lines in walk order, each with its quantities in the order line's unit
    (``to_pick_text``, ``picked_text``, ``left_text``). The lines come with their product, lot,
    location and order line's unit (``selectors.shipment_with_lines``)."""
    lines = sorted(lines, key=walk_key)
    for line in lines:
        unit, base = line.order_line.unit, line.product.base_unit
        line.to_pick_text = unit_text(line.quantity, unit=unit, base_unit=base)
        line.picked_text = unit_text(line.picked_quantity, unit=unit, base_unit=base)
        line.left_text = unit_text(line.quantity - line.picked_quantity, unit=unit, base_unit=base)
        line.left_plain = plain_qty(line.quantity - line.picked_quantity)
    return lines


TOTE = re.compile(r"^T(\d+)$")


def tote_rank(tote: str) -> tuple:
    """T2 before T10."""
    match = TOTE.match(tote or "")
    return (0, int(match.group(1)), "") if match else (1, 0, tote or "")
