"""Satisfaction surveys: one after each delivery and one after each closed ticket.

- ``survey_create`` records the survey (once per shipment / per ticket: the unique constraints
  hold it, a second call returns the first) with its recipient and expiry
  (``SURVEY_EXPIRY_DAYS``) and publishes ``survey.email_due`` in the caller's transaction.
- ``survey_send`` runs in the worker outside any transaction (network I/O), as the shipping
  notice does: pending (or failed) → ``sending`` (claimed by a conditional UPDATE) → the e-mail
  → ``sent``; a failed send is recorded (``failed``) and raised, so the outbox retries it with
  its backoff; a survey found still ``sending`` was interrupted: ``failed``, never resent.
- The customer answers at a signed link (``django.core.signing`` of the survey id with a salt;
  no login): ``survey_answer`` writes the score with a conditional UPDATE (``WHERE answered_at
  IS NULL`` and not expired), so one link gives one answer even when two submits race. A score
  at or below ``SURVEY_LOW_SCORE`` opens a follow-up ticket (``services.ticket_open``).

Only crm.service's own models and crm.customers / crm.sales are read here; the rule that joins
a delivered shipment to its survey lives above (integration.aftersales).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.events import names
from core.events.services import publish
from crm.service.models import Survey

SALT = "tandem.service.survey-link"
MAX_COMMENT = 2000


class SurveyFailed(Exception):
    """The mail server refused the survey e-mail or could not be reached; the worker retries."""


class SurveyExpired(Exception):
    pass


class SurveyAnswered(Exception):
    pass


class SurveyInvalid(Exception):
    pass


def _recipient(*, customer, contact=None, ticket=None) -> tuple[object | None, str]:
    """Who is asked: the ticket's contact or requester, else the customer's primary contact
    with an e-mail address, else any contact's, else the customer's own."""
    if contact is not None and contact.email:
        return contact, contact.email
    if ticket is not None:
        if ticket.contact_id and ticket.contact.email:
            return ticket.contact, ticket.contact.email
        if ticket.requester_email:
            return None, ticket.requester_email
    first = customer.contacts.exclude(email="").order_by("-is_primary", "pk").first()
    if first is not None:
        return first, first.email
    return None, customer.email


def survey_create(
    *, kind: str, customer, order=None, shipment_id: int | None = None, ticket=None, contact=None, now=None
) -> Survey:
    """The survey after a delivery (``shipment_id``, with its ``order``) or a closed ``ticket``.
    Idempotent: the one survey per shipment / per ticket is returned when it exists. A customer
    with no e-mail address gets a survey marked failed (nobody to ask) and no e-mail."""
    if kind not in Survey.Kind.values:
        raise ValidationError({"kind": _("Unknown survey kind.")})
    if kind == Survey.Kind.DELIVERY and not shipment_id:
        raise ValidationError({"shipment_id": _("A delivery survey names its shipment.")})
    if kind == Survey.Kind.TICKET and ticket is None:
        raise ValidationError({"ticket": _("A ticket survey names its ticket.")})
    lookup = (
        {"kind": kind, "shipment_id": shipment_id}
        if kind == Survey.Kind.DELIVERY
        else {"kind": kind, "ticket": ticket}
    )
    existing = Survey.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    contact, recipient = _recipient(customer=customer, contact=contact, ticket=ticket)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                kind=kind,
                customer=customer,
                contact=contact,
                recipient=recipient or "",
                order=order if order is not None else (ticket.order if ticket is not None else None),
                shipment_id=shipment_id,
                ticket=ticket,
                expires_at=now + timedelta(days=settings.SURVEY_EXPIRY_DAYS),
                state=Survey.State.PENDING if recipient else Survey.State.FAILED,
            )
            if recipient:
                publish(names.SURVEY_EMAIL_DUE, {"survey_id": survey.pk})
    except IntegrityError:
        # Another run made it meanwhile (the unique constraint): that one is the survey.
        return Survey.objects.get(**lookup)
    return survey


# --- the link ---------------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SALT, compress=True)


def survey_url(survey: Survey) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("surveys:answer", args=[survey_token(survey)])


def survey_from_token(token: str) -> Survey:
    """The survey a link names, or ``SurveyInvalid`` (altered, or no such survey). Expiry is the
    survey's own ``expires_at`` (the answer page says so), not the signature's age."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise SurveyInvalid from None
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise SurveyInvalid
    survey = Survey.objects.select_related("customer", "order", "ticket").filter(pk=pk).first()
    if survey is None:
        raise SurveyInvalid
    return survey


# --- the answer -------------------------------------------------------------------------------


def _score(value) -> int:
    try:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit():
            raise ValueError
        score = int(text)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("Choose a score from 0 to 10.")}) from None
    if not 0 <= score <= 10:
        raise ValidationError({"score": _("Choose a score from 0 to 10.")})
    return score


