"""The one writer of stock ledger rows (``StockMove``): every stock service records through it."""

from decimal import Decimal

from scm.inventory.models import StockMove

ZERO = Decimal("0")


def write_move(
    *,
    kind,
    product_id,
    warehouse_id,
    lot_id,
    quantity,
    reference,
    user,
    unit_cost=ZERO,
    reason="",
    location_id=None,
) -> StockMove:
    return StockMove.objects.create(
        kind=kind,
        product_id=product_id,
        warehouse_id=warehouse_id,
        lot_id=lot_id,
        location_id=location_id,
        quantity=quantity,
        unit_cost=unit_cost,
        reference=reference,
        reason=reason,
        user=user,
    )
