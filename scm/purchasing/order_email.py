"""A purchase order's e-mail to the supplier, as a quote's: queued through the outbox
(``purchase_order.email_due``) in the transaction that sends the order, sent by the worker
outside any transaction in three steps (claim, send, record), each sending recorded in
``PurchaseOrderEmail``; a retried delivery never sends it twice."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import get_language, gettext_noop, override
from django.utils.translation import gettext as _

from core.company import company_name
from core.events import names
from core.events.services import notify, publish
from core.people import display_name
from scm.purchasing.models import PurchaseOrder, PurchaseOrderEmail

E = PurchaseOrderEmail.State
P = PurchaseOrder.State
EMAIL_FAILED = gettext_noop("The e-mail of purchase order %(number)s to %(email)s failed: %(reason)s")
EMAIL_INTERRUPTED = gettext_noop("The sending was interrupted; the e-mail may not have reached the supplier.")


class PurchaseOrderEmailFailed(Exception):
    """The mail server refused the e-mail or could not be reached; the outbox retries."""


def order_recipient(order: PurchaseOrder) -> str:
    """The supplier's primary contact's address, else any contact's, else the supplier's."""
    first = (
        order.supplier.contacts.exclude(email="")
        .order_by("-is_primary", "name")
        .values_list("email", flat=True)
        .first()
    )
    return first or order.supplier.email or ""


def email_queue(*, order: PurchaseOrder, recipient: str | None = None) -> str:
    """Queue the order's e-mail (inside the caller's transaction); returns the address, or ""
    when the supplier has none (the order is then handed over by other means)."""
    to = recipient if recipient is not None else order_recipient(order)
    if not to:
        return ""
    event = publish(
        names.PURCHASE_ORDER_EMAIL_DUE,
        {"order_id": order.pk, "recipient": to, "language": get_language() or settings.LANGUAGE_CODE},
    )
    PurchaseOrderEmail.objects.create(order_id=order.pk, event_id=event.pk, recipient=to)
    return to


def _send(order_id: int, recipient: str, language: str) -> None:
    from scm.purchasing.documents import purchase_order_pdf

    order = PurchaseOrder.objects.select_related("supplier", "owner", "warehouse").get(pk=order_id)
    with override(language):
        message = EmailMessage(
            subject=_("Purchase order %(number)s") % {"number": order.number},
            body=_(
                "Dear supplier,\n\nplease find attached our purchase order %(number)s.\n"
                "Please confirm the delivery dates.\n\nKind regards,\n%(buyer)s\n%(company)s"
            )
            % {"number": order.number, "buyer": display_name(order.owner), "company": company_name()},
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
        )
        message.attach(f"{order.number}.pdf", purchase_order_pdf(order), "application/pdf")
        message.send()


def purchase_order_email_send(*, order_id: int, recipient: str, language: str, event_id: int) -> str:
    """The worker's side of ``purchase_order_send`` (call it outside a transaction). Returns
    ``sent``; ``skipped`` when this e-mail was sent already or the order was cancelled or
    deleted; ``interrupted`` when an earlier run stopped between sending and recording (not sent
    twice; the buyer is told). A failed send is recorded, the buyer told, and
    ``PurchaseOrderEmailFailed`` raised so that the outbox retries."""
    email, outcome = _claim(order_id=order_id, recipient=recipient, event_id=event_id)
    if email is None:
        return outcome
    try:
        _send(order_id, recipient, language)
    except Exception as exc:  # noqa: BLE001 - whatever stopped the e-mail is reported and retried
        reason = (str(exc) or type(exc).__name__).strip()[:500]
        _failed(email, reason)
        raise PurchaseOrderEmailFailed(reason) from exc
    PurchaseOrderEmail.objects.filter(pk=email.pk).update(state=E.SENT, error="")
    return "sent"


def _claim(*, order_id: int, recipient: str, event_id: int):
    with transaction.atomic():
        order = PurchaseOrder.objects.filter(pk=order_id).first()
        if order is None:
            return None, "skipped"
        email, _created = PurchaseOrderEmail.objects.select_for_update(of=("self",)).get_or_create(
            event_id=event_id, defaults={"order": order, "recipient": recipient}
        )
        email.order = order
        if email.state == E.SENT or order.state == P.CANCELLED:
            return None, "skipped"
        if email.state == E.SENDING:
            _failed(email, EMAIL_INTERRUPTED)
            return None, "interrupted"
        email.attempts += 1
        PurchaseOrderEmail.objects.filter(pk=email.pk).update(state=E.SENDING, attempts=email.attempts)
    return email, "sending"


def _failed(email: PurchaseOrderEmail, reason: str) -> None:
    order = email.order
    PurchaseOrderEmail.objects.filter(pk=email.pk).update(state=E.FAILED, error=reason[:500])
    notify(
        users=[order.owner_id],
        title=gettext_noop("The e-mail of purchase order %(number)s failed"),
        body=EMAIL_FAILED,
        params={"number": order.number, "email": email.recipient, "reason": reason},
        url=reverse("purchasing:order_detail", args=[order.pk]),
        kind="po_email_failed",
        key=f"po-email-failed:{email.pk}:{email.attempts}",
    )
