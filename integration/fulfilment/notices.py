"""The shipping notice: the e-mail that tells the customer's contact a shipment has left, with
its tracking number, recorded as sent only once it has been sent.

The invoicing handler records the notice as due (``shipment_notice_due``, in its transaction)
and publishes ``shipment.notice_due``; the worker runs ``shipment_notice_send`` for it outside
any transaction (the handler is registered with ``atomic=False``), because sending is network
I/O. Its steps, each but the send a short transaction of its own:

1. claim: the notice goes pending (or failed) → ``sending``, under its row lock, and the
   recipient is read afresh (an address corrected after a failure is used for the retry);
2. send, holding no lock and no transaction;
3. record the outcome: ``sent`` with the time and the order's timeline entry; or ``failed``
   with the reason, a timeline entry and a notification to the order's owner, and raise, so
   that the outbox retries with its backoff and, after ``EVENTS_MAX_ATTEMPTS``, marks the
   delivery dead (the notice stays ``failed`` and the shipment page shows why).

A worker that dies between 1 and 3 leaves the notice ``sending``: the e-mail may or may not
have left. The next run (once the delivery's lease is over) cannot tell, so it records the
notice as failed ("interrupted") and tells the rep rather than risk a second e-mail: one
shipment, at most one notice.
"""

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from core.events import names
from core.events.services import notify, publish
from core.i18n import message
from crm.sales.orders import services as order_services
from integration.fulfilment.models import Shipment, ShipmentNotice
from integration.fulfilment.services import _order_url

INTERRUPTED = gettext_noop("The sending was interrupted; the e-mail may not have reached the customer.")
SENT_TEXT = gettext_noop("Shipping notice for %(shipment)s sent to %(email)s")
FAILED_TEXT = gettext_noop("Shipping notice for %(shipment)s to %(email)s failed: %(reason)s")


class ShippingNoticeFailed(Exception):
    """The mail server refused the notice or could not be reached; the worker retries it."""


def shipment_notice_recipient(order) -> str:
    """Where a shipping notice for ``order`` goes: the primary contact's e-mail, any contact's,
    else the customer's own (empty: nobody to tell)."""
    contacts = order.customer.contacts.exclude(email="").order_by("-is_primary", "pk")
    contact = contacts.first()
    return contact.email if contact else order.customer.email


def shipment_notice_due(*, order, shipment: Shipment) -> ShipmentNotice | None:
    """Record that the customer is to be told about ``shipment`` and have the worker send it
    (``shipment.notice_due``, published in the caller's transaction). Once per shipment; None
    when the customer has no e-mail address."""
    recipient = shipment_notice_recipient(order)
    if not recipient:
        return None
    notice, created = ShipmentNotice.objects.get_or_create(
        shipment=shipment, defaults={"recipient": recipient}
    )
    if created:
        publish(names.SHIPMENT_NOTICE_DUE, {"shipment_id": shipment.pk, "order_id": order.pk})
    return notice


def shipment_notice_send(*, shipment_id: int) -> str:
    """Send the shipment's notice unless it was sent or its sending was interrupted (see the
    module's docstring). Call it outside a transaction. Returns ``sent``, ``interrupted`` or
    ``skipped`` (no notice, or already sent); raises ``ShippingNoticeFailed`` when the send
    failed (the failure is recorded first)."""
    notice, outcome = _notice_claim(shipment_id)
    if notice is None:
        return outcome
    try:
        _send(notice)
    except Exception as exc:  # noqa: BLE001 - whatever stopped the e-mail is recorded and retried
        reason = failure_reason(exc)
        _notice_failed(notice, reason)
        raise ShippingNoticeFailed(reason) from exc
    _notice_sent(notice)
    return "sent"


