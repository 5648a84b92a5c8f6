"""What service asks of the modules above it, filled in from their ``AppConfig.ready``.

Service may not read shipments (``integration.fulfilment`` is above it), yet a ticket names a
lot or serial "picked from what was shipped to this customer". The module that knows shipments
registers the two functions below; service calls them through ``shipped_lots`` and
``shipped_lot``. With nothing registered (service alone), no lot counts as shipped.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ShippedLot:
    """One lot or serial of one product shipped to a customer: in which shipment and order (the
    first, when several took it), on which day, how much in all (base units). A lot the customer
    got only as a service part has no shipment or order: the ticket it was used on instead, and
    the day it was used."""

    lot_id: int
    lot_number: str
    product_id: int
    product_name: str
    shipment_id: int | None
    shipment_number: str
    order_id: int | None
    order_number: str
    shipped_on: date
    quantity: object  # Decimal
    ticket_number: str = ""  # the first ticket it was used on as a part, if any


@dataclass(frozen=True)
class ShippedParcel:
    """A shipment that left for a customer: its number, order and day."""

    shipment_id: int
    shipment_number: str
    order_id: int
    shipped_on: date


# (customer_id, order_id or None, shipment_id or None) -> list[ShippedParcel], latest first
_parcels_provider: Callable | None = None
# (customer_id, product_id or None, search text or "", limit) -> list[ShippedLot], newest first
_lots_provider: Callable | None = None
# (customer_id, lot_id) -> ShippedLot or None
_lot_provider: Callable | None = None


def register_shipped(*, lots: Callable, lot: Callable, parcels: Callable | None = None) -> None:
    global _lots_provider, _lot_provider, _parcels_provider
    _lots_provider, _lot_provider = lots, lot
    if parcels is not None:
        _parcels_provider = parcels


def shipped_parcels(*, customer_id: int, order_id: int | None = None, shipment_id: int | None = None) -> list:
    """The shipments that left for the customer (of one order, or the one shipment, if given),
    latest first: what a complaint about a parcel (damage in transport, missing goods) names."""
    if _parcels_provider is None:
        return []
    return _parcels_provider(customer_id, order_id, shipment_id)


def shipped_lots(
    *, customer_id: int, product_id: int | None = None, search: str = "", limit: int = 50
) -> list[ShippedLot]:
    """The lots and serials shipped to the customer (of one product if given), newest first."""
    if _lots_provider is None:
        return []
    return _lots_provider(customer_id, product_id, search, limit)


def shipped_lot(*, customer_id: int, lot_id: int) -> ShippedLot | None:
    """The lot as shipped to this customer, or None when it never was."""
    if _lot_provider is None:
        return None
    return _lot_provider(customer_id, lot_id)
