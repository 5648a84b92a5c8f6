"""On-site visits of installation and repair tickets: booked in the engineer's first free
2-hour slot in business hours (or at a time given), done (the ticket's reserved parts used) or
cancelled. Every change takes the ticket's row first, as every ticket change does, then the
visit's or the engineer's."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import atomic_with_retry
from crm.service import assignment, parts
from crm.service.models import ON_SITE, Engineer, Ticket, Visit
from crm.service.services import ticket_locked
from crm.service.sla import Clock
from crm.service.timeline import ticket_event

# How far ahead a visit may be booked (a date beyond is a typing mistake, and one near the end of
# the calendar would not even leave room for the visit's end).
MAX_VISIT_AHEAD = timedelta(days=366)


@atomic_with_retry
def visit_book(*, ticket, engineer=None, starts_at=None, user) -> Visit:
    """Book an on-site visit: the engineer (the assignee by default) at ``starts_at`` or at their
    first free 2-hour slot in business hours, not overlapping their planned visits."""
    ticket = ticket_locked(ticket)
    if ticket.category not in ON_SITE:
        raise ValidationError({"ticket": _("Only installation and repair tickets get a visit.")})
    if not ticket.is_open:
        raise ValidationError({"state": _("A resolved or closed ticket gets no visit.")})
    engineer = engineer or ticket.assignee
    if engineer is None:
        raise ValidationError({"engineer": _("Assign the ticket to an engineer first.")})
    # The engineer's row locked: two bookings for one engineer at once never both find a slot free.
    if not Engineer.objects.select_for_update().filter(user=engineer, is_active=True).exists():
        raise ValidationError({"engineer": _("Choose an active engineer.")})
    length = timedelta(hours=assignment.VISIT_HOURS)
    now = timezone.now()
    if starts_at is None:
        earliest = now.replace(second=0, microsecond=0)
        earliest += timedelta(minutes=(-earliest.minute) % 30)
        starts_at = assignment.free_slot(clock=Clock.load(), engineer_user=engineer, earliest=earliest)
        if starts_at is None:
            raise ValidationError({"starts_at": _("No free time slot was found.")})
    else:
        if starts_at < now - timedelta(minutes=5):
            raise ValidationError({"starts_at": _("The visit cannot start in the past.")})
        if starts_at > now + MAX_VISIT_AHEAD:
            raise ValidationError({"starts_at": _("A visit can be booked at most a year ahead.")})
        if not assignment.slot_is_free(
            engineer_user=engineer, starts_at=starts_at, ends_at=starts_at + length
        ):
            raise ValidationError({"starts_at": _("The engineer has another visit at this time.")})
    visit = Visit.objects.create(
        ticket=ticket, engineer=engineer, starts_at=starts_at, ends_at=starts_at + length
    )
    ticket_event(
        ticket,
        "visit",
        user=user,
        visit=visit.pk,
        state="planned",
        starts_at=starts_at.isoformat(),
        engineer_name=str(engineer),
    )
    return visit


def _locked_visit(visit) -> Visit:
    return Visit.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=visit.pk)


@atomic_with_retry
def visit_complete(*, visit, notes: str = "", user) -> Visit:
    """The visit is done: its notes kept, the ticket's reserved parts used."""
    ticket_locked(Ticket(pk=visit.ticket_id))  # the ticket's row first, as every ticket change takes it
    visit = _locked_visit(visit)
    if visit.state != Visit.State.PLANNED:
        raise ValidationError({"state": _("Only a planned visit can be completed.")})
    if not visit.ticket.is_open:
        raise ValidationError({"state": _("The ticket is resolved or closed: reopen it first.")})
    visit.state = Visit.State.DONE
    visit.notes = notes or ""
    visit.done_at = timezone.now()
    visit.save()
    ticket = ticket_locked(visit.ticket)
    if ticket.first_response_at is None:
        ticket.first_response_at = visit.done_at
        ticket.save(update_fields=["first_response_at", "updated_at"])
    parts.ticket_parts_consume(ticket=ticket, visit=visit, user=user)
    ticket_event(ticket, "visit", user=user, text=visit.notes, visit=visit.pk, state="done")
    return visit


@atomic_with_retry
def visit_cancel(*, visit, user, reason: str = "") -> Visit:
    visit = _locked_visit(visit)
    if visit.state != Visit.State.PLANNED:
        raise ValidationError({"state": _("Only a planned visit can be cancelled.")})
    visit.state = Visit.State.CANCELLED
    visit.notes = reason or visit.notes
    visit.save()
    ticket_event(visit.ticket, "visit", user=user, text=reason or "", visit=visit.pk, state="cancelled")
    return visit


# Writes that are not one ticket's: the calendar, targets, teams (used by the settings pages).
