"""Quote services: create, change, send (PDF by e-mail), accept (→ sales order), cancel, expire.

Each function is one transaction; state changes are compare-and-set on the state the caller saw.
E-mail goes through the outbox (``quote.email_due``): the worker sends it outside any
transaction and retries it while the mail server is down; never inside the request.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from core.events import names
from core.events.services import notify, publish
from core.numbers import document_number
from core.people import display_name
from crm.sales.models import Quote, QuoteEmail, QuoteLine, SalesOrder
from crm.sales.orders import services as order_services
from crm.sales.orders.document_lines import document_lines
from crm.sales.orders.pricing import lines_as_input

Q = Quote.State
DEFAULT_VALIDITY_DAYS = 30
# A quote can be changed and sent while draft or sent; accepted only while not expired.
EDITABLE_STATES = frozenset({Q.DRAFT})
ACCEPTABLE_STATES = frozenset({Q.DRAFT, Q.SENT})


def _check_valid_until(valid_until: date) -> None:
    if valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The validity date cannot be in the past.")})


@transaction.atomic
def quote_create(
    *,
    customer,
    owner,
    lines: list[dict],
    valid_until: date | None = None,
    notes: str = "",
) -> Quote:
    """A draft quote. Lines as for ``order_services.order_create`` (product, quantity, unit,
    unit_price, discount_percent); bad input raises one ``ValidationError`` naming the fields.
    Written on behalf of ``owner``: the customer must be one they may read. Prices not given are
    resolved for the customer today (``pricing.lines_price``); each line keeps the day it can
    be promised (``document_lines``)."""
    order_services._check_customer(customer, owner)
    found = document_lines(lines, customer=customer, on=timezone.localdate())
    priced = found.priced
    valid_until = valid_until or timezone.localdate() + timedelta(days=DEFAULT_VALIDITY_DAYS)
    _check_valid_until(valid_until)
    quote = Quote.objects.create(
        number=document_number(prefix="QT"),
        customer=customer,
        owner=owner,
        valid_until=valid_until,
        notes=notes,
        **found.totals,
    )
    QuoteLine.objects.bulk_create([QuoteLine(quote=quote, **p.as_fields()) for p in priced])
    return quote


def _lock_in(quote: Quote, states, message) -> Quote:
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    if locked.state not in states:
        raise ValidationError({"state": message})
    return locked


@transaction.atomic
def quote_update(
    *,
    quote: Quote,
    lines: list[dict] | None = None,
    valid_until: date | None = None,
    notes: str | None = None,
    customer=None,
    user,
) -> Quote:
    """Change a draft quote (lines replaced when given) on behalf of ``user``, who must be able
    to read a new customer."""
    locked = _lock_in(quote, EDITABLE_STATES, _("Only a draft quote can be changed."))
    fields = {}
    if customer is not None:
        order_services._check_customer(customer, user)
        fields["customer"] = customer
    if valid_until is not None:
        _check_valid_until(valid_until)
        fields["valid_until"] = valid_until
    if notes is not None:
        fields["notes"] = notes
    if lines is None and "customer" in fields and fields["customer"].pk != locked.customer_id:
        # Another customer, other prices: the lines are priced again for them (typed prices kept).
        lines = lines_as_input(quote.lines.select_related("product", "unit").order_by("pk")) or None
    if lines is not None:
        found = document_lines(
            lines, customer=fields.get("customer", locked.customer), on=timezone.localdate()
        )
        priced = found.priced
        fields.update(found.totals)
        QuoteLine.objects.filter(quote=quote).delete()
        QuoteLine.objects.bulk_create([QuoteLine(quote=quote, **p.as_fields()) for p in priced])
    if fields:
        Quote.objects.filter(pk=quote.pk).update(**fields)
        for name, value in fields.items():
            setattr(quote, name, value)
    return quote


def quote_recipient(quote: Quote) -> str:
    """The e-mail address a quote goes to: the primary contact's, any contact's, the customer's."""
    contacts = quote.customer.contacts.exclude(email="").order_by("-is_primary", "name")
    first = contacts.values_list("email", flat=True).first()
    return first or quote.customer.email or ""


