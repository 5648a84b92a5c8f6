"""The service desk's state changes: opening a ticket, its transitions (new → assigned → in
progress → waiting for customer → resolved → closed, and reopen), comments, assignment, photos,
confirmed quality complaints (visits: ``visits``). One transaction each, the ticket row locked
for changes of its state; every change leaves a ``TicketEvent`` on the timeline.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.numbers import document_number
from core.sql import as_id
from crm.service import assignment, hooks, parts
from crm.service.models import (
    Category,
    Channel,
    Engineer,
    Priority,
    Ticket,
    TicketEvent,
    TicketPhoto,
    Visit,
)
from crm.service.sla import Clock, sla_target_for
from crm.service.timeline import ticket_event

State = Ticket.State
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 10

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "start": ((State.NEW, State.ASSIGNED), State.IN_PROGRESS),
    "wait": ((State.ASSIGNED, State.IN_PROGRESS), State.WAITING),
    "resume": ((State.WAITING,), State.IN_PROGRESS),
    "resolve": ((State.NEW, State.ASSIGNED, State.IN_PROGRESS, State.WAITING), State.RESOLVED),
    "close": ((State.RESOLVED,), State.CLOSED),
    "reopen": ((State.RESOLVED, State.CLOSED), None),  # back to assigned or new
}
ACTIONS = tuple(TRANSITIONS)


def allowed_actions(ticket) -> list[str]:
    """The transitions open to the ticket in its state."""
    return [a for a, (sources, _target) in TRANSITIONS.items() if ticket.state in sources]


def photo_max_bytes() -> int:
    return int(getattr(settings, "SERVICE_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES))


def _check_photo(image, *, field: str = "image") -> str:
    """The content type of an uploaded photo, or a ``ValidationError`` naming ``field``: it must
    really be a JPEG, PNG or WebP image of at most ``SERVICE_PHOTO_MAX_BYTES``."""
    from PIL import Image, UnidentifiedImageError

    if image is None or not hasattr(image, "read"):
        raise ValidationError({field: _("Choose an image file.")})
    size = getattr(image, "size", None) or 0
    limit = photo_max_bytes()
    if size > limit:
        raise ValidationError(
            {field: _("The image is too large (at most %(mb)s MB).") % {"mb": round(limit / 1048576, 1)}}
        )
    try:
        image.seek(0)
        with Image.open(image) as picture:
            kind = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({field: _("The file is not an image.")}) from None
    finally:
        try:
            image.seek(0)
        except (OSError, ValueError):
            pass
    if kind not in PHOTO_FORMATS:
        raise ValidationError({field: _("Only JPEG, PNG or WebP images are accepted.")})
    return PHOTO_FORMATS[kind]


def _save_photo(ticket, image, content_type: str, user) -> TicketPhoto:
    photo = TicketPhoto(ticket=ticket, content_type=content_type, size=getattr(image, "size", 0) or 0)
    photo.uploaded_by = user
    name = getattr(image, "name", "") or "photo"
    photo.image.save(name.rsplit("/", 1)[-1][:80], image, save=False)
    photo.save()
    return photo


# --- opening ---------------------------------------------------------------------------------


def _validate_open(*, customer, category, priority, channel, contact, product, lot, order, subject):
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if not (subject or "").strip():
        errors["subject"] = _("Give the ticket a subject.")
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = _("This contact belongs to another customer.")
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = _("This order belongs to another customer.")
    if errors:
        raise ValidationError(errors)


@atomic_with_retry
def ticket_open(
    *,
    customer,
    category,
    subject,
    description="",
    priority=Priority.NORMAL,
    channel=Channel.PHONE,
    contact=None,
    product=None,
    lot=None,
    order=None,
    user=None,
    requester_email="",
    requester_phone="",
    photos=(),
    shipment_id=None,
) -> Ticket:
    """Open a ticket: checked, numbered, its SLA dues set, given to the team of the customer's
    region and its least-loaded engineer, ``ticket.opened`` published.

    The shipment it is about comes from the lot (its first shipment to the customer), else
    ``shipment_id`` (a shipment that left for this customer, of ``order`` if given), else the
    order's only shipment: carriers' damage figures count complaints by it."""
    _validate_open(
        customer=customer,
        category=category,
        priority=priority,
        channel=channel,
        contact=contact,
        product=product,
        lot=lot,
        order=order,
        subject=subject,
    )
    photos = [p for p in (photos or ()) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos.") % {"n": MAX_PHOTOS}})
    checked = [(p, _check_photo(p, field="photos")) for p in photos]
    asked_shipment, shipment_id, shipped_on = shipment_id, None, None
    if lot is not None:
        shipped = hooks.shipped_lot(customer_id=customer.pk, lot_id=lot.pk)
        if shipped is None:
            raise ValidationError({"lot": _("This lot or serial number was never shipped to this customer.")})
        if product is None:
            product = lot.product
        elif product.pk != lot.product_id:
            raise ValidationError({"product": _("The lot or serial number is of another product.")})
        shipment_id, shipped_on = shipped.shipment_id, shipped.shipped_on
        if order is None and shipped.order_id:
            from crm.sales.models import SalesOrder

            order = SalesOrder.objects.filter(pk=shipped.order_id).first()
    elif asked_shipment is not None or order is not None:
        if asked_shipment is not None and as_id(asked_shipment) is None:
            raise ValidationError({"shipment": _("Enter a valid id.")})
        parcels = hooks.shipped_parcels(
            customer_id=customer.pk,
            order_id=order.pk if order is not None else None,
            shipment_id=as_id(asked_shipment) if asked_shipment is not None else None,
        )
        if asked_shipment is not None and not parcels:
            raise ValidationError({"shipment": _("This shipment never left for this customer.")})
        if len(parcels) == 1:
            shipment_id, shipped_on = parcels[0].shipment_id, parcels[0].shipped_on
            if order is None:
                from crm.sales.models import SalesOrder

                order = SalesOrder.objects.filter(pk=parcels[0].order_id).first()
    now = timezone.now()
    clock = Clock.load()
    first, resolution = sla_target_for(category, priority)
    team, engineer = assignment.assignee_for(customer, category)
    ticket = Ticket(
        customer=customer,
        contact=contact,
        product=product,
        lot=lot,
        order=order,
        shipment_id=shipment_id,
        shipped_on=shipped_on,
        category=category,
        priority=priority,
        channel=channel,
        subject=subject.strip()[:200],
        description=description or "",
        team=team,
        assignee=engineer.user if engineer else None,
        state=State.ASSIGNED if engineer else State.NEW,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        opened_at=now,
        first_response_due=clock.add(now, first),
        resolution_due=clock.add(now, resolution),
        requester_email=requester_email or "",
        requester_phone=requester_phone or "",
    )
    ticket.number = document_number(prefix="TK", when=timezone.localdate(now))
    ticket.save(force_insert=True)
    ticket_event(ticket, "opened", user=ticket.created_by, at=now, channel=channel)
    if team is not None:
        ticket_event(
            ticket,
            "assigned",
            at=now,
            team=team.name,
            assignee=engineer.user.pk if engineer else None,
            assignee_name=str(engineer.user) if engineer else "",
            automatic=True,
        )
    for image, content_type in checked:
        _save_photo(ticket, image, content_type, ticket.created_by)
    publish(
        names.TICKET_OPENED,
        {
            "ticket_id": ticket.pk,
            "customer_id": customer.pk,
            "category": category,
            "product_id": product.pk if product else None,
            "lot_id": lot.pk if lot else None,
        },
    )
    return ticket


# --- transitions -----------------------------------------------------------------------------


def ticket_locked(ticket) -> Ticket:
    """The ticket's row, locked: the first lock every change of a ticket takes."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _responded(ticket, now, user) -> None:
    if ticket.first_response_at is None and user is not None:
        ticket.first_response_at = now


