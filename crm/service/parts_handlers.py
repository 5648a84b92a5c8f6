"""The parts' event rules: a lot put on hold moves the ticket parts that held it; stock that
becomes free serves the parts left short."""

from core.events import names
from core.events.registry import on
from crm.service.parts import ticket_parts_rereserve, ticket_parts_serve_short


@on(names.LOT_HELD)
def move_ticket_parts_off_held_lot(event):
    """A lot was put on hold: the ticket parts holding it are reserved elsewhere or marked short
    (once: a second run finds nothing of the lot held)."""
    ticket_parts_rereserve(lot_id=event.payload["lot_id"])


@on(names.STOCK_AVAILABLE)
def serve_short_ticket_parts(event):
    """Stock became free (a receipt, a transfer in, a return, a released reservation): the
    ticket parts left short of those products are reserved what they lack where there is enough."""
    ticket_parts_serve_short(product_ids=event.payload.get("product_ids") or [])
