"""Carriers the company ships with and the day a shipment is expected to arrive.

A carrier has a default number of transit days and, per customer region, its own
(``CarrierTransit``). A shipment's expected delivery day is the day it left (the company's local
date) plus the carrier's transit days to the customer's region, else its default: **calendar
days**, weekends and holidays included (carriers in China deliver every day of the week).
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit
from core.sql import as_id
from crm.customers.models import Region
from integration.fulfilment.models import Carrier, CarrierTransit

MAX_TRANSIT_DAYS = 60


def active_carriers():
    """The carriers a shipment may leave with, by name."""
    return Carrier.objects.filter(is_active=True).order_by("name")


def carrier_for_name(name: str) -> Carrier | None:
    """The carrier called ``name`` (case and surrounding spaces ignored), or None when the text
    names no carrier on the list (the shipment then keeps the text only). An inactive carrier is
    refused: it is no longer used."""
    name = (name or "").strip()
    if not name:
        return None
    carrier = Carrier.objects.filter(name__iexact=name).first()
    if carrier is not None and not carrier.is_active:
        raise ValidationError(
            {"carrier": _("%(name)s is no longer used as a carrier.") % {"name": carrier.name}}
        )
    return carrier


def transit_days(*, carrier: Carrier, region_id: int | None) -> int:
    """Days from leaving to arriving with ``carrier`` for a customer in ``region_id``: the
    region's own figure, else the carrier's default."""
    if region_id is not None:
        days = (
            CarrierTransit.objects.filter(carrier_id=carrier.pk, region_id=region_id)
            .values_list("days", flat=True)
            .first()
        )
        if days is not None:
            return days
    return carrier.transit_days


def expected_delivery(*, carrier: Carrier, region_id: int | None, shipped_on: date) -> date:
    """The day a shipment that left on ``shipped_on`` (local date) is expected: calendar days."""
    return shipped_on + timedelta(days=transit_days(carrier=carrier, region_id=region_id))


def _days(value, field: str) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number of days.")}) from None
    if not 0 <= days <= MAX_TRANSIT_DAYS:
        raise ValidationError({field: _("Enter between 0 and %(max)s days.") % {"max": MAX_TRANSIT_DAYS}})
    return days


def _transits(transits) -> dict[int, int]:
    """``{region id: days}`` checked: the regions exist, the days are whole and in range."""
    checked = {}
    for region_id, days in (transits or {}).items():
        rid = as_id(region_id)
        if rid is None:
            raise ValidationError({"transits": _("Unknown region %(id)s.") % {"id": region_id}})
        checked[rid] = _days(days, "transits")
    if checked:
        known = set(Region.objects.filter(pk__in=checked).values_list("pk", flat=True))
        missing = set(checked) - known
        if missing:
            raise ValidationError({"transits": _("Unknown region %(id)s.") % {"id": min(missing)}})
    return checked


def carrier_save(
    *,
    name: str,
    transit_days: int,
    transits: dict | None = None,
    is_active: bool = True,
    carrier: Carrier | None = None,
    user=None,
) -> Carrier:
    """Create (or, given ``carrier``, change) a carrier with its default transit days and its
    days per region (``{region id: days}``; regions left out use the default)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the carrier's name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("At most 100 characters.")})
    default = _days(transit_days, "transit_days")
    per_region = _transits(transits)
    try:
        with transaction.atomic():
            if carrier is None:
                carrier = Carrier.objects.create(name=name, transit_days=default, is_active=is_active)
                action = "carrier.created"
            else:
                carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
                carrier.name, carrier.transit_days, carrier.is_active = name, default, is_active
                carrier.save(update_fields=["name", "transit_days", "is_active"])
                action = "carrier.changed"
            if transits is not None:
                CarrierTransit.objects.filter(carrier=carrier).exclude(region_id__in=per_region).delete()
                for region_id, days in per_region.items():
                    CarrierTransit.objects.update_or_create(
                        carrier=carrier, region_id=region_id, defaults={"days": days}
                    )
            audit(action, actor=user, obj=carrier, data={"name": name, "transit_days": default})
    except IntegrityError:
        raise ValidationError({"name": _("A carrier with this name exists already.")}) from None
    return carrier
