"""The after-sales rules on service's events. Each runs in its delivery's transaction and is
idempotent."""

from core.events import names
from core.events.registry import on
from integration.aftersales import services


@on(names.TICKET_OPENED)
def trace_complaint(event):
    """A complaint naming a lot: trace it, write the result on the ticket, count complaints."""
    payload = event.payload or {}
    if not payload.get("lot_id") or payload.get("category") not in {str(c) for c in services.COMPLAINTS}:
        return
    services.complaint_trace(event_id=event.pk, ticket_id=payload["ticket_id"])


@on(names.TICKET_QUALITY_CONFIRMED)
def record_supplier_complaint(event):
    """A confirmed quality complaint counts against the supplier of its lot (once per ticket)."""
    services.quality_confirmed(ticket=event.payload["ticket_id"])