def _resume_clock(ticket, now, clock) -> int:
    """End a pause: the dues still ahead move on by the business time paused."""
    if ticket.paused_at is None:
        return 0
    paused = clock.seconds(ticket.paused_at, now)
    hours = paused / 3600
    if ticket.first_response_at is None and ticket.first_response_due:
        ticket.first_response_due = clock.add(ticket.first_response_due, hours)
    if ticket.resolution_due:
        ticket.resolution_due = clock.add(ticket.resolution_due, hours)
    ticket.paused_seconds += paused
    ticket.paused_at = None
    return paused


@atomic_with_retry
def ticket_transition(*, ticket, action: str, user, note: str = "") -> Ticket:
    """Move the ticket by ``action`` (``start``, ``wait``, ``resume``, ``resolve``, ``close``,
    ``reopen``); a move the state does not allow is a ``ValidationError`` on ``state``."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown action.")})
    ticket = ticket_locked(ticket)
    sources, target = TRANSITIONS[action]
    if ticket.state not in sources:
        raise ValidationError(
            {
                "state": _("A ticket that is %(state)s cannot be moved this way (%(action)s).")
                % {"state": ticket.get_state_display(), "action": action}
            }
        )
    now = timezone.now()
    clock = Clock.load()
    before = ticket.state
    data = {"from": before, "action": action}
    if action == "wait":
        _responded(ticket, now, user)
        ticket.paused_at = now
    elif action == "resume":
        data["paused_seconds"] = _resume_clock(ticket, now, clock)
    elif action == "start":
        _responded(ticket, now, user)
    elif action == "resolve":
        _resume_clock(ticket, now, clock)
        _responded(ticket, now, user)
        ticket.resolved_at = now
    elif action == "close":
        ticket.closed_at = now
        if ticket.resolved_at is None:
            ticket.resolved_at = now
    elif action == "reopen":
        target = State.ASSIGNED if ticket.assignee_id else State.NEW
        ticket.reopen_count += 1
        ticket.resolved_at = ticket.closed_at = None
        # A new resolution due: its breach is a new one (the old one stays on the timeline).
        ticket.breach_warned_at = ticket.resolution_breached_at = None
        _first, resolution = sla_target_for(ticket.category, ticket.priority)
        ticket.resolution_due = clock.add(now, resolution)
    ticket.state = target
    data["to"] = target
    ticket.save()
    if action in ("resolve", "close"):
        # Done without them: parts still holding stock give it back, planned visits are off.
        parts.ticket_parts_release(ticket=ticket, user=user)
        for visit in Visit.objects.select_for_update(of=("self",)).filter(
            ticket=ticket, state=Visit.State.PLANNED
        ):
            visit.state = Visit.State.CANCELLED
            visit.save(update_fields=["state"])
    ticket_event(ticket, "state", user=user, text=note or "", at=now, **data)
    if action == "close":
        publish(names.TICKET_CLOSED, {"ticket_id": ticket.pk, "customer_id": ticket.customer_id})
    return ticket


def ticket_start(*, ticket, user, note=""):
    return ticket_transition(ticket=ticket, action="start", user=user, note=note)


def ticket_wait(*, ticket, user, note=""):
    return ticket_transition(ticket=ticket, action="wait", user=user, note=note)


def ticket_resume(*, ticket, user, note=""):
    return ticket_transition(ticket=ticket, action="resume", user=user, note=note)


def ticket_resolve(*, ticket, user, note=""):
    return ticket_transition(ticket=ticket, action="resolve", user=user, note=note)


def ticket_close(*, ticket, user, note=""):
    return ticket_transition(ticket=ticket, action="close", user=user, note=note)


def ticket_reopen(*, ticket, user, note=""):
    return ticket_transition(ticket=ticket, action="reopen", user=user, note=note)


@atomic_with_retry
def ticket_comment(*, ticket, text: str, user) -> TicketEvent:
    """A comment on the timeline; the first one by staff is the first response."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    ticket = ticket_locked(ticket)
    now = timezone.now()
    if ticket.first_response_at is None and user is not None:
        ticket.first_response_at = now
        ticket.save(update_fields=["first_response_at", "updated_at"])
    return ticket_event(ticket, "comment", user=user, text=text[:5000], at=now)


