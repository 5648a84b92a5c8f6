"""Who sees which tickets, and the lists the pages and the API read.

Record rules: managers and admins see every ticket; a service user who is an engineer sees their
team's tickets and their own; a team manager their teams' (and their own); a service user who is
neither (the desk) sees every ticket. A sales rep reads the tickets of the customers they may
see (``customer_visible_q``) and writes none. The same rule, without the reps, decides writes.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from core.people import display_name
from core.roles import ADMIN, MANAGER, SALES, SERVICE, WAREHOUSE, user_roles
from core.search import pinyin_key
from core.sql import as_id
from crm.customers.models import Customer
from crm.customers.selectors import customer_visible_q
from crm.service.models import Engineer, ServiceTeam, Ticket, Visit

OPEN_STATES = (Ticket.State.NEW, Ticket.State.ASSIGNED, Ticket.State.IN_PROGRESS, Ticket.State.WAITING)
# Open and not waiting for the customer: the SLA clock runs.
RUNNING_STATES = OPEN_STATES[:3]
NOTHING = Q(pk__in=[])
_CACHE = "_tandem_service_scope"


def _service_scope(user) -> Q | None:
    """The service rule for a service user: None for the desk (all), else a Q."""
    cached = getattr(user, _CACHE, False)
    if cached is not False:
        return cached
    # An engineer made inactive keeps their team's scope (never the desk's, which sees all).
    engineer = Engineer.objects.filter(user=user).values_list("team_id", flat=True).first()
    managed = list(ServiceTeam.objects.filter(manager=user).values_list("pk", flat=True))
    if engineer is None and not managed:
        scope = None
    else:
        teams = set(managed) | ({engineer} if engineer is not None else set())
        scope = Q(team_id__in=sorted(teams)) | Q(assignee=user)
    setattr(user, _CACHE, scope)
    return scope


def ticket_write_q(user) -> Q:
    roles = user_roles(user)
    if not roles:
        return NOTHING
    if ADMIN in roles or MANAGER in roles:
        return Q()
    if SERVICE in roles:
        scope = _service_scope(user)
        return Q() if scope is None else scope
    return NOTHING


def ticket_read_q(user) -> Q:
    roles = user_roles(user)
    if not roles:
        return NOTHING
    if ADMIN in roles or MANAGER in roles or SERVICE in roles:
        return ticket_write_q(user)
    if SALES in roles:
        q = customer_visible_q(user)
        return Q() if not q else Q(customer__in=Customer.objects.filter(q).values("pk"))
    return NOTHING


def tickets_visible_to(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(ticket_read_q(user))


def tickets_writable_by(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(ticket_write_q(user))


def tickets_for_parts(user, *, write: bool = False) -> QuerySet[Ticket]:
    """The tickets whose parts ``user`` may read (the warehouse reads every ticket's parts: they
    are stock it holds) or change (the write rule)."""
    if write:
        return tickets_writable_by(user)
    if WAREHOUSE in user_roles(user):
        return Ticket.objects.all()
    return tickets_visible_to(user)


def ticket_get(*, user, pk) -> Ticket | None:
    """The ticket with its header's relations, or None when it does not exist or is not visible."""
    pk = as_id(pk)
    if pk is None:
        return None
    return (
        tickets_visible_to(user)
        .select_related("customer", "contact", "product", "lot", "order", "team", "assignee", "created_by")
        .filter(pk=pk)
        .first()
    )


def ticket_can_write(user, ticket) -> bool:
    q = ticket_write_q(user)
    if not q:
        return True
    if q == NOTHING:
        return False
    return Ticket.objects.filter(q, pk=ticket.pk).exists()


