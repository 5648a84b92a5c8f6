"""Event handlers of quotes and orders: the quote's e-mail, sent outside any transaction."""

from core.events import names
from core.events.registry import on
from crm.sales.orders import quote_services


@on(names.QUOTE_EMAIL_DUE, atomic=False)
def send_quote_email(event):
    """``quote.email_due``: send the quote's e-mail (``quote_services.quote_email_send``); a
    failure raises, and the outbox retries it."""
    payload = event.payload
    quote_services.quote_email_send(
        quote_id=payload["quote_id"],
        recipient=payload["recipient"],
        language=payload["language"],
        event_id=event.pk,
    )