@atomic_with_retry
def ticket_assign(*, ticket, assignee, user) -> Ticket:
    """Give the ticket to ``assignee`` (an active engineer; the ticket moves to their team). A
    reassignment is audited."""
    engineer = Engineer.objects.filter(user=assignee, is_active=True).select_related("team").first()
    if engineer is None or not assignee.is_active:
        raise ValidationError({"assignee": _("Choose an active engineer.")})
    ticket = ticket_locked(ticket)
    if not ticket.is_open:
        raise ValidationError({"state": _("A resolved or closed ticket cannot be assigned.")})
    previous = ticket.assignee_id
    if previous == assignee.pk:
        return ticket
    ticket.assignee = assignee
    ticket.team = engineer.team
    if ticket.state == State.NEW:
        ticket.state = State.ASSIGNED
    ticket.save()
    ticket_event(
        ticket,
        "assigned",
        user=user,
        team=engineer.team.name,
        assignee=assignee.pk,
        assignee_name=str(assignee),
        previous=previous,
    )
    audit(
        "ticket.reassigned" if previous else "ticket.assigned",
        actor=user,
        obj=ticket,
        data={"from": previous, "to": assignee.pk, "team": engineer.team_id},
    )
    return ticket


@atomic_with_retry
def ticket_confirm_quality(*, ticket, user) -> Ticket:
    """Confirm a quality complaint (the supplier's quality rate counts confirmed ones)."""
    ticket = ticket_locked(ticket)
    if ticket.category != Category.QUALITY:
        raise ValidationError({"category": _("Only a quality complaint can be confirmed.")})
    if ticket.quality_confirmed_at is not None:
        raise ValidationError({"quality_confirmed_at": _("The complaint is already confirmed.")})
    ticket.quality_confirmed_at = timezone.now()
    ticket.save(update_fields=["quality_confirmed_at", "updated_at"])
    ticket_event(ticket, "quality_confirmed", user=user)
    audit("ticket.quality_confirmed", actor=user, obj=ticket)
    publish(names.TICKET_QUALITY_CONFIRMED, {"ticket_id": ticket.pk})
    return ticket


