"""A ticket's timeline: the one way a line is added (``TicketEvent``)."""

from django.utils import timezone

from crm.service.models import TicketEvent


def ticket_event_add(*, ticket, kind: str, data: dict, text: str = "", actor=None) -> TicketEvent:
    """Add one line to ``ticket``'s timeline: ``kind`` names what happened, ``data`` keeps the
    facts (plain JSON values), ``text`` is free text a person wrote (a comment), if any. Runs in
    the caller's transaction."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, data=data or {}, text=text or "", actor=user, at=timezone.now()
    )