def ticket_list(
    *,
    user,
    state="",
    category="",
    priority="",
    team=None,
    assignee=None,
    overdue=False,
    search="",
    near_sla=False,
):
    """The visible tickets filtered, newest first, with the relations a list row shows;
    ``near_sla``: near their SLA (``near_sla_q``), the user's own first, soonest due first."""
    qs = tickets_visible_to(user).select_related("customer", "team", "assignee", "product")
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in Ticket.State.values:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if priority:
        qs = qs.filter(priority=priority)
    team = as_id(team)
    if team:
        qs = qs.filter(team_id=team)
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif as_id(assignee):
        qs = qs.filter(assignee_id=as_id(assignee))
    if overdue:
        qs = tickets_overdue(qs)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(number__icontains=search) | Q(customer__name__icontains=search) | Q(subject__icontains=search)
        )
    if near_sla:
        return mine_first(qs.filter(near_sla_q()), user)
    return qs.order_by("-opened_at", "-pk")


def tickets_overdue(qs, *, now=None):
    """Open tickets past a due time; one waiting for the customer is not (its clock is paused)."""
    now = now or timezone.now()
    running = [s for s in OPEN_STATES if s != Ticket.State.WAITING]
    return qs.filter(state__in=running).filter(
        Q(first_response_at__isnull=True, first_response_due__lt=now) | Q(resolution_due__lt=now)
    )


def near_sla_q(*, now=None, hours: int | None = None) -> Q:
    """Running tickets (not waiting for the customer: their clock is paused) that breached a due,
    were warned of one (``sla.sla_check``), or fall due within ``hours``
    (``SERVICE_SLA_SOON_HOURS``)."""
    now = now or timezone.now()
    hours = settings.SERVICE_SLA_SOON_HOURS if hours is None else hours
    soon = now + timedelta(hours=hours)
    return Q(state__in=RUNNING_STATES) & (
        Q(breach_warned_at__isnull=False)
        | Q(first_response_breached_at__isnull=False)
        | Q(resolution_breached_at__isnull=False)
        | Q(first_response_at__isnull=True, first_response_due__lte=soon)
        | Q(resolution_due__lte=soon)
    )


def mine_first(qs, user):
    """``qs`` with the user's own tickets first, then by resolution due (soonest first)."""
    return qs.annotate(
        not_mine=Case(When(assignee_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("not_mine", F("resolution_due").asc(nulls_last=True), "pk")


def tickets_near_sla(*, user, now=None, hours: int | None = None) -> QuerySet[Ticket]:
    """The tickets the user sees that are near their SLA (``near_sla_q``), theirs first."""
    qs = (
        tickets_visible_to(user)
        .filter(near_sla_q(now=now, hours=hours))
        .select_related("customer", "assignee")
    )
    return mine_first(qs, user)


def customer_tickets(*, customer, user, open_only=True, limit=20) -> list[Ticket]:
    qs = tickets_visible_to(user).filter(customer=customer).select_related("assignee")
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return list(qs.order_by("-opened_at", "-pk")[:limit])


def customer_ticket_events(*, customer, user, limit=50):
    from crm.service.models import TicketEvent

    visible = tickets_visible_to(user).filter(customer=customer, pk=OuterRef("ticket_id"))
    return list(
        TicketEvent.objects.filter(ticket__customer=customer)
        .filter(Exists(visible))
        .select_related("ticket", "actor")
        .order_by("-at", "-pk")[:limit]
    )


def visits_visible_to(user) -> QuerySet[Visit]:
    return Visit.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))


def teams_by_name(teams=None) -> list[ServiceTeam]:
    """``teams`` (every service team by default: a company has a handful) by the pinyin of
    their names."""
    rows = ServiceTeam.objects.all() if teams is None else teams
    return sorted(rows, key=lambda t: (pinyin_key(t.name), t.pk))


def engineers_by_name(engineers=None) -> list[Engineer]:
    """``engineers`` (every one by default; a company has tens, read in one query) by their team's
    name and then their own, each by its pinyin."""
    rows = (Engineer.objects.all() if engineers is None else engineers).select_related("user", "team")
    return sorted(
        rows,
        key=lambda e: (pinyin_key(e.team.name) if e.team_id else "", pinyin_key(display_name(e.user)), e.pk),
    )


def assignable_users():
    """The people a ticket may be assigned to: active users who are active engineers, with their
    engineer and team (the assignee picker's rows)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, engineer__is_active=True)
        .select_related("engineer__team")
    )
