"""The parts' event rules: a lot put on hold moves the ticket parts that held it."""

from core.events import names
from core.events.registry import on
from crm.service.parts import ticket_parts_rereserve


@on(names.LOT_HELD)
def move_ticket_parts_off_held_lot(event):
    """A lot was put on hold: the ticket parts holding it are reserved elsewhere or marked short
    (once: a second run finds nothing of the lot held)."""
    ticket_parts_rereserve(lot_id=event.payload["lot_id"])
