"""Quote services: create, change, send (PDF by e-mail), accept (→ sales order), cancel, expire.

Each function is one transaction; state changes are compare-and-set on the state the caller saw.
E-mail is sent after commit, never inside the transaction.
"""

from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.numbers import document_number
from core.people import display_name
from crm.sales.models import Quote, QuoteLine, SalesOrder
from crm.sales.orders import services as order_services
from crm.sales.orders.pricing import lines_price, lines_totals

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
    Written on behalf of ``owner``: the customer must be one they may read."""
    order_services._check_customer(customer, owner)
    priced = lines_price(lines)
    valid_until = valid_until or timezone.localdate() + timedelta(days=DEFAULT_VALIDITY_DAYS)
    _check_valid_until(valid_until)
    quote = Quote.objects.create(
        number=document_number(prefix="QT"),
        customer=customer,
        owner=owner,
        valid_until=valid_until,
        notes=notes,
        **lines_totals(priced),
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
    _lock_in(quote, EDITABLE_STATES, _("Only a draft quote can be changed."))
    fields = {}
    if customer is not None:
        order_services._check_customer(customer, user)
        fields["customer"] = customer
    if valid_until is not None:
        _check_valid_until(valid_until)
        fields["valid_until"] = valid_until
    if notes is not None:
        fields["notes"] = notes
    if lines is not None:
        priced = lines_price(lines)
        fields.update(lines_totals(priced))
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
    """Mark the quote sent and e-mail its PDF to the customer's contact (after commit). A quote
    can be sent again while it is open. Without any e-mail address on file the quote is still
    marked sent (handed over by other means) and ``quote.sent_to`` is empty."""
    locked = _lock_in(quote, {Q.DRAFT, Q.SENT}, _("Only a draft or sent quote can be sent."))
    if locked.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quote has expired: change its validity date first.")})
    to = recipient if recipient is not None else quote_recipient(locked)
    if locked.state != Q.SENT:
        Quote.objects.filter(pk=quote.pk, state=locked.state).update(state=Q.SENT)
    quote.state = Q.SENT
    quote.sent_to = to
    if to:
        from django.utils.translation import get_language

        transaction.on_commit(
            partial(_send_quote_email, quote.pk, to, get_language() or settings.LANGUAGE_CODE)
        )
    return quote


@transaction.atomic
def quote_accept(*, quote: Quote, user) -> SalesOrder:
    """The customer accepted: the quote becomes a draft sales order with the quote's prices, in
    one transaction (the quote is locked, so accepting twice creates one order)."""
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
        }
        for line in locked.lines.select_related("product", "unit")
    ]
    order = order_services.order_create(
        customer=locked.customer,
        owner=locked.owner,
        lines=lines,
        notes=locked.notes,
        quote=locked,
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
