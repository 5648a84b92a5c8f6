"""A ticket's timeline: the one way a line is added (``ticket_event_add``); ticket events as
timeline entries in the reader's language (the ticket page and the customer 360 page); the
customer 360 panel of open tickets."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.people import display_name
from crm.service import selectors
from crm.service.models import Ticket, TicketEvent

STATE_LABELS = dict(Ticket.State.choices)
HOME_ROWS = 8


def ticket_event_add(
    *, ticket: Ticket | int, kind: str, data: dict | None = None, text: str = "", actor=None, at=None
) -> TicketEvent:
    """Add one line to a ticket's timeline (the ticket or its id): ``kind`` names what happened,
    ``data`` keeps the facts (plain JSON values). ``text`` is what a person wrote (a comment),
    or, with ``data["params"]``, a message key (``gettext_noop``) the params fill when shown in
    the reader's language. Runs in the caller's transaction."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    ticket_id = ticket.pk if isinstance(ticket, Ticket) else int(ticket)
    return TicketEvent.objects.create(
        ticket_id=ticket_id,
        kind=kind[:30],
        data=data or {},
        text=text or "",
        actor=user,
        at=at or timezone.now(),
    )


def ticket_event(ticket, kind: str, *, user=None, text: str = "", at=None, **data) -> TicketEvent:
    """``ticket_event_add`` with the facts as keyword arguments (the desk's own lines)."""
    return ticket_event_add(ticket=ticket, kind=kind, actor=user, text=text, data=data, at=at)


def event_body(event) -> str:
    """What a person wrote, or a module's message in the reader's language."""
    params = (event.data or {}).get("params")
    if params is not None and event.text:
        try:
            return _(event.text) % params
        except (KeyError, TypeError, ValueError):
            return event.text
    return event.text


def event_title(event) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == "opened":
        return _("Ticket opened")
    if kind == "assigned":
        name = data.get("assignee_name") or ""
        if name:
            return _("Assigned to %(who)s (%(team)s)") % {"who": name, "team": data.get("team", "")}
        return _("Given to team %(team)s") % {"team": data.get("team", "")}
    if kind == "state":
        return _("%(from)s → %(to)s") % {
            "from": STATE_LABELS.get(data.get("from"), data.get("from", "")),
            "to": STATE_LABELS.get(data.get("to"), data.get("to", "")),
        }
    if kind == "comment":
        return _("Comment")
    if kind == "photo":
        return _("Photo added")
    if kind == "visit":
        state = data.get("state")
        if state == "planned":
            return _("Visit booked")
        if state == "done":
            return _("Visit done")
        return _("Visit cancelled")
    if kind == "sla_warning":
        return _("About to breach the SLA")
    if kind == "sla_breach":
        if data.get("target") == "first_response":
            return _("First response target breached")
        return _("Resolution target breached")
    if kind == "quality_confirmed":
        return _("Quality complaint confirmed")
    if kind == "updated":
        return _("Ticket changed")
    if kind == "part_added":
        return _("Part reserved: %(product)s × %(qty)s") % {
            "product": data.get("product", ""),
            "qty": data.get("quantity", ""),
        }
    if kind == "part_removed":
        return _("Part removed: %(product)s") % {"product": data.get("product", "")}
    if kind == "parts_used":
        return _("Parts used: %(products)s") % {
            "products": ", ".join(p.get("product", "") for p in data.get("parts", []))
        }
    if kind == "part_moved":
        return _("Part %(product)s × %(qty)s reserved again: lot %(lot)s is on hold") % {
            "product": data.get("product", ""),
            "qty": data.get("quantity", ""),
            "lot": data.get("lot", ""),
        }
    if kind == "part_short":
        msg = _("Part %(product)s is short by %(qty)s: lot %(lot)s is on hold and no other stock is free")
        return msg % {
            "product": data.get("product", ""),
            "qty": data.get("quantity", ""),
            "lot": data.get("lot", ""),
        }
    if kind == "parts_invoiced":
        return _("Parts invoiced on %(number)s") % {"number": data.get("number", "")}
    if kind == "trace":
        return _("Lot traced")
    return kind


def ticket_entries(ticket, user, limit: int = 200) -> list[dict]:
    """The ticket's own events, newest first, as timeline entries."""
    events = ticket.events.select_related("actor").order_by("-at", "-pk")[:limit]
    return [
        {
            "at": e.at,
            "title": event_title(e),
            "body": event_body(e),
            "url": "",
            "kind": e.kind,
            "who": display_name(e.actor) if e.actor_id else "",
        }
        for e in events
    ]


def customer_entries(customer, user, limit) -> list[dict]:
    return [
        {
            "at": e.at,
            "title": f"{e.ticket.number} · {event_title(e)}",
            "body": event_body(e),
            "url": reverse("service:ticket_detail", args=[e.ticket_id]),
            "kind": "ticket",
            "kind_label": _("Ticket"),
            "who": display_name(e.actor) if e.actor_id else "",
        }
        for e in selectors.customer_ticket_events(customer=customer, user=user, limit=limit)
    ]


def customer_panel_context(customer, user) -> dict:
    return {"tickets": selectors.customer_tickets(customer=customer, user=user), "customer": customer}


def home_context(record, user) -> dict:
    """The service home page's panel: tickets near their SLA (breached, warned, due within
    ``SERVICE_SLA_SOON_HOURS``), the user's own first (two queries)."""
    qs = selectors.tickets_near_sla(user=user)
    return {
        "tickets": list(qs[:HOME_ROWS]),
        "user_id": user.pk,
        "now": timezone.now(),
        "count": qs.count(),
        "see_all": reverse("service:ticket_list") + "?sla=near",
    }
