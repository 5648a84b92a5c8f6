"""The SLA's settings: the company calendar the clock runs on and the targets per category and
priority (a manager's, audited)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit
from crm.service.models import Category, Priority, ServiceCalendar, SlaTarget


@transaction.atomic
def calendar_set(*, working_days, day_start, day_end, user):
    days = sorted({int(d) for d in working_days})
    if any(d < 1 or d > 7 for d in days):
        raise ValidationError({"working_days": _("Choose days of the week.")})
    if day_start is None or day_end is None or day_end <= day_start:
        raise ValidationError({"day_end": _("The working day must end after it starts.")})
    calendar = ServiceCalendar.current()
    calendar.working_days, calendar.day_start, calendar.day_end = days, day_start, day_end
    calendar.save()
    audit("service.calendar_changed", actor=user, obj=calendar, data={"days": days})
    return calendar


@transaction.atomic
def sla_target_set(*, category, priority, first_response_hours, resolution_hours, user):
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    if first_response_hours is None or first_response_hours <= 0 or first_response_hours >= 10000:
        raise ValidationError({"first_response_hours": _("Enter a number of hours above 0.")})
    if resolution_hours is None or resolution_hours < first_response_hours or resolution_hours >= 100000:
        raise ValidationError(
            {"resolution_hours": _("The resolution target cannot be shorter than the first response.")}
        )
    target, _created = SlaTarget.objects.update_or_create(
        category=category,
        priority=priority,
        defaults={"first_response_hours": first_response_hours, "resolution_hours": resolution_hours},
    )
    audit("service.sla_target_set", actor=user, obj=target, data={"category": category, "priority": priority})
    return target


@transaction.atomic
def sla_target_ensure(
    *, category: str, priority: str, first_response_hours, resolution_hours, actor=None
) -> tuple[SlaTarget, bool]:
    """The target of ``category`` and ``priority``, made when missing; ``(target, created)``.
    One that exists keeps its hours (an industry template adds, never changes). Made by
    ``sla_target_set``, whose checks apply."""
    target = SlaTarget.objects.filter(category=category, priority=priority).first()
    if target is not None:
        return target, False
    target = sla_target_set(
        category=category,
        priority=priority,
        first_response_hours=Decimal(str(first_response_hours)),
        resolution_hours=Decimal(str(resolution_hours)),
        user=actor,
    )
    return target, True
