"""Survey rules of service: a closed ticket gets its survey; the survey e-mail goes out from a
handler that runs outside any transaction (network I/O), retried by the outbox on failure."""

from core.events import names
from core.events.registry import on
from crm.service import surveys
from crm.service.models import Survey, Ticket


@on(names.TICKET_CLOSED)
def survey_after_ticket(event):
    """Once per ticket (the survey's unique constraint; ``survey_create`` returns the first)."""
    ticket = (
        Ticket.objects.select_related("customer", "contact", "order")
        .filter(pk=event.payload["ticket_id"])
        .first()
    )
    if ticket is None:
        return
    surveys.survey_create(kind=Survey.Kind.TICKET, customer=ticket.customer, ticket=ticket)


@on(names.SURVEY_EMAIL_DUE, atomic=False)
def send_survey_email(event):
    surveys.survey_send(survey_id=event.payload["survey_id"])
