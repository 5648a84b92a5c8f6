"""Reads of the pipeline with the same record rules as customers (``crm.customers.selectors``):
a rep sees own records and reads the team's; managers and admins see all."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dates import end_of_day
from core.money import money
from core.preferences import LEAD_SOURCES, preference
from core.roles import user_roles
from core.sql import as_id
from crm.customers.selectors import (
    customers_visible_to,
    is_rep_only,
    owned_or_team_q,
    record_editable_by,
)
from crm.sales.models import Activity, Lead, Opportunity, PipelineStage


def leads_visible_to(user) -> QuerySet[Lead]:
    qs = Lead.objects.all()
    if not user_roles(user):
        return qs.none()
    if is_rep_only(user):
        qs = qs.filter(owned_or_team_q(user))
    return qs


def opportunities_visible_to(user) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.all()
    if not user_roles(user):
        return qs.none()
    if is_rep_only(user):
        qs = qs.filter(owned_or_team_q(user) | Q(customer__in=customers_visible_to(user)))
    return qs


def activities_visible_to(user) -> QuerySet[Activity]:
    qs = Activity.objects.all()
    if not user_roles(user):
        return qs.none()
    if is_rep_only(user):
        qs = qs.filter(
            owned_or_team_q(user, team_field="customer__team")
            | Q(customer__in=customers_visible_to(user))
            | Q(lead__in=leads_visible_to(user))
        )
    return qs


def can_edit(user, record) -> bool:
    """Reps edit their own records; managers and admins edit all (``record_editable_by``)."""
    return record_editable_by(user, record)


def lead_list(
    *, user, q: str = "", status: str = "", owner: str = "", overdue: bool = False
) -> QuerySet[Lead]:
    qs = leads_visible_to(user).select_related("owner", "region", "team")
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(company__icontains=q) | Q(phone__contains=q) | Q(email__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if as_id(owner) is not None:
        qs = qs.filter(owner_id=as_id(owner))
    if overdue:
        qs = leads_overdue(qs)
    return qs.order_by("-created_at", "-pk")


def leads_overdue(qs=None, *, now=None) -> QuerySet[Lead]:
    """Leads not yet contacted whose first-contact deadline (CRM_LEAD_SLA_HOURS) has passed."""
    qs = Lead.objects.all() if qs is None else qs
    return qs.filter(
        status=Lead.Status.NEW, first_contacted_at__isnull=True, sla_due_at__lt=now or timezone.now()
    )


def lead_get(*, user, pk) -> Lead:
    return get_object_or_404(leads_visible_to(user).select_related("owner", "region", "team"), pk=as_id(pk))


def opportunity_get(*, user, pk) -> Opportunity:
    return get_object_or_404(
        opportunities_visible_to(user).select_related("customer", "stage", "owner"), pk=as_id(pk)
    )


def stages_active() -> list[PipelineStage]:
    return list(PipelineStage.objects.filter(is_active=True).order_by("order", "pk"))


def board(*, user, owner: str = "", per_stage: int = 50) -> list[dict]:
    """The kanban: open stages with their open opportunities (two queries)."""
    stages = [s for s in stages_active() if not s.is_closed]
    qs = (
        opportunities_visible_to(user)
        .filter(state=Opportunity.State.OPEN, stage__in=[s.pk for s in stages])
        .select_related("customer", "owner")
        .order_by("expected_close_date", "pk")
    )
    if as_id(owner) is not None:
        qs = qs.filter(owner_id=as_id(owner))
    cards = defaultdict(list)
    for opp in qs[:2000]:
        if len(cards[opp.stage_id]) < per_stage:
            cards[opp.stage_id].append(opp)
    columns = []
    for stage in stages:
        items = cards.get(stage.pk, [])
        columns.append(
            {"stage": stage, "cards": items, "total": money(sum((o.amount for o in items), Decimal(0)))}
        )
    return columns


def forecast(*, user) -> dict:
    """Weighted forecast of open opportunities by month of expected close (amount × stage
    probability), plus the unweighted total."""
    rows = (
        opportunities_visible_to(user)
        .filter(state=Opportunity.State.OPEN)
        .values("expected_close_date", "amount", "stage__probability")
    )
    months: dict[str, dict] = {}
    total = weighted = Decimal(0)
    for row in rows:
        when = row["expected_close_date"]
        key = when.strftime("%Y-%m") if when else "—"
        amount = row["amount"]
        w = amount * Decimal(row["stage__probability"]) / 100
        bucket = months.setdefault(
            key, {"month": key, "count": 0, "amount": Decimal(0), "weighted": Decimal(0)}
        )
        bucket["count"] += 1
        bucket["amount"] += amount
        bucket["weighted"] += w
        total += amount
        weighted += w
    ordered = [months[k] for k in sorted(months)]
    for bucket in ordered:
        bucket["weighted"] = money(bucket["weighted"])
    return {"months": ordered, "total": money(total), "weighted": money(weighted)}


def funnel(*, user) -> list[dict]:
    """Count and value of opportunities per stage now, and the conversion from each stage to the
    next: of the opportunities that reached a stage, the share that reached the next one."""
    stages = [s for s in stages_active() if not s.is_lost]
    visible = opportunities_visible_to(user)
    now_rows = {
        r["stage_id"]: r
        for r in visible.values("stage_id").annotate(n=Count("pk"), value=Sum("amount")).order_by()
    }
    # The furthest stage (by order) each opportunity ever entered, its current one included.
    furthest = visible.annotate(reached=Max("stage_changes__to_stage__order")).values_list(
        "reached", "stage__order", "stage__is_lost"
    )
    orders = [s.order for s in stages]
    reached_counts = dict.fromkeys(orders, 0)
    for reached, current, _lost in furthest:
        top = max(
            x for x in (reached, current if not _lost else None, orders[0] if orders else 0) if x is not None
        )
        for o in orders:
            if o <= top:
                reached_counts[o] += 1
    result = []
    for i, stage in enumerate(stages):
        row = now_rows.get(stage.pk, {})
        reached = reached_counts[stage.order]
        nxt = reached_counts[stages[i + 1].order] if i + 1 < len(stages) else None
        result.append(
            {
                "stage": stage,
                "count": row.get("n", 0),
                "value": money(row.get("value") or 0),
                "reached": reached,
                "conversion": (round(100 * nxt / reached, 1) if reached and nxt is not None else None),
            }
        )
    return result


def tasks_for(*, user, include_done: bool = False) -> QuerySet[Activity]:
    qs = activities_visible_to(user).filter(kind=Activity.Kind.TASK)
    if is_rep_only(user):
        qs = qs.filter(owner=user)
    if not include_done:
        qs = qs.filter(done_at__isnull=True)
    return qs.select_related("customer", "lead", "opportunity", "owner").order_by("due_at", "pk")


def tasks_due(*, user, now=None) -> QuerySet[Activity]:
    """The user's own open tasks due today or overdue, soonest first (the home page's panel and
    the tasks page's ``?due=today``)."""
    return tasks_for(user=user).filter(owner=user, due_at__lt=end_of_day(now))


def customer_activities(*, customer, user, limit: int = 50) -> list[Activity]:
    return list(
        activities_visible_to(user)
        .filter(customer=customer)
        .select_related("owner", "opportunity")
        .order_by("-at", "-pk")[:limit]
    )


def lead_sources_offered() -> list[str]:
    """The lead sources the company names (its ``lead_sources`` preference, an industry
    template's): offered by the lead form and the API; any other text is still taken."""
    return [s for s in preference(LEAD_SOURCES) if isinstance(s, str) and s.strip()]