def survey_answer(*, survey: Survey, score, comment: str = "", now=None) -> Survey:
    """The customer's answer: once per survey, before it expires. Raises ``SurveyAnswered``
    (a second answer: nothing changes), ``SurveyExpired``, or a ``ValidationError`` naming the
    field. Two submits at once: the conditional UPDATE lets exactly one through. A low score
    (≤ ``SURVEY_LOW_SCORE``) opens a follow-up ticket in the same transaction."""
    score = _score(score)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %(max)s characters.") % {"max": MAX_COMMENT}})
    now = now or timezone.now()
    with transaction.atomic():
        updated = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True, expires_at__gt=now).update(
            answered_at=now, score=score, comment=comment, state=Survey.State.ANSWERED
        )
        if not updated:
            current = Survey.objects.get(pk=survey.pk)
            if current.answered_at is not None:
                raise SurveyAnswered
            raise SurveyExpired
        survey = Survey.objects.select_related("customer", "order", "ticket", "contact").get(pk=survey.pk)
        publish(
            names.SURVEY_ANSWERED, {"survey_id": survey.pk, "customer_id": survey.customer_id, "score": score}
        )
        if score <= settings.SURVEY_LOW_SCORE:
            ticket = _open_follow_up(survey)
            Survey.objects.filter(pk=survey.pk).update(follow_up=ticket)
            survey.follow_up = ticket
    return survey


def _open_follow_up(survey: Survey):
    """The ticket a low score opens: a question, priority high, by the web, with the comment."""
    from crm.service.models import Channel, Priority
    from crm.service.services import ticket_open

    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Low satisfaction score %(score)s/10 (%(kind)s)") % {
            "score": survey.score,
            "kind": survey.get_kind_display(),
        }
        description = survey.comment or _("The customer left no comment.")
    return ticket_open(
        customer=survey.customer,
        category="question",
        subject=subject[:200],
        description=description,
        priority=Priority.HIGH,
        channel=Channel.WEB,
        contact=survey.contact,
        order=survey.order,
        requester_email=survey.recipient,
    )


# --- the e-mail -------------------------------------------------------------------------------


def survey_send(*, survey_id: int) -> str:
    """Send the survey e-mail unless it was sent, answered or its sending was interrupted.
    Outside any transaction. Returns ``sent``, ``interrupted`` or ``skipped``; raises
    ``SurveyFailed`` after recording the failure.

    As the shipping notice: the survey is first claimed (pending or failed → ``sending``, one
    conditional UPDATE), then the e-mail goes, then ``sent`` (or ``failed``). A delivery that
    finds the survey still ``sending`` (the outbox's lease ran out while a send was under way,
    or the worker died in it) sends nothing: the survey is recorded ``failed`` and never sent
    again on its own, since the e-mail may well have reached the customer."""
    survey = Survey.objects.select_related("customer", "order", "ticket").filter(pk=survey_id).first()
    if survey is None:
        return "skipped"
    if survey.state == Survey.State.SENDING:
        return _interrupted(survey)
    if survey.state not in (Survey.State.PENDING, Survey.State.FAILED):
        return "skipped"
    if not survey.recipient or survey.expires_at <= timezone.now():
        return "skipped"
    claimed = Survey.objects.filter(
        pk=survey.pk, state__in=(Survey.State.PENDING, Survey.State.FAILED)
    ).update(state=Survey.State.SENDING)
    if not claimed:  # another delivery claimed it between the read and the UPDATE
        return _interrupted(survey)
    try:
        _send(survey)
    except Exception as exc:  # noqa: BLE001 - whatever stopped the e-mail is recorded and retried
        reason = (str(exc) or type(exc).__name__)[:500]
        failed = Survey.objects.filter(pk=survey.pk, state=Survey.State.SENDING).update(
            state=Survey.State.FAILED
        )
        if not failed:
            # Already recorded as interrupted by another delivery: no retry of its own.
            return "interrupted"
        raise SurveyFailed(reason) from exc
    # It went out: recorded whatever another delivery marked meanwhile (not over an answer).
    Survey.objects.filter(pk=survey.pk, state__in=(Survey.State.SENDING, Survey.State.FAILED)).update(
        state=Survey.State.SENT, sent_at=timezone.now()
    )
    return "sent"


def _interrupted(survey: Survey) -> str:
    """A survey found ``sending``: its send was cut off (or still runs elsewhere). Recorded
    ``failed``; nothing is sent."""
    marked = Survey.objects.filter(pk=survey.pk, state=Survey.State.SENDING).update(state=Survey.State.FAILED)
    return "interrupted" if marked else "skipped"


def _send(survey: Survey) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if survey.kind == Survey.Kind.DELIVERY:
            subject = _("How was the delivery of your order %(number)s?") % {
                "number": survey.order.number if survey.order else ""
            }
        else:
            subject = _("How did we handle your request %(number)s?") % {
                "number": survey.ticket.number if survey.ticket else ""
            }
        body = _(
            "Dear %(customer)s,\n\nhow likely are you to recommend us to a friend or colleague? "
            "One click gives your score (0–10):\n%(url)s\n\nThe link is valid until %(date)s. "
            "Thank you."
        ) % {
            "customer": survey.customer.name,
            "url": survey_url(survey),
            "date": timezone.localtime(survey.expires_at).strftime("%Y-%m-%d"),
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [survey.recipient], fail_silently=False)