@atomic_with_retry
def ticket_update(*, ticket, user, **changes) -> Ticket:
    """Change the subject, description or priority (a new priority sets new dues from the
    opening)."""
    allowed = {"subject", "description", "priority"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    ticket = ticket_locked(ticket)
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    if "subject" in changes and not (changes["subject"] or "").strip():
        raise ValidationError({"subject": _("Give the ticket a subject.")})
    before = {k: getattr(ticket, k) for k in changes}
    for key, value in changes.items():
        setattr(ticket, key, value)
    if "priority" in changes and changes["priority"] != before["priority"]:
        clock = Clock.load()
        first, resolution = sla_target_for(ticket.category, ticket.priority)
        # The new targets count from the opening, the paused time added back.
        extra = ticket.paused_seconds / 3600
        ticket.first_response_due = clock.add(ticket.opened_at, first + type(first)(extra))
        ticket.resolution_due = clock.add(ticket.opened_at, resolution + type(resolution)(extra))
    ticket.save()
    changed = {
        k: [str(before[k])[:100], str(getattr(ticket, k))[:100]]
        for k in changes
        if before[k] != getattr(ticket, k)
    }
    if changed:
        ticket_event(ticket, "updated", user=user, changes=changed)
    return ticket


@atomic_with_retry
def ticket_photo_add(*, ticket, image, user) -> TicketPhoto:
    content_type = _check_photo(image)
    ticket = ticket_locked(ticket)
    if ticket.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"image": _("At most %(n)s photos.") % {"n": MAX_PHOTOS}})
    photo = _save_photo(ticket, image, content_type, user)
    ticket_event(ticket, "photo", user=user, photo=photo.pk)
    return photo


# --- the public form -------------------------------------------------------------------------


def _digits(text: str) -> str:
    digits = "".join(ch for ch in (text or "") if ch.isascii() and ch.isdigit())
    return digits[-11:] if len(digits) > 11 and digits.startswith("86") else digits


def ticket_open_public(*, order_number, email="", phone="", category, subject, description="") -> Ticket:
    """A ticket from the public web form: the order number and an e-mail or phone of the order's
    customer (its own or a contact's) must match; any mismatch is the same one error, so the
    form tells nothing about which part was wrong."""
    from crm.sales.models import SalesOrder

    mismatch = ValidationError(
        _("We could not find an order with this number and e-mail address or phone number.")
    )
    number = (order_number or "").strip().upper()[:30]
    order = SalesOrder.objects.filter(number=number).select_related("customer").first() if number else None
    if order is None:
        raise mismatch
    customer = order.customer
    contacts = list(customer.contacts.values_list("pk", "email", "phone"))
    email = (email or "").strip().lower()
    phone_digits = _digits(phone)
    contact_id = None
    matched = False
    if email:
        if customer.email and customer.email.strip().lower() == email:
            matched = True
        for pk, contact_email, _phone in contacts:
            if contact_email and contact_email.strip().lower() == email:
                matched, contact_id = True, pk
                break
    if not matched and len(phone_digits) >= 7:
        if _digits(customer.phone) == phone_digits:
            matched = True
        for pk, _email, contact_phone in contacts:
            if _digits(contact_phone) == phone_digits:
                matched, contact_id = True, pk
                break
    if not matched:
        raise mismatch
    from crm.customers.models import Contact

    return ticket_open(
        customer=customer,
        category=category,
        subject=subject,
        description=description,
        channel=Channel.WEB,
        contact=Contact.objects.filter(pk=contact_id).first() if contact_id else None,
        order=order,
        requester_email=email,
        requester_phone=(phone or "").strip()[:50],
    )
