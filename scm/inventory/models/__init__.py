"""The inventory app's models, by part: the catalogue, warehouses and the stock ledger, bins,
and the stock documents (transfers, counts)."""

from scm.inventory.models.bins import Location, LocationStock
from scm.inventory.models.catalogue import Brand, Category, Product, ProductUnit
from scm.inventory.models.documents import CountLine, CountSession, Transfer, TransferLine
from scm.inventory.models.stock import (
    IncomingSupply,
    Lot,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseQuerySet,
)

__all__ = [
    "Brand",
    "Category",
    "CountLine",
    "CountSession",
    "IncomingSupply",
    "Location",
    "LocationStock",
    "Lot",
    "Product",
    "ProductUnit",
    "Reservation",
    "StockLevel",
    "StockMove",
    "Transfer",
    "TransferLine",
    "Warehouse",
    "WarehouseQuerySet",
]
