"""Expected receipts (``IncomingSupply``): registered by purchasing for open purchase order
lines so that available-to-promise shows incoming quantities with their dates."""

from datetime import date
from decimal import Decimal

from scm.inventory.models import IncomingSupply


def incoming_supply_set(
    *, reference: str, product_id: int, warehouse_id: int, quantity: Decimal, expected_date: date
) -> None:
    """What is still expected under ``reference`` (a purchase order line): written as given,
    removed once nothing more is expected (``quantity`` ≤ 0)."""
    if quantity <= 0:
        IncomingSupply.objects.filter(reference=reference).delete()
        return
    IncomingSupply.objects.update_or_create(
        reference=reference,
        defaults={
            "product_id": product_id,
            "warehouse_id": warehouse_id,
            "quantity": quantity,
            "expected_date": expected_date,
        },
    )


def incoming_supply_clear(*, references: list[str]) -> None:
    IncomingSupply.objects.filter(reference__in=references).delete()