def _send_quote_email(quote_id: int, recipient: str, language: str) -> None:
    from crm.sales.orders.quote_pdf import quote_pdf

    quote = Quote.objects.select_related("customer", "owner").get(pk=quote_id)
    with override(language):
        pdf = quote_pdf(quote)
        message = EmailMessage(
            subject=_("Quote %(number)s") % {"number": quote.number},
            body=_(
                "Dear customer,\n\nplease find attached our quote %(number)s, valid until %(date)s.\n\n"
                "Kind regards,\n%(owner)s"
            )
            % {
                "number": quote.number,
                "date": quote.valid_until.isoformat(),
                "owner": display_name(quote.owner),
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
        )
        message.attach(f"{quote.number}.pdf", pdf, "application/pdf")
        message.send()


@transaction.atomic
def quote_send(*, quote: Quote, user=None, recipient: str | None = None) -> Quote:
    """E-mail the quote's PDF to the customer's contact: through the outbox
    (``quote.email_due``), sent by the worker outside any transaction and retried while the mail
    server is down (``quote_email_send``); the quote is marked sent once the e-mail has left
    (``quote.email_pending`` is True meanwhile). A quote can be sent again while it is open.
    Without any e-mail address on file the quote is marked sent at once (handed over by other
    means) and ``quote.sent_to`` is empty."""
    from django.utils.translation import get_language

    locked = _lock_in(quote, {Q.DRAFT, Q.SENT}, _("Only a draft or sent quote can be sent."))
    if locked.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quote has expired: change its validity date first.")})
    to = recipient if recipient is not None else quote_recipient(locked)
    quote.sent_to = to
    quote.email_pending = bool(to)
    if to:
        event = publish(
            names.QUOTE_EMAIL_DUE,
            {"quote_id": quote.pk, "recipient": to, "language": get_language() or settings.LANGUAGE_CODE},
        )
        QuoteEmail.objects.create(quote_id=quote.pk, event_id=event.pk, recipient=to)
        quote.state = locked.state
        return quote
    if locked.state != Q.SENT:
        Quote.objects.filter(pk=quote.pk, state=locked.state).update(state=Q.SENT)
    quote.state = Q.SENT
    return quote


class QuoteEmailFailed(Exception):
    """The mail server refused the quote's e-mail or could not be reached; the outbox retries."""


QUOTE_EMAIL_FAILED = gettext_noop("The e-mail of quote %(number)s to %(email)s failed: %(reason)s")


QUOTE_EMAIL_INTERRUPTED = gettext_noop(
    "The sending was interrupted; the e-mail may not have reached the customer."
)


def quote_email_send(*, quote_id: int, recipient: str, language: str, event_id: int) -> str:
    """The worker's side of ``quote_send`` for the event ``event_id`` (call it outside a
    transaction), in three steps like the shipping notice's: claim the sending
    (``QuoteEmail`` → sending, its row locked meanwhile), send holding no lock, record the outcome.
    Once sent, the quote is marked sent (if it is still a draft). Returns ``sent``; ``skipped``
    when this e-mail was sent already or the quote is no longer open (accepted, cancelled,
    expired or deleted meanwhile); ``interrupted`` when an earlier run stopped between sending
    and recording (the e-mail may have left: it is not sent twice, the owner is told). When the
    send fails the owner is told why, the e-mail is recorded as failed and ``QuoteEmailFailed``
    is raised, so that the outbox retries with its backoff."""
    email, outcome = _quote_email_claim(quote_id=quote_id, recipient=recipient, event_id=event_id)
    if email is None:
        return outcome
    try:
        _send_quote_email(quote_id, recipient, language)
    except Exception as exc:  # noqa: BLE001 - whatever stopped the e-mail is reported and retried
        reason = (str(exc) or type(exc).__name__).strip()[:500]
        _quote_email_failed(email, reason)
        raise QuoteEmailFailed(reason) from exc
    with transaction.atomic():
        QuoteEmail.objects.filter(pk=email.pk).update(state=QuoteEmail.State.SENT, error="")
        Quote.objects.filter(pk=quote_id, state=Q.DRAFT).update(state=Q.SENT)
    return "sent"


def _quote_email_claim(*, quote_id: int, recipient: str, event_id: int) -> tuple[QuoteEmail | None, str]:
    """Step 1: the e-mail moves to ``sending`` (one transaction, its row locked meanwhile)."""
    with transaction.atomic():
        quote = Quote.objects.filter(pk=quote_id).select_related("owner").first()
        if quote is None:
            return None, "skipped"
        email, _created = QuoteEmail.objects.select_for_update(of=("self",)).get_or_create(
            event_id=event_id, defaults={"quote": quote, "recipient": recipient}
        )
        email.quote = quote
        if email.state == QuoteEmail.State.SENT or quote.state not in {Q.DRAFT, Q.SENT}:
            return None, "skipped"
        if email.state == QuoteEmail.State.SENDING:
            _quote_email_failed(email, QUOTE_EMAIL_INTERRUPTED)
            return None, "interrupted"
        email.attempts += 1
        QuoteEmail.objects.filter(pk=email.pk).update(state=QuoteEmail.State.SENDING, attempts=email.attempts)
    return email, "sending"


def _quote_email_failed(email: QuoteEmail, reason: str) -> None:
    """The e-mail did not (or may not have) left: recorded with the reason, its owner told."""
    quote = email.quote
    QuoteEmail.objects.filter(pk=email.pk).update(state=QuoteEmail.State.FAILED, error=reason[:500])
    notify(
        users=[quote.owner_id],
        title=gettext_noop("The e-mail of quote %(number)s failed"),
        body=QUOTE_EMAIL_FAILED,
        params={"number": quote.number, "email": email.recipient, "reason": reason},
        url=reverse("sales:orders:quote_detail", args=[quote.pk]),
        kind="quote_email_failed",
        key=f"quote-email-failed:{quote.pk}",
    )


@transaction.atomic
def quote_accept(*, quote: Quote, user) -> SalesOrder:
    """The customer accepted: the quote becomes a draft sales order with the quote's prices (and
    where they came from, and its order-level promotion: what the customer was offered holds),
    in one transaction (the quote is locked, so accepting twice creates one order)."""
    locked = Quote.objects.select_for_update(of=("self",)).select_related("customer").get(pk=quote.pk)
    if locked.state == Q.ACCEPTED:
        raise ValidationError({"state": _("This quote has already been accepted.")})
    if locked.state not in ACCEPTABLE_STATES:
        raise ValidationError({"state": _("Only a draft or sent quote can be accepted.")})
    if locked.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quote has expired and can no longer be accepted.")})
    lines = [
        {
            "product": line.product,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "price_source": line.price_source,
            "price_list": line.price_list_id,
            "price_promotion": line.price_promotion_id,
            "promotion_discount": line.promotion_discount,
            "order_promotion": locked.promotion_id,
        }
        for line in locked.lines.select_related("product", "unit")
    ]
    order = order_services.order_create(
        customer=locked.customer,
        owner=locked.owner,
        lines=lines,
        notes=locked.notes,
        quote=locked,
        keep_prices=True,
    )
    Quote.objects.filter(pk=quote.pk).update(state=Q.ACCEPTED)
    quote.state = Q.ACCEPTED
    return order


@transaction.atomic
def quote_cancel(*, quote: Quote, user=None) -> Quote:
    _lock_in(quote, {Q.DRAFT, Q.SENT}, _("Only a draft or sent quote can be cancelled."))
    Quote.objects.filter(pk=quote.pk).update(state=Q.CANCELLED)
    quote.state = Q.CANCELLED
    return quote


def quotes_expire(*, today: date | None = None) -> int:
    """Open quotes past their validity date become expired. One UPDATE; safe to run twice."""
    today = today or timezone.localdate()
    return Quote.objects.filter(state__in=[Q.DRAFT, Q.SENT], valid_until__lt=today).update(state=Q.EXPIRED)


@transaction.atomic
def quote_delete(*, quote: Quote) -> None:
    """Delete a draft quote (a sent one is cancelled instead, so the customer's copy stays true)."""
    _lock_in(quote, EDITABLE_STATES, _("Only a draft quote can be deleted; cancel a sent one."))
    Quote.objects.filter(pk=quote.pk).delete()
