"""Delivery confirmation: the day a shipment reached the customer, and who said so.

Three sources, one service (``shipment_deliver``), once per shipment:

- the driver, on the warehouse tablet screen (scan or type the shipment number, confirm);
- the customer, through the signed link in the shipping e-mail (no login; ``django.core.signing``
  with its own salt, valid ``FULFILMENT_DELIVERY_LINK_DAYS`` days; an altered or expired link is
  refused);
- the nightly rule (``deliveries_estimate``): a shipped shipment whose expected day has passed
  with nothing else said is taken as delivered on that day (source ``estimate``).

A confirmed delivery publishes ``shipment.delivered`` (which after-sales turns into a survey).
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.events import names
from core.events.services import publish
from crm.sales.orders import services as order_services
from integration.fulfilment.models import Shipment

SALT = "tandem.fulfilment.delivery-link"
Source = Shipment.Delivery

DELIVERED_TEXT = {
    Source.DRIVER: gettext_noop("Shipment %(number)s delivered (confirmed by the driver)"),
    Source.CUSTOMER: gettext_noop("Shipment %(number)s delivered (confirmed by the customer)"),
    Source.ESTIMATE: gettext_noop("Shipment %(number)s taken as delivered on its expected day"),
}


def shipment_deliver(*, shipment: Shipment, source: str, user=None, at=None) -> Shipment:
    """Record that ``shipment`` reached the customer (``at``, default now), confirmed by
    ``source`` (driver, customer, estimate). Once: a shipment already delivered, or not shipped,
    is refused with its state and nothing changes. Publishes ``shipment.delivered``."""
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown delivery confirmation source.")})
    at = at or timezone.now()
    with transaction.atomic():
        locked = Shipment.objects.select_for_update(of=("self",)).select_related("order").get(pk=shipment.pk)
        _check_deliverable(locked)
        if at < locked.shipped_at:
            raise ValidationError({"at": _("A shipment cannot arrive before it left.")})
        Shipment.objects.filter(pk=locked.pk).update(delivered_at=at, delivery_source=source)
        order_services.order_add_event(
            order=locked.order,
            kind="delivered",
            text=DELIVERED_TEXT[source],
            params={"number": locked.number},
            user=user,
        )
        publish(
            names.SHIPMENT_DELIVERED,
            {
                "shipment_id": locked.pk,
                "order_id": locked.order_id,
                "customer_id": locked.order.customer_id,
                "source": source,
            },
        )
    locked.delivered_at, locked.delivery_source = at, source
    return locked


def _check_deliverable(shipment: Shipment) -> None:
    if shipment.delivered_at is not None:
        raise ValidationError(
            {
                "shipment": _("Shipment %(number)s was already delivered on %(date)s (%(source)s).")
                % {
                    "number": shipment.number,
                    "date": timezone.localtime(shipment.delivered_at).strftime("%Y-%m-%d %H:%M"),
                    "source": shipment.get_delivery_source_display(),
                }
            }
        )
    if shipment.state != Shipment.State.SHIPPED:
        raise ValidationError(
            {
                "shipment": _("Shipment %(number)s is %(state)s, not shipped: it cannot be delivered.")
                % {"number": shipment.number, "state": shipment.get_state_display()}
            }
        )


def shipment_by_number(number: str) -> Shipment:
    """The shipment the driver scanned or typed (its number, case ignored), or a field error."""
    number = (number or "").strip()[:30]
    if not number:
        raise ValidationError({"number": _("Scan or type the shipment number.")})
    shipment = Shipment.objects.select_related("order__customer").filter(number__iexact=number).first()
    if shipment is None:
        raise ValidationError({"number": _("No shipment %(number)s.") % {"number": number}})
    return shipment


# --- the customer's link ---------------------------------------------------------------------


def link_token(shipment: Shipment) -> str:
    return signing.dumps(shipment.pk, salt=SALT, compress=True)


def link_url(shipment: Shipment) -> str:
    """The absolute address of the customer's confirmation link (for the shipping e-mail)."""
    path = reverse("fulfilment:delivery-link", args=[link_token(shipment)])
    return settings.SITE_URL.rstrip("/") + path


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def shipment_from_token(token: str) -> Shipment:
    """The shipment a link names; ``LinkExpired`` when it is older than the setting allows,
    ``LinkInvalid`` when it was altered or names nothing."""
    max_age = timedelta(days=settings.FULFILMENT_DELIVERY_LINK_DAYS)
    try:
        pk = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    shipment = (
        Shipment.objects.select_related("order__customer").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if shipment is None:
        raise LinkInvalid
    return shipment


# --- the nightly rule ------------------------------------------------------------------------


def deliveries_estimate(*, today=None, limit: int = 5000) -> int:
    """Shipped shipments whose expected day is before ``today`` (local) and that nobody
    confirmed are taken as delivered on their expected day (end of the working day), source
    ``estimate``. Each in its own transaction (one that someone confirmed meanwhile is skipped).
    Returns how many."""
    today = today or timezone.localdate()
    due = list(
        Shipment.objects.filter(
            state=Shipment.State.SHIPPED, delivered_at__isnull=True, expected_delivery_on__lt=today
        )
        .order_by("expected_delivery_on", "pk")
        .values_list("pk", "expected_delivery_on", "shipped_at")[:limit]
    )
    done = 0
    for pk, expected, shipped_at in due:
        at = timezone.make_aware(datetime.combine(expected, time(18, 0)))
        at = max(at, shipped_at)
        try:
            shipment_deliver(shipment=Shipment(pk=pk), source=Source.ESTIMATE, at=at)
        except ValidationError:
            continue
        done += 1
    return done
