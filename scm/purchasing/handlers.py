"""Event handlers of purchasing: the purchase order's e-mail, sent outside any transaction."""

from core.events import names
from core.events.registry import on
from scm.purchasing import order_email


@on(names.PURCHASE_ORDER_EMAIL_DUE, atomic=False)
def send_purchase_order_email(event):
    """``purchase_order.email_due``: send the order's e-mail; a failure raises and the outbox
    retries it."""
    payload = event.payload
    order_email.purchase_order_email_send(
        order_id=payload["order_id"],
        recipient=payload["recipient"],
        language=payload["language"],
        event_id=event.pk,
    )
