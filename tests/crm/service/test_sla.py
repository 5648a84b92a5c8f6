"""The SLA clock on the company calendar: business hours, weekends, holidays, 调休 days, pauses,
the warning sent once and the breach recorded."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.events.models import Notification
from crm.service import services, sla
from crm.service.models import Category, Holiday, Priority, ServiceCalendar, SlaTarget, TicketEvent
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import EngineerFactory, ServiceTeamFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def calendar(db):
    ServiceCalendar.objects.update_or_create(
        pk=1, defaults={"working_days": [1, 2, 3, 4, 5], "day_start": "09:00", "day_end": "18:00"}
    )


def test_business_hours_run_over_the_weekend():
    # Friday 2026-03-06 17:00 + 2 business hours → Monday 10:00.
    assert sla.business_add(at(2026, 3, 6, 17), 2) == at(2026, 3, 9, 10)
    assert sla.business_seconds(at(2026, 3, 6, 17), at(2026, 3, 9, 10)) == 2 * 3600


def test_a_start_outside_hours_counts_from_the_next_morning():
    assert sla.business_add(at(2026, 3, 4, 20), 1) == at(2026, 3, 5, 10)
    assert sla.business_seconds(at(2026, 3, 4, 20), at(2026, 3, 5, 8)) == 0


def test_a_public_holiday_counts_nothing():
    Holiday.objects.create(date=date(2026, 5, 1), name="劳动节")
    # Thursday 2026-04-30 17:00 + 2h: Friday is a holiday → Monday 05-04 10:00.
    assert sla.business_add(at(2026, 4, 30, 17), 2) == at(2026, 5, 4, 10)


def test_a_tiaoxiu_saturday_is_a_working_day():
    Holiday.objects.create(date=date(2026, 5, 9), name="调休", is_working_day=True)
    # Friday 2026-05-08 17:00 + 2h → Saturday 05-09 10:00.
    assert sla.business_add(at(2026, 5, 8, 17), 2) == at(2026, 5, 9, 10)
    assert sla.business_seconds(at(2026, 5, 8, 9), at(2026, 5, 11, 9)) == 18 * 3600


def _ticket(category=Category.QUESTION, priority=Priority.NORMAL, **kwargs):
    SlaTarget.objects.update_or_create(
        category=category,
        priority=priority,
        defaults={"first_response_hours": Decimal(4), "resolution_hours": Decimal(10)},
    )
    return services.ticket_open(
        customer=CustomerFactory(), category=category, subject="打印机卡纸", priority=priority, **kwargs
    )


def test_dues_are_computed_in_business_hours_at_open():
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        ticket = _ticket()
    assert ticket.first_response_due == at(2026, 3, 9, 11)
    assert ticket.resolution_due == at(2026, 3, 9, 17)


def test_waiting_for_the_customer_pauses_the_clock_and_resume_moves_the_dues_on():
    user = UserFactory(roles=["service"])
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        ticket = _ticket()
        services.ticket_transition(ticket=ticket, action="start", user=user)
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        services.ticket_transition(ticket=ticket, action="wait", user=user)
    # Paused from Monday 10:00 to Tuesday 12:00: 8 + 3 = 11 business hours.
    with time_machine.travel(at(2026, 3, 3, 12), tick=False):
        ticket = services.ticket_transition(ticket=ticket, action="resume", user=user)
    assert ticket.paused_seconds == 11 * 3600
    assert ticket.paused_at is None
    # Resolution was Tuesday 10:00 (Mon 9h + 1h), moved on by 11h → Wednesday 12:00.
    assert ticket.resolution_due == at(2026, 3, 4, 12)


def test_a_paused_ticket_is_not_warned_nor_breached():
    user = UserFactory(roles=["service"])
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        ticket = _ticket()
        services.ticket_transition(ticket=ticket, action="start", user=user)
        services.ticket_transition(ticket=ticket, action="wait", user=user)
    assert sla.sla_check(now=at(2026, 3, 20, 9)) == {"warned": 0, "breached": 0}


def test_a_ticket_about_to_breach_warns_assignee_and_manager_once():
    manager = UserFactory(roles=["service"])
    team = ServiceTeamFactory(manager=manager)
    engineer = EngineerFactory(team=team)
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        ticket = _ticket()
    services.ticket_assign(ticket=ticket, assignee=engineer.user, user=manager)
    # First response due 13:00; at 12:30 half an hour is left (< 1 business hour).
    assert sla.sla_check(now=at(2026, 3, 2, 12, 30)) == {"warned": 1, "breached": 0}
    assert sla.sla_check(now=at(2026, 3, 2, 12, 40)) == {"warned": 0, "breached": 0}
    assert set(Notification.objects.values_list("user_id", flat=True)) == {manager.pk, engineer.user_id}
    assert Notification.objects.count() == 2
    ticket.refresh_from_db()
    assert ticket.breach_warned_at == at(2026, 3, 2, 12, 30)


def test_a_ticket_far_from_its_due_is_not_warned():
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        _ticket()
    assert sla.sla_check(now=at(2026, 3, 2, 10)) == {"warned": 0, "breached": 0}


def test_a_breach_is_recorded_once_on_the_ticket_and_its_timeline():
    manager = UserFactory(roles=["service"])
    engineer = EngineerFactory(team=ServiceTeamFactory(manager=manager))
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        ticket = _ticket()
    services.ticket_assign(ticket=ticket, assignee=engineer.user, user=manager)
    assert sla.sla_check(now=at(2026, 3, 2, 14))["breached"] == 1
    assert sla.sla_check(now=at(2026, 3, 2, 15))["breached"] == 0
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at == at(2026, 3, 2, 14)
    assert ticket.resolution_breached_at is None
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breach").count() == 1
    assert Notification.objects.filter(user=manager, kind="service.sla_breach").count() == 1


def test_defaults_apply_when_no_target_is_set():
    first, resolution = sla.sla_target_for(Category.REPAIR, Priority.URGENT)
    assert (first, resolution) == (Decimal(1), Decimal(8))
    assert set(sla.sla_defaults()) == {(c, p) for c in Category.values for p in Priority.values}


def test_the_check_runs_every_fifteen_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["service-sla-check"]
    assert entry == {"task": "crm.service.tasks.sla_check", "schedule": 900.0}
