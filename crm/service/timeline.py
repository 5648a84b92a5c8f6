"""Writing a ticket's timeline (``TicketEvent``): the one way other modules add a line to it."""

from django.utils import timezone

from crm.service.models import Ticket, TicketEvent


def ticket_event_add(
    *, ticket: Ticket | int, kind: str, data: dict | None = None, text: str = "", actor=None, at=None
) -> TicketEvent:
    """Add one line to the ticket's timeline. ``text`` is a message key (``gettext_noop``) whose
    placeholders ``data["params"]`` fill when shown; ``data`` keeps the facts (plain values)."""
    ticket_id = ticket.pk if isinstance(ticket, Ticket) else int(ticket)
    return TicketEvent.objects.create(
        ticket_id=ticket_id, kind=kind[:30], text=text, data=data or {}, actor=actor, at=at or timezone.now()
    )
