"""Who takes a new ticket: the active service team of the customer's region (the nearest team by
great-circle distance when several teams or none serve it), then that team's least-loaded active
engineer skilled in the ticket's category (an engineer with no skills listed takes every
category). Also the engineer's free time slots for on-site visits."""

import math
from datetime import datetime, timedelta

from django.db.models import Count, Q

from crm.service.models import Engineer, ServiceTeam, Ticket, Visit

OPEN_STATES = (Ticket.State.NEW, Ticket.State.ASSIGNED, Ticket.State.IN_PROGRESS, Ticket.State.WAITING)
VISIT_HOURS = 2
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine) between two points given in degrees."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def team_for(customer) -> ServiceTeam | None:
    """The team that serves ``customer``: the one active team of its region; among several (or
    when none serves the region) the nearest to the customer (teams without a location last)."""
    teams = list(ServiceTeam.objects.filter(is_active=True).prefetch_related("regions").order_by("name"))
    if not teams:
        return None
    serving = [
        t for t in teams if customer.region_id and any(r.pk == customer.region_id for r in t.regions.all())
    ]
    if len(serving) == 1:
        return serving[0]
    candidates = serving or teams
    if customer.latitude is None or customer.longitude is None:
        return candidates[0]

    def far(team):
        if team.latitude is None or team.longitude is None:
            return math.inf
        return distance_km(customer.latitude, customer.longitude, team.latitude, team.longitude)

    return min(candidates, key=far)


def engineers_by_load(team, category: str | None = None) -> list[Engineer]:
    """The team's active engineers skilled in ``category``, least open tickets first (one query)."""
    engineers = (
        Engineer.objects.filter(team=team, is_active=True, user__is_active=True)
        .select_related("user")
        .annotate(load=Count("user__service_tickets", filter=Q(user__service_tickets__state__in=OPEN_STATES)))
        .order_by("load", "user__username")
    )
    return [e for e in engineers if not category or not e.skills or category in e.skills]


def assignee_for(customer, category: str) -> tuple[ServiceTeam | None, Engineer | None]:
    team = team_for(customer)
    if team is None:
        return None, None
    engineers = engineers_by_load(team, category)
    return team, (engineers[0] if engineers else None)


def free_slot(*, clock, engineer_user, earliest: datetime, hours: int = VISIT_HOURS) -> datetime | None:
    """The first ``hours``-long slot in business hours at or after ``earliest`` that overlaps no
    planned visit of the engineer."""
    length = timedelta(hours=hours)
    planned = list(
        Visit.objects.filter(engineer=engineer_user, state=Visit.State.PLANNED, ends_at__gt=earliest)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )
    moment = earliest
    for _i in range(2000):
        start = clock.next_moment(moment)
        if start is None:
            return None
        if start + length > clock.day_end_of(start):
            moment = clock.day_end_of(start)
            continue
        clash = next((e for s, e in planned if s < start + length and e > start), None)
        if clash is None:
            return start
        moment = clash
    return None


def slot_is_free(*, engineer_user, starts_at, ends_at, exclude=None) -> bool:
    visits = Visit.objects.filter(
        engineer=engineer_user, state=Visit.State.PLANNED, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        visits = visits.exclude(pk=exclude)
    return not visits.exists()
