"""The ticket's assignee is chosen in the engineers picker (``crm.service.pickers``): active
engineers who are active users, by name, pinyin or initials, each with its team, a fixed number
of queries; the ticket page carries the current assignee only, never the list of engineers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.service.models import Ticket
from tests.crm.service.factories import EngineerFactory, ServiceTeamFactory, TicketFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = "service-engineer-picker"


@pytest.fixture
def team(db):
    return ServiceTeamFactory(name="上门组")


def _engineer(given, family, team, **fields):
    user = UserFactory(first_name=given, last_name=family, roles=["service"])
    return EngineerFactory(user=user, team=team, **fields)


def _search(client, q=""):
    response = client.get(reverse(SEARCH), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def desk(client):
    user = UserFactory(roles=["service"])
    client.force_login(user)
    return user


@pytest.mark.parametrize("typed", ["ww", "wangwei", "王伟"])
def test_an_engineer_is_found_by_initials_pinyin_and_name_with_the_team_below(client, desk, typed, team):
    wang = _engineer("伟", "王", team)
    _engineer("芳", "李", team)
    assert _search(client, typed) == [{"id": wang.user_id, "text": "王伟", "secondary": "上门组"}]


def test_only_active_engineers_who_are_active_users_are_offered(client, desk, team):
    active = _engineer("伟", "王", team)
    _engineer("强", "王", team, is_active=False)
    gone = _engineer("刚", "王", team)
    gone.user.is_active = False
    gone.user.save()
    UserFactory(first_name="磊", last_name="王", roles=["service"])  # not an engineer
    assert [r["id"] for r in _search(client, "wang")] == [active.user_id]


def test_the_search_reads_a_fixed_number_of_queries_whatever_the_number_of_engineers(client, desk, team):
    for i in range(3):
        _engineer(f"工{i}", "张", team)
    _search(client, "zhang")  # the session's first request writes it
    with CaptureQueriesContext(connection) as few:
        _search(client, "zhang")
    for i in range(40):
        _engineer(f"师{i}", "张", team)
    with CaptureQueriesContext(connection) as many:
        rows = _search(client, "zhang")
    assert len(many) == len(few) and len(rows) == 20


def test_sales_may_not_search_engineers(client):
    client.force_login(UserFactory(roles=["sales"]))
    assert client.get(reverse(SEARCH), {"q": "w"}).status_code == 403


def test_the_ticket_page_carries_the_assignee_and_no_list_of_engineers(client, desk, team):
    wang, li = _engineer("伟", "王", team), _engineer("芳", "李", team)
    ticket = TicketFactory(assignee=wang.user, team=wang.team, state="assigned")
    page = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert reverse(SEARCH) in page and "王伟" in page and "李芳" not in page
    assert li.user_id  # made, and not on the page


def test_assigning_a_user_who_is_not_an_engineer_is_refused_by_name(client, desk, in_english, team):
    wang = _engineer("伟", "王", team)
    ticket = TicketFactory(assignee=wang.user, team=wang.team, state="assigned")
    stranger = UserFactory(roles=["service"])
    response = client.post(
        reverse("service:ticket_assign", args=[ticket.pk]), {"assignee": stranger.pk}, follow=True
    )
    assert "Choose an active engineer." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == wang.user


@pytest.mark.parametrize("bad", ["", "²", "NaN", "1e30", "-1"])
def test_odd_assignees_are_refused_and_nothing_changes(client, desk, bad, team):
    wang = _engineer("伟", "王", team)
    ticket = TicketFactory(assignee=wang.user, team=wang.team, state="assigned")
    response = client.post(reverse("service:ticket_assign", args=[ticket.pk]), {"assignee": bad})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == wang.user


def test_the_api_assigns_only_whom_the_page_offers(api_client, desk, team):
    wang = _engineer("伟", "王", team)
    gone = _engineer("刚", "王", team)
    gone.user.is_active = False
    gone.user.save()
    ticket = TicketFactory(assignee=wang.user, team=team, state="assigned")
    api_client.force_authenticate(desk)
    response = api_client.post(f"/api/v1/service/tickets/{ticket.pk}/assign/", {"assignee": gone.user_id})
    assert response.status_code == 400 and "assignee" in response.json()
    assert Ticket.objects.get(pk=ticket.pk).assignee == wang.user
