"""Opening balances: the stock a company already holds when it starts with Tandem (the set-up
wizard's opening-stock import, ``importers``).

Each line is posted as a receipt is (``services.stock_receive`` with kind *opening*): one ledger
move at the line's unit cost, the moving-average cost updated under the product's row lock,
the lot created with its expiry date, ``StockLevel.on_hand`` raised by a conditional UPDATE so
that it stays the sum of the ledger. What came in is announced once per warehouse
(``stock.available``), as one receipt is announced once.

An opening balance is posted once: a product × warehouse × lot (or serial number) that already
has one is refused. Stock found later is an adjustment or a count, never a second opening.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.db import atomic_with_retry
from scm.inventory.models import Product, ProductUnit, StockMove, Warehouse
from scm.inventory.services import stock_available_publish, stock_receive

# The source document of every opening move (and of the lots they create).
REFERENCE = "OPENING"


@dataclass(frozen=True)
class OpeningLine:
    """One opening balance: ``quantity`` of ``unit`` (None: the base unit) at ``unit_cost`` per
    that unit (None: the product's current cost)."""

    product: Product
    warehouse: Warehouse
    quantity: Decimal
    unit: ProductUnit | None = None
    unit_cost: Decimal | None = None
    lot_number: str = ""
    expiry_date: date | None = None


def opening_exists(*, product_id: int, warehouse_id: int, lot_number: str = "") -> bool:
    """Whether the product already has an opening balance in the warehouse (for that lot)."""
    moves = StockMove.objects.filter(
        kind=StockMove.Kind.OPENING, product_id=product_id, warehouse_id=warehouse_id
    )
    if lot_number:
        return moves.filter(lot__number=lot_number).exists()
    return moves.filter(lot__isnull=True).exists()


@atomic_with_retry
def stock_opening(*, lines: list[OpeningLine], user=None, announce: bool = True) -> list[StockMove]:
    """Post opening balances, one ledger move per line, in one transaction (every line or none).

    The products' rows are locked first, in id order, so that the check for an earlier opening
    and the posting cannot interleave with another opening of the same product; each line then
    takes the receipt's path (which locks the product row again, a no-op, and the lot's).
    ``announce=False`` leaves ``stock_opening_announce`` to the caller (an import announcing a
    whole file once). Raises ``ValidationError`` naming the field (``lot_number``,
    ``expiry_date``, ``quantity``, ``unit_cost``, ``product``).
    """
    ids = sorted({line.product.pk for line in lines})
    list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    moves = []
    for line in lines:
        lot_number = (line.lot_number or "").strip()
        if opening_exists(product_id=line.product.pk, warehouse_id=line.warehouse.pk, lot_number=lot_number):
            raise ValidationError(
                {
                    "product": _("%(sku)s already has an opening balance in %(warehouse)s.")
                    % {"sku": line.product.sku, "warehouse": line.warehouse.code}
                }
            )
        moves.append(
            stock_receive(
                product=line.product,
                warehouse=line.warehouse,
                quantity=line.quantity,
                unit=line.unit,
                unit_cost=line.unit_cost,
                lot_number=lot_number,
                expiry_date=line.expiry_date,
                reference=REFERENCE,
                kind=StockMove.Kind.OPENING,
                user=user,
                announce=False,
            )
        )
    if announce:
        stock_opening_announce(moves=moves)
    return moves


def stock_opening_announce(*, moves: list[StockMove]) -> None:
    """Publish ``stock.available`` once per warehouse for the products the opening moves put
    there (none for a quarantine: its stock is not free to reserve). In the caller's
    transaction."""
    by_warehouse: dict[int, set[int]] = {}
    for move in moves:
        by_warehouse.setdefault(move.warehouse_id, set()).add(move.product_id)
    if not by_warehouse:
        return
    quarantines = set(
        Warehouse.objects.filter(pk__in=by_warehouse, kind=Warehouse.Kind.QUARANTINE).values_list(
            "pk", flat=True
        )
    )
    for warehouse_id in sorted(by_warehouse):
        if warehouse_id not in quarantines:
            stock_available_publish(
                product_ids=by_warehouse[warehouse_id],
                warehouse_id=warehouse_id,
                reason=StockMove.Kind.OPENING,
                reference=REFERENCE,
            )
