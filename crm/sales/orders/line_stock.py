"""An order's lines as the order page shows them once confirmed: where each line's stock is held
(warehouse, lot, quantity: inventory's reservations for the line's demand) and, for what a line
still waits for (its backorder), the day it is expected (``scm.inventory.promise`` from where
the order ships, once the receipts have served the orders the backorder rule serves first).
Reads only; a fixed number of queries whatever the number of lines."""

from crm.sales.orders.document_lines import lines_promise
from scm.inventory.selectors import held_for_demands


class _Waiting:
    """A backordered line as the promise reads it: its product and what it lacks."""

    def __init__(self, line):
        self.line, self.product, self.base_quantity = line, line.product, line.backordered_quantity
        self.promise_date = None


def order_lines_stock(order) -> list:
    """The order's lines (as prefetched with their products), each with ``held`` (its
    reservations: ``warehouse``, ``lot``, ``quantity``) and ``backorder_promise`` (the
    ``Promise`` of its backorder, or None when it waits for nothing: expected receipts go first
    to the orders ahead of it, ``waiting.backorders_waiting``)."""
    lines = list(order.lines.all())
    held = held_for_demands(demands=[line.demand for line in lines]) if lines else {}
    waiting = [_Waiting(line) for line in lines if line.backordered_quantity > 0]
    promises = lines_promise(waiting, ship_from=order.ship_from, ahead_of=order) if waiting else []
    expected = {w.line.pk: promise for w, promise in zip(waiting, promises, strict=True)}
    for line in lines:
        line.held = held.get(line.demand, [])
        line.backorder_promise = expected.get(line.pk)
    return lines
