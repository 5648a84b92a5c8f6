"""The SLA clock: business hours on the company calendar (``ServiceCalendar`` working weekdays
and hours in the company's local time, ``Holiday`` days off and 调休 working days), the targets
per category and priority, and the periodic check that warns before a breach and records it.

Business time counts only the working hours of working days: ``business_add(Friday 17:00, 2)``
is Monday 10:00 on a 09:00–18:00 calendar; a public holiday counts nothing, a 调休 Saturday
counts like a weekday.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from crm.service.models import Category, Holiday, Priority, ServiceCalendar, SlaTarget

# The longest span the clock looks through for working time (a calendar without working days
# would otherwise never end).
MAX_DAYS = 3 * 366

# Targets when none is set for a category and priority: (first response, resolution) in
# business hours, by priority; complaints about quality or transport damage are answered sooner.
DEFAULT_HOURS = {
    Priority.URGENT: (Decimal(1), Decimal(8)),
    Priority.HIGH: (Decimal(2), Decimal(16)),
    Priority.NORMAL: (Decimal(4), Decimal(27)),
    Priority.LOW: (Decimal(8), Decimal(45)),
}
FASTER = {Category.QUALITY, Category.DAMAGE}


def sla_defaults() -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """The default targets of every category × priority: {(category, priority): (first, resolution)}."""
    table = {}
    for category in Category.values:
        for priority, (first, resolution) in DEFAULT_HOURS.items():
            if category in FASTER:
                first, resolution = max(first / 2, Decimal("0.5")), resolution * Decimal("0.75")
            table[(category, str(priority))] = (first, resolution)
    return table


def sla_targets() -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """The targets in force (the set ones over the defaults), one query."""
    table = sla_defaults()
    for target in SlaTarget.objects.all():
        table[(target.category, target.priority)] = (target.first_response_hours, target.resolution_hours)
    return table


def sla_target_for(category: str, priority: str) -> tuple[Decimal, Decimal]:
    target = SlaTarget.objects.filter(category=category, priority=priority).first()
    if target is not None:
        return target.first_response_hours, target.resolution_hours
    return sla_defaults()[(category, priority)]


@dataclass
class Clock:
    """The calendar read once (one row and the holidays), for many computations."""

    working_days: frozenset
    day_start: time
    day_end: time
    holidays: dict  # date -> is a working day

    @classmethod
    def load(cls) -> "Clock":
        calendar = ServiceCalendar.current()
        return cls(
            working_days=frozenset(int(d) for d in calendar.working_days or ()),
            day_start=_as_time(calendar.day_start),
            day_end=_as_time(calendar.day_end),
            holidays=dict(Holiday.objects.values_list("date", "is_working_day")),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return self.holidays[day]
        return day.isoweekday() in self.working_days

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_working_day(day):
            return None
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(day, self.day_start, tzinfo=tz),
            datetime.combine(day, self.day_end, tzinfo=tz),
        )

    def add(self, start: datetime, hours) -> datetime | None:
        """``start`` moved on by ``hours`` business hours (None when the calendar has no working
        time within ``MAX_DAYS``)."""
        remaining = timedelta(seconds=round(float(hours) * 3600))
        current = timezone.localtime(start)
        day = current.date()
        for _i in range(MAX_DAYS):
            window = self._window(day)
            if window is not None:
                begin, end = max(window[0], current), window[1]
                if begin < end or (remaining == timedelta(0) and begin <= end):
                    if begin + remaining <= end:
                        return begin + remaining
                    remaining -= end - begin
            day += timedelta(days=1)
        return None

    def next_moment(self, start: datetime) -> datetime | None:
        """The first business moment at or after ``start``."""
        current = timezone.localtime(start)
        day = current.date()
        for _i in range(MAX_DAYS):
            window = self._window(day)
            if window is not None and max(window[0], current) < window[1]:
                return max(window[0], current)
            day += timedelta(days=1)
        return None

    def day_end_of(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        return datetime.combine(local.date(), self.day_end, tzinfo=timezone.get_default_timezone())

    def seconds(self, start: datetime, end: datetime) -> int:
        """Business seconds between ``start`` and ``end`` (0 when end is not after start)."""
        if end <= start:
            return 0
        start, end = timezone.localtime(start), timezone.localtime(end)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            window = self._window(day)
            if window is not None:
                begin, finish = max(window[0], start), min(window[1], end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return int(total.total_seconds())


def _as_time(value) -> time:
    if isinstance(value, str):
        return time.fromisoformat(value)
    return value


def business_add(start: datetime, hours, *, clock: Clock | None = None) -> datetime | None:
    return (clock or Clock.load()).add(start, hours)


def business_seconds(start: datetime, end: datetime, *, clock: Clock | None = None) -> int:
    return (clock or Clock.load()).seconds(start, end)


def dues_for(*, category: str, priority: str, start: datetime, clock: Clock | None = None):
    """(first response due, resolution due) for a ticket opened at ``start``."""
    clock = clock or Clock.load()
    first, resolution = sla_target_for(category, priority)
    return clock.add(start, first), clock.add(start, resolution)


def remaining_seconds(ticket, *, now: datetime | None = None, clock: Clock | None = None) -> dict:
    """Business seconds left to each due of an open ticket (negative: overdue by so much), for
    the pages: {"first_response": s or None, "resolution": s or None}."""
    now = now or timezone.now()
    clock = clock or Clock.load()
    at = ticket.paused_at or now

    def left(due):
        if due is None:
            return None
        return clock.seconds(at, due) if due >= at else -clock.seconds(due, at)

    return {
        "first_response": left(ticket.first_response_due) if ticket.first_response_at is None else None,
        "resolution": left(ticket.resolution_due) if ticket.is_open else None,
    }


# --- the periodic check ----------------------------------------------------------------------

WARN_SHARE = 0.2  # warn when this share of the target is left …
WARN_SECONDS = 3600  # … or one business hour, whichever is more


def _warn_before(target_hours) -> float:
    return max(float(target_hours) * 3600 * WARN_SHARE, WARN_SECONDS)


def sla_check(*, now: datetime | None = None) -> dict:
    """Warn once (assignee and team manager) about open tickets close to a due, record breaches
    (a timeline entry, the manager told). Paused tickets are left alone. Returns the counts."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils.translation import gettext_noop

    from core.events.services import notify
    from crm.service.models import Ticket, TicketEvent

    now = now or timezone.now()
    clock = Clock.load()
    targets = sla_targets()
    counts = {"warned": 0, "breached": 0}
    open_states = [Ticket.State.NEW, Ticket.State.ASSIGNED, Ticket.State.IN_PROGRESS]
    candidates = (
        Ticket.objects.filter(state__in=open_states)
        .filter(
            Q(
                first_response_at__isnull=True,
                first_response_breached_at__isnull=True,
                first_response_due__isnull=False,
            )
            | Q(resolution_breached_at__isnull=True, resolution_due__isnull=False)
        )
        .select_related("team")
        .only(
            "pk",
            "number",
            "category",
            "priority",
            "state",
            "assignee_id",
            "team__manager_id",
            "first_response_at",
            "first_response_due",
            "resolution_due",
            "first_response_breached_at",
            "resolution_breached_at",
            "breach_warned_at",
        )
    )
    for ticket in candidates.iterator(chunk_size=500):
        first_target, resolution_target = targets[(ticket.category, ticket.priority)]
        manager_id = ticket.team.manager_id if ticket.team_id else None
        params = {"number": ticket.number}
        url = f"/service/tickets/{ticket.pk}/"
        changes = {}
        breached = []
        if (
            ticket.first_response_at is None
            and ticket.first_response_breached_at is None
            and ticket.first_response_due
            and ticket.first_response_due <= now
        ):
            changes["first_response_breached_at"] = now
            breached.append("first_response")
        if ticket.resolution_breached_at is None and ticket.resolution_due and ticket.resolution_due <= now:
            changes["resolution_breached_at"] = now
            breached.append("resolution")
        warn = False
        if not breached and ticket.breach_warned_at is None:
            dues = []
            if ticket.first_response_at is None and ticket.first_response_due:
                dues.append((ticket.first_response_due, first_target))
            if ticket.resolution_due:
                dues.append((ticket.resolution_due, resolution_target))
            warn = any(due > now and clock.seconds(now, due) <= _warn_before(target) for due, target in dues)
            if warn:
                changes["breach_warned_at"] = now
        if not changes:
            continue
        with transaction.atomic():
            # Only if nobody recorded it meanwhile (the check may run twice at once).
            guard = {f"{field}__isnull": True for field in changes}
            if not Ticket.objects.filter(pk=ticket.pk, **guard).update(**changes):
                continue
            if breached:
                for what in breached:
                    TicketEvent.objects.create(
                        ticket_id=ticket.pk, kind="sla_breach", data={"target": what}, at=now
                    )
                notify(
                    users=[u for u in (ticket.assignee_id, manager_id) if u],
                    title=gettext_noop("Ticket %(number)s breached its SLA"),
                    params=params,
                    url=url,
                    kind="service.sla_breach",
                    key=f"service.sla_breach:{ticket.pk}:{','.join(breached)}",
                )
                counts["breached"] += 1
            if warn:
                TicketEvent.objects.create(ticket_id=ticket.pk, kind="sla_warning", at=now)
                notify(
                    users=[u for u in (ticket.assignee_id, manager_id) if u],
                    title=gettext_noop("Ticket %(number)s is about to breach its SLA"),
                    params=params,
                    url=url,
                    kind="service.sla_warning",
                    key=f"service.sla_warning:{ticket.pk}",
                )
                counts["warned"] += 1
    return counts
