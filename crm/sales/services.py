"""Changes to the pipeline: leads (capture, assignment, first contact, conversion),
opportunities (stage moves, won/lost), activities and tasks (reassignment of a rep's book is
``reassignment``'s). One transaction each; bad input raises a ``ValidationError`` naming the field."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.money import decimal_input, money
from core.people import display_name
from crm.customers import services as customer_services
from crm.customers.models import Customer
from crm.customers.selectors import customer_check_writable, duplicates_of
from crm.sales.models import Activity, AssignmentRule, Lead, Opportunity, PipelineStage, StageChange

LEAD_FIELDS = ("name", "company", "phone", "email", "region", "message", "source", "owner", "team", "status")


def _sla_hours() -> int:
    return int(getattr(settings, "CRM_LEAD_SLA_HOURS", 24))


def _check_customer_visible(customer, actor) -> None:
    """A record written on behalf of ``actor`` may name only a customer they may read (the
    customers' read rule); any other answers as one that does not exist. ``actor`` None is the
    system's own write (lead conversion's new customer, the demo)."""
    if customer is not None and actor is not None:
        customer_check_writable(actor, customer)


def _amount(value, field="amount") -> Decimal:
    amount = money(decimal_input(value, field=field, blank="0"))
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount


# --- leads ------------------------------------------------------------------------------------


@transaction.atomic
def lead_create(*, actor=None, products=(), assign: bool = True, **data) -> Lead:
    """Capture a lead (web form, API, import). A lead that looks like an existing customer is
    flagged; a lead without an owner is given one by the assignment rules."""
    unknown = set(data) - set(LEAD_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    lead = Lead(**data)
    if not lead.phone and not lead.email:
        raise ValidationError({"phone": _("Give a phone number or an e-mail address.")})
    lead.full_clean(exclude=["products"])
    lead.sla_due_at = timezone.now() + timedelta(hours=_sla_hours())
    found = duplicates_of(name=lead.company or lead.name, phone=lead.phone, email=lead.email)
    if found:
        lead.possible_duplicate = found[0][0]
    lead.save()
    if products:
        lead.products.set(products)
    audit("lead.created", actor=actor, obj=lead, data={"source": lead.source})
    if assign and lead.owner_id is None:
        lead_assign_auto(lead=lead, actor=actor)
    return lead


def _rule_matches(rule: AssignmentRule, lead: Lead, product_ids: set[int]) -> bool:
    if rule.kind == AssignmentRule.Kind.REGION:
        return rule.region_id is not None and rule.region_id == lead.region_id
    if rule.kind == AssignmentRule.Kind.PRODUCT:
        return rule.product_id is not None and rule.product_id in product_ids
    return True


def _next_member(rule: AssignmentRule):
    """The team member after the one who got the rule's last lead (members in id order)."""
    User = get_user_model()
    members = list(
        User.objects.filter(sales_teams=rule.team_id, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not members:
        return None
    after = [pk for pk in members if rule.last_user_id is not None and pk > rule.last_user_id]
    return User.objects.get(pk=(after or members)[0])


@transaction.atomic
def lead_assign_auto(*, lead: Lead, actor=None) -> Lead:
    """Give the lead an owner by the first matching active rule. Round-robin rules are locked
    while the turn moves, so two leads arriving together go to two different members."""
    product_ids = set(lead.products.values_list("pk", flat=True))
    for rule in AssignmentRule.objects.filter(is_active=True).order_by("order", "pk"):
        if not _rule_matches(rule, lead, product_ids):
            continue
        if rule.user_id:
            owner = rule.user
        else:
            rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
            owner = _next_member(rule)
            if owner is None:
                continue
            AssignmentRule.objects.filter(pk=rule.pk).update(last_user=owner)
        reason = f"{rule.get_kind_display()}: {rule.name}"
        Lead.objects.filter(pk=lead.pk).update(
            owner=owner, team_id=rule.team_id, assignment_reason=reason[:200]
        )
        lead.owner, lead.team_id, lead.assignment_reason = owner, rule.team_id, reason[:200]
        audit(
            "lead.assigned",
            actor=actor,
            obj=lead,
            data={
                "owner": owner.pk,
                "owner_name": display_name(owner),
                "rule": rule.pk,
                "reason": rule.kind,
            },
        )
        return lead
    audit("lead.unassigned", actor=actor, obj=lead, data={"reason": "no rule matched"})
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor=None, products=None, **data) -> Lead:
    unknown = set(data) - set(LEAD_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    old_owner = lead.owner_id
    for k, v in data.items():
        setattr(lead, k, v)
    lead.full_clean(exclude=["products"])
    lead.save()
    if products is not None:
        lead.products.set(products)
    if lead.owner_id != old_owner:
        audit("lead.assigned", actor=actor, obj=lead, data={"owner": lead.owner_id, "reason": "manual"})
    return lead


def _first_contact(lead_id: int, when) -> None:
    Lead.objects.filter(pk=lead_id, first_contacted_at__isnull=True).update(first_contacted_at=when)
    Lead.objects.filter(pk=lead_id, status=Lead.Status.NEW).update(status=Lead.Status.CONTACTED)


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    actor=None,
    customer: Customer | None = None,
    opportunity_name: str = "",
    amount=0,
    stage: PipelineStage | None = None,
    expected_close_date=None,
) -> tuple[Customer, Opportunity]:
    """One step: the lead becomes a customer (or joins an existing one), a contact and an open
    opportunity, and is marked converted. All or nothing."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("This lead is already converted.")})
    owner = lead.owner or actor
    if customer is None:
        customer = customer_services.customer_create(
            actor=actor,
            name=lead.company or lead.name,
            kind=Customer.Kind.COMPANY if lead.company else Customer.Kind.PERSON,
            phone=lead.phone,
            email=lead.email,
            region=lead.region,
            source=lead.source or "lead",
            owner=owner,
            team=lead.team,
            stage=Customer.Stage.PROSPECT,
        )
    customer_services.contact_create(
        customer=customer, actor=actor, name=lead.name, phone=lead.phone, email=lead.email, is_primary=True
    )
    opportunity = opportunity_create(
        actor=actor,
        name=opportunity_name or lead.company or lead.name,
        customer=customer,
        owner=owner,
        team=lead.team,
        amount=amount,
        stage=stage,
        expected_close_date=expected_close_date,
        products=list(lead.products.all()),
        lead=lead,
    )
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.CONVERTED, customer=customer)
    Activity.objects.filter(lead=lead, customer__isnull=True).update(customer=customer)
    audit(
        "lead.converted", actor=actor, obj=lead, data={"customer": customer.pk, "opportunity": opportunity.pk}
    )
    return customer, opportunity


# --- opportunities ------------------------------------------------------------------------


def first_open_stage() -> PipelineStage:
    stage = (
        PipelineStage.objects.filter(is_active=True, is_won=False, is_lost=False)
        .order_by("order", "pk")
        .first()
    )
    if stage is None:
        raise ValidationError({"stage": _("No pipeline stage is set up. Ask an administrator.")})
    return stage


@transaction.atomic
def pipeline_stage_ensure(
    *, name: str, order: int, probability: int, is_won: bool = False, is_lost: bool = False, actor=None
) -> tuple[PipelineStage, bool]:
    """The stage called ``name`` (any letter case), made with ``order`` and ``probability`` when
    missing; ``(stage, created)``. A stage that exists keeps its own order and probability (an
    industry template adds, never changes). A won (lost) stage counts as there when the company
    already has one, under whatever name: a second one would split the closed deals in two.
    The caller serialises concurrent calls (the template's lock)."""
    name = str(name or "").strip()
    existing = PipelineStage.objects.filter(name__iexact=name)
    if is_won:
        existing = PipelineStage.objects.filter(is_won=True)
    elif is_lost:
        existing = PipelineStage.objects.filter(is_lost=True)
    stage = existing.order_by("order", "pk").first()
    if stage is not None:
        return stage, False
    stage = PipelineStage(name=name, order=order, probability=probability, is_won=is_won, is_lost=is_lost)
    stage.full_clean()
    stage.save()
    audit("pipeline.stage_created", actor=actor, obj=stage, data={"name": name, "probability": probability})
    return stage, True


@transaction.atomic
def opportunity_create(
    *,
    actor=None,
    name: str,
    customer: Customer,
    owner=None,
    team=None,
    amount=0,
    stage: PipelineStage | None = None,
    expected_close_date=None,
    products=(),
    lead: Lead | None = None,
) -> Opportunity:
    _check_customer_visible(customer, actor)
    stage = stage or first_open_stage()
    opp = Opportunity(
        name=name,
        customer=customer,
        owner=owner or actor,
        team=team or customer.team,
        amount=_amount(amount),
        stage=stage,
        expected_close_date=expected_close_date,
        lead=lead,
    )
    if stage.is_won:
        opp.state, opp.closed_at = Opportunity.State.WON, timezone.now()
    elif stage.is_lost:
        opp.state, opp.closed_at = Opportunity.State.LOST, timezone.now()
    if opp.owner_id is None:
        raise ValidationError({"owner": _("Choose an owner.")})
    opp.full_clean(exclude=["products"])
    opp.save()
    if products:
        opp.products.set(products)
    StageChange.objects.create(opportunity=opp, from_stage=None, to_stage=stage, by=actor)
    audit("opportunity.created", actor=actor, obj=opp, data={"stage": stage.pk, "amount": str(opp.amount)})
    return opp


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, actor=None, products=None, **data) -> Opportunity:
    allowed = {"name", "amount", "expected_close_date", "owner", "team"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    if "amount" in data:
        data["amount"] = _amount(data["amount"])
    for k, v in data.items():
        setattr(opportunity, k, v)
    opportunity.full_clean(exclude=["products"])
    opportunity.save()
    if products is not None:
        opportunity.products.set(products)
    return opportunity


@transaction.atomic
def opportunity_move(*, opportunity: Opportunity, stage: PipelineStage, actor=None) -> Opportunity:
    """Move an open opportunity to another open stage (the kanban drag). Audited."""
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opp.state != Opportunity.State.OPEN:
        raise ValidationError({"stage": _("Only open opportunities move between stages.")})
    if stage.is_closed or not stage.is_active:
        raise ValidationError({"stage": _("Use Won or Lost to close an opportunity.")})
    if opp.stage_id == stage.pk:
        return opp
    old = opp.stage_id
    opp.stage = stage
    opp.save(update_fields=["stage", "updated_at"])
    StageChange.objects.create(opportunity=opp, from_stage_id=old, to_stage=stage, by=actor)
    audit("opportunity.stage_changed", actor=actor, obj=opp, data={"from": old, "to": stage.pk})
    return opp


@transaction.atomic
def opportunity_close(*, opportunity: Opportunity, won: bool, reason: str, actor=None) -> Opportunity:
    """Won or lost, with a reason (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opp.state != Opportunity.State.OPEN:
        raise ValidationError({"reason": _("This opportunity is already closed.")})
    stage = PipelineStage.objects.filter(is_won=won, is_lost=not won).order_by("order", "pk").first()
    if stage is None:
        raise ValidationError({"stage": _("No won or lost stage is set up.")})
    old = opp.stage_id
    opp.stage = stage
    opp.state = Opportunity.State.WON if won else Opportunity.State.LOST
    opp.closed_at = timezone.now()
    if won:
        opp.won_reason = reason[:200]
    else:
        opp.lost_reason = reason[:200]
    opp.save()
    StageChange.objects.create(opportunity=opp, from_stage_id=old, to_stage=stage, by=actor)
    audit("opportunity.won" if won else "opportunity.lost", actor=actor, obj=opp, data={"reason": reason})
    return opp


# --- activities ---------------------------------------------------------------------------


@transaction.atomic
def activity_log(
    *,
    actor,
    kind: str,
    subject: str,
    body: str = "",
    customer: Customer | None = None,
    lead: Lead | None = None,
    opportunity: Opportunity | None = None,
    at=None,
    due_at=None,
    owner=None,
) -> Activity:
    """Log a call, visit, e-mail, note or task. The first call, visit or e-mail to a lead meets
    its first-contact SLA."""
    _check_customer_visible(customer, actor)
    if customer is None and opportunity is not None:
        customer = opportunity.customer
    if customer is None and lead is None and opportunity is None:
        raise ValidationError({"customer": _("Choose a customer, lead or opportunity.")})
    if kind == Activity.Kind.TASK and not due_at:
        raise ValidationError({"due_at": _("A task needs a due date.")})
    activity = Activity(
        kind=kind,
        subject=subject,
        body=body,
        customer=customer,
        lead=lead,
        opportunity=opportunity,
        owner=owner or actor,
        at=at or timezone.now(),
        due_at=due_at,
    )
    activity.full_clean()
    activity.save()
    if lead is not None and kind in {Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.EMAIL}:
        _first_contact(lead.pk, activity.at)
    return activity


@transaction.atomic
def task_complete(*, task: Activity, actor=None) -> Activity:
    Activity.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now())
    task.refresh_from_db()
    return task


def tasks_notify_due(*, now=None) -> int:
    """Tell each owner about tasks that are due (once per task) and overdue (once a day). The
    notification keys make a repeated run a no-op."""
    from core.events.services import notify

    now = now or timezone.now()
    sent = 0
    tasks = (
        Activity.objects.filter(kind=Activity.Kind.TASK, done_at__isnull=True, due_at__lte=now)
        .select_related("owner")
        .order_by("pk")
    )
    for task in tasks.iterator(chunk_size=500):
        overdue = task.due_at < now - timedelta(hours=1)
        if overdue:
            key = f"crm-task-overdue:{task.pk}:{timezone.localdate(now).isoformat()}"
            title = gettext_noop("Overdue task: %(subject)s")
        else:
            key = f"crm-task-due:{task.pk}"
            title = gettext_noop("Task due: %(subject)s")
        sent += notify(
            users=[task.owner_id],
            title=title,
            params={"subject": task.subject},
            url=reverse("sales:tasks"),
            kind="crm.task",
            key=key,
        )
    return sent