def failure_reason(exc: Exception) -> str:
    """What the mail server (or the network) said, for the rep: ``550 5.1.1 User unknown``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
        reason = f"{code} {_decoded(text)}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reason = f"{exc.smtp_code} {_decoded(exc.smtp_error)}"
    else:
        reason = str(exc) or type(exc).__name__
    return reason.strip()[:500]


def _decoded(text) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _notice_claim(shipment_id: int) -> tuple[ShipmentNotice | None, str]:
    """Step 1: the notice moves to ``sending`` (one transaction, its row locked meanwhile)."""
    with transaction.atomic():
        notice = (
            ShipmentNotice.objects.select_for_update(of=("self",))
            .select_related("shipment__order__customer")
            .filter(shipment_id=shipment_id)
            .first()
        )
        if notice is None or notice.state == ShipmentNotice.State.SENT:
            return None, "skipped"
        if notice.state == ShipmentNotice.State.SENDING:
            _notice_failed(notice, INTERRUPTED)
            return None, "interrupted"
        notice.recipient = shipment_notice_recipient(notice.shipment.order) or notice.recipient
        notice.attempts += 1
        ShipmentNotice.objects.filter(pk=notice.pk).update(
            state=ShipmentNotice.State.SENDING,
            recipient=notice.recipient,
            attempts=notice.attempts,
            updated_at=timezone.now(),
        )
    return notice, "sending"


def _send(notice: ShipmentNotice) -> None:
    """Step 2: the e-mail itself, in the company's language; raises when it did not go out."""
    shipment = notice.shipment
    order = shipment.order
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your order %(number)s has shipped") % {"number": order.number}
        body = _(
            "Dear %(customer)s,\n\nyour order %(number)s has shipped with %(carrier)s.\n"
            "Tracking number: %(tracking)s\n\nThank you for your order."
        ) % {
            "customer": order.customer.name,
            "number": order.number,
            "carrier": shipment.carrier,
            "tracking": shipment.tracking_number,
        }
        arrival = arrival_text(shipment)
        if arrival:
            body += "\n\n" + arrival
        if shipment.delivered_at is None:
            from integration.fulfilment.delivery import link_url

            body += "\n\n" + _("Has it arrived? Please confirm here: %(url)s") % {"url": link_url(shipment)}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.recipient], fail_silently=False)


def arrival_text(shipment: Shipment) -> str:
    """When the shipment is expected, in the active language, counted from the day it left:
    "您的订单已出库，预计明日送达" (1 day), "…预计后天送达" (2 days), else the date. Empty when
    no day is expected (no carrier from the list)."""
    expected = shipment.expected_delivery_on
    if expected is None:
        return ""
    shipped_on = timezone.localdate(shipment.shipped_at) if shipment.shipped_at else timezone.localdate()
    days = (expected - shipped_on).days
    if days <= 0:
        return pgettext("delivery", "Your order has left our warehouse and is expected today.")
    if days == 1:
        return pgettext("delivery", "Your order has left our warehouse and is expected tomorrow.")
    if days == 2:
        return pgettext(
            "delivery", "Your order has left our warehouse and is expected the day after tomorrow."
        )
    return pgettext("delivery", "Your order has left our warehouse and is expected on %(date)s.") % {
        "date": date_format(expected, "MONTH_DAY_FORMAT")
    }


def _notice_sent(notice: ShipmentNotice) -> None:
    """Step 3, it went out: ``sent`` with the time, and the order's timeline says so. Written
    whatever the notice's state meanwhile: the e-mail has left, that is the truth."""
    with transaction.atomic():
        now = timezone.now()
        ShipmentNotice.objects.filter(pk=notice.pk).update(
            state=ShipmentNotice.State.SENT, sent_at=now, last_error="", updated_at=now
        )
        order_services.order_add_event(
            order=notice.shipment.order_id,
            kind="customer_notified",
            text=SENT_TEXT,
            params={"shipment": notice.shipment.number, "email": notice.recipient},
        )


def _notice_failed(notice: ShipmentNotice, reason: str) -> None:
    """Step 3, it did not go out (or may not have): ``failed`` with the reason. The order's
    timeline records each new reason (a retry failing the same way adds no entry) and the
    order's owner is told once per shipment."""
    shipment, order = notice.shipment, notice.shipment.order
    params = {
        "shipment": shipment.number,
        "number": order.number,
        "email": notice.recipient,
        "reason": message(reason) if reason == INTERRUPTED else reason,
    }
    with transaction.atomic():
        ShipmentNotice.objects.filter(pk=notice.pk).update(
            state=ShipmentNotice.State.FAILED, last_error=reason, updated_at=timezone.now()
        )
        if reason != notice.last_error:
            order_services.order_add_event(
                order=order.pk, kind="customer_notice_failed", text=FAILED_TEXT, params=params
            )
        notify(
            users=[order.owner_id],
            title=gettext_noop("The shipping notice for order %(number)s failed"),
            body=FAILED_TEXT,
            params=params,
            url=_order_url(order),
            kind="shipping_notice_failed",
            key=f"shipping-notice-failed:{shipment.pk}",
        )
    notice.last_error = reason
