"""Carrier figures for a period: per carrier, the shipments it took, the damaged ones (shipments
named by a ticket of category "damage in transport"; two complaints about one parcel are one
damaged parcel), the damage rate (damaged ÷ shipments) and the on-time delivery rate (delivered
on or before the expected day, among the deliveries confirmed by the driver or the customer: one
assumed from the transit time is on time by construction). A carrier whose damage rate is above
``QualitySettings.carrier_damage_rate`` is flagged.

A shipment belongs to the period it left in (``shipped_at``, local days). Two queries whatever
the number of carriers: the settings row and one aggregate."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from crm.service.models import Category, Ticket
from crm.service.nps import period_bounds
from integration.aftersales.models import QualitySettings
from integration.fulfilment.models import Carrier, Shipment


@dataclass(frozen=True)
class CarrierFigures:
    carrier_id: int
    name: str
    is_active: bool
    shipments: int
    delivered: int
    on_time: int
    damage_complaints: int
    damage_rate: Decimal | None
    on_time_rate: Decimal | None
    flagged: bool


class SubqueryCount(Subquery):
    """How many rows a correlated subquery gives (one scalar per outer row)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def carrier_figures(*, date_from: date | None = None, date_to: date | None = None) -> list[CarrierFigures]:
    """The figures of every carrier (active or not) for shipments that left between
    ``date_from`` and ``date_to`` (inclusive, local days), worst damage rate first."""
    threshold = QualitySettings.current().carrier_damage_rate
    start, end = period_bounds(date_from, date_to)
    period = Q(shipments__state=Shipment.State.SHIPPED)
    if start:
        period &= Q(shipments__shipped_at__gte=start)
    if end:
        period &= Q(shipments__shipped_at__lt=end)

    def shipped(carrier_ref):
        qs = Shipment.objects.filter(carrier_ref=carrier_ref, state=Shipment.State.SHIPPED)
        if start:
            qs = qs.filter(shipped_at__gte=start)
        if end:
            qs = qs.filter(shipped_at__lt=end)
        return qs

    # The carrier's shipments, one level further down: the ticket query is in between.
    # Damaged parcels: shipments with a damage complaint (two complaints about one parcel are
    # one damaged parcel).
    damage = (
        shipped(OuterRef("pk"))
        .filter(
            pk__in=Ticket.objects.filter(category=Category.DAMAGE, shipment_id__isnull=False).values(
                "shipment_id"
            )
        )
        .order_by()
        .values("pk")
    )
    # Delivered and on time count confirmed deliveries only: a delivery assumed from the
    # transit time (``estimate``) is on time by construction and says nothing of the carrier.
    confirmed = ~Q(shipments__delivery_source=Shipment.Delivery.ESTIMATE)
    delivered = period & Q(shipments__delivered_at__isnull=False) & confirmed
    on_time = (
        shipped(OuterRef("pk"))
        .filter(delivered_at__isnull=False, expected_delivery_on__isnull=False)
        .exclude(delivery_source=Shipment.Delivery.ESTIMATE)
        .annotate(delivered_on=TruncDate("delivered_at", tzinfo=timezone.get_current_timezone()))
        .filter(delivered_on__lte=F("expected_delivery_on"))
        .order_by()
        .values("pk")
    )
    rows = (
        Carrier.objects.values("pk", "name", "is_active")
        .annotate(
            n_shipments=Count("shipments", filter=period),
            n_delivered=Count("shipments", filter=delivered),
            n_on_time=SubqueryCount(on_time),
            n_damage=SubqueryCount(damage),
        )
        .order_by("name")
    )
    figures = []
    for row in rows:
        rate = _pct(row["n_damage"], row["n_shipments"])
        figures.append(
            CarrierFigures(
                carrier_id=row["pk"],
                name=row["name"],
                is_active=row["is_active"],
                shipments=row["n_shipments"],
                delivered=row["n_delivered"],
                on_time=row["n_on_time"],
                damage_complaints=row["n_damage"],
                damage_rate=rate,
                on_time_rate=_pct(row["n_on_time"], row["n_delivered"]),
                flagged=rate is not None and rate > threshold,
            )
        )
    figures.sort(key=lambda f: (-(f.damage_rate or 0), f.name))
    return figures


def damage_tickets(*, carrier_id: int, date_from: date | None = None, date_to: date | None = None):
    """The damage complaints counted in the carrier's figures for the period: tickets of category
    "damage in transport" naming one of the carrier's shipments that left in the period, newest
    first."""
    start, end = period_bounds(date_from, date_to)
    shipped = Shipment.objects.filter(carrier_ref_id=carrier_id, state=Shipment.State.SHIPPED)
    if start:
        shipped = shipped.filter(shipped_at__gte=start)
    if end:
        shipped = shipped.filter(shipped_at__lt=end)
    return (
        Ticket.objects.filter(category=Category.DAMAGE, shipment_id__in=shipped.values("pk"))
        .select_related("customer")
        .order_by("-opened_at", "-pk")
    )
