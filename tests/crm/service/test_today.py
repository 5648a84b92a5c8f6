"""The service's "today" panel: tickets near their SLA, the user's own first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.service.models import Ticket
from crm.service.timeline import home_context
from tests.crm.service.factories import EngineerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineers():
    me = EngineerFactory()
    mate = EngineerFactory(team=me.team)
    return me, mate


def ticket(engineer, hours, state=Ticket.State.IN_PROGRESS, **kwargs):
    return TicketFactory(
        assignee=engineer.user,
        team=engineer.team,
        state=state,
        resolution_due=timezone.now() + timedelta(hours=hours),
        **kwargs,
    )


def test_tickets_due_within_the_hours_or_breached_are_near_their_sla(engineers, settings):
    settings.SERVICE_SLA_SOON_HOURS = 4
    me, _ = engineers
    soon = ticket(me, 3)
    breached = ticket(me, 30, resolution_breached_at=timezone.now())
    ticket(me, 10)
    ticket(me, 1, state=Ticket.State.WAITING)
    ticket(me, 1, state=Ticket.State.CLOSED)
    context = home_context(None, me.user)
    assert {t.pk for t in context["tickets"]} == {soon.pk, breached.pk} and context["count"] == 2


def test_my_tickets_come_before_my_teams(engineers):
    me, mate = engineers
    theirs = ticket(mate, 1)
    mine = ticket(me, 2)
    assert [t.pk for t in home_context(None, me.user)["tickets"]] == [mine.pk, theirs.pk]


def test_another_teams_tickets_are_not_shown(engineers):
    me, _ = engineers
    ticket(EngineerFactory(), 1)
    assert home_context(None, me.user)["count"] == 0


def test_the_ticket_list_near_sla_lists_the_panels_tickets(client, engineers):
    me, _ = engineers
    near = ticket(me, 1)
    calm = ticket(me, 48)
    client.force_login(me.user)
    page = client.get(reverse("service:ticket_list") + "?sla=near").content.decode()
    assert near.number in page and calm.number not in page
