"""The service desk's API: tickets with their actions, bad input answered 400/404, record rules,
lists in a fixed number of queries."""

import pytest
from rest_framework.test import APIClient

from crm.service.models import Category, Holiday, Ticket, Visit
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import EngineerFactory, ServiceTeamFactory, TicketFactory, image_file, lot_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/service"


@pytest.fixture(autouse=True)
def _in_english(in_english):
    yield


def _client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def desk():
    return _client(UserFactory(roles=["service"]))


def test_create_and_walk_a_ticket_through_its_actions(desk):
    customer = CustomerFactory()
    response = desk.post(
        f"{BASE}/tickets/",
        {"customer": customer.pk, "category": "repair", "subject": "空调漏水"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["number"].startswith("TK-")
    for action in ("start", "wait", "resume", "resolve", "close"):
        response = desk.post(f"{BASE}/tickets/{pk}/{action}/", {"note": action}, format="json")
        assert response.status_code == 200, (action, response.json())
    assert response.json()["state"] == "closed"
    response = desk.post(f"{BASE}/tickets/{pk}/close/", {}, format="json")
    assert response.status_code == 400 and "state" in response.json()
    assert desk.post(f"{BASE}/tickets/{pk}/reopen/", {}, format="json").json()["reopen_count"] == 1


def test_comment_assign_and_confirm_quality(desk):
    engineer = EngineerFactory()
    ticket = TicketFactory(category=Category.QUALITY)
    assert (
        desk.post(f"{BASE}/tickets/{ticket.pk}/comment/", {"text": "收到"}, format="json").status_code == 201
    )
    response = desk.post(f"{BASE}/tickets/{ticket.pk}/assign/", {"assignee": engineer.user_id}, format="json")
    assert response.json()["assignee"] == engineer.user_id
    assert desk.post(f"{BASE}/tickets/{ticket.pk}/confirm_quality/").json()["quality_confirmed_at"]


@pytest.mark.parametrize("bad", ["²", "1.5", "NaN", "-1", "99999999999999999999"])
def test_bad_ids_are_answered_400_or_404(desk, bad):
    assert desk.get(f"{BASE}/tickets/{bad}/").status_code == 404
    customer = CustomerFactory()
    response = desk.post(
        f"{BASE}/tickets/", {"customer": bad, "category": "question", "subject": "x"}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()
    response = desk.post(
        f"{BASE}/tickets/",
        {"customer": customer.pk, "lot": bad, "category": "question", "subject": "x"},
        format="json",
    )
    assert response.status_code == 400 and "lot" in response.json()
    assert not Ticket.objects.exists()


def test_a_lot_never_shipped_is_a_400_on_lot(desk, shipped):
    customer = CustomerFactory()
    response = desk.post(
        f"{BASE}/tickets/",
        {"customer": customer.pk, "lot": lot_of().pk, "category": "quality", "subject": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "was never shipped to this customer" in response.json()["lot"][0]


def test_nan_and_huge_numbers_in_sla_targets_are_refused():
    manager = _client(UserFactory(roles=["manager"]))
    for bad in ("NaN", "1e30", "Infinity"):
        response = manager.post(
            f"{BASE}/sla-targets/",
            {"category": "quality", "priority": "high", "first_response_hours": bad, "resolution_hours": "8"},
            format="json",
        )
        assert response.status_code == 400 and "first_response_hours" in response.json()
    response = manager.post(
        f"{BASE}/sla-targets/",
        {"category": "quality", "priority": "high", "first_response_hours": "4", "resolution_hours": "2"},
        format="json",
    )
    assert response.status_code == 400 and "resolution_hours" in response.json()


def test_a_holiday_on_a_date_that_does_not_exist_is_refused():
    manager = _client(UserFactory(roles=["manager"]))
    response = manager.post(f"{BASE}/holidays/", {"date": "2026-02-31", "name": "x"}, format="json")
    assert response.status_code == 400 and "date" in response.json()
    assert not Holiday.objects.exists()


def test_the_calendar_is_read_and_set(desk):
    manager = _client(UserFactory(roles=["manager"]))
    response = manager.post(
        f"{BASE}/calendar/",
        {"working_days": [1, 2, 3, 4, 5, 6], "day_start": "08:30", "day_end": "17:30"},
        format="json",
    )
    assert response.status_code == 200
    assert desk.get(f"{BASE}/calendar/").json()["working_days"] == [1, 2, 3, 4, 5, 6]
    response = manager.post(
        f"{BASE}/calendar/", {"working_days": [8], "day_start": "18:00", "day_end": "09:00"}, format="json"
    )
    assert response.status_code == 400


def test_a_photo_upload_that_is_not_an_image_is_a_400(desk, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = TicketFactory()
    response = desk.post(
        f"{BASE}/tickets/{ticket.pk}/photos/",
        {"image": SimpleUploadedFile("a.png", b"nope")},
        format="multipart",
    )
    assert response.status_code == 400 and response.json() == {"image": ["The file is not an image."]}
    response = desk.post(f"{BASE}/tickets/{ticket.pk}/photos/", {"image": image_file()}, format="multipart")
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"


def test_a_sales_rep_reads_own_customers_tickets_and_writes_none():
    rep = UserFactory(roles=["sales"])
    mine = TicketFactory(customer=CustomerFactory(owner=rep))
    TicketFactory()
    api = _client(rep)
    assert [t["id"] for t in api.get(f"{BASE}/tickets/").json()["results"]] == [mine.pk]
    assert api.post(f"{BASE}/tickets/{mine.pk}/resolve/").status_code == 403


def test_an_engineer_cannot_act_on_another_teams_ticket():
    engineer = EngineerFactory()
    other = TicketFactory(team=ServiceTeamFactory())
    api = _client(engineer.user)
    assert api.post(f"{BASE}/tickets/{other.pk}/start/").status_code == 404


def test_the_ticket_list_takes_a_fixed_number_of_queries(desk, django_assert_max_num_queries):
    for _i in range(3):
        TicketFactory()
    with django_assert_max_num_queries(8) as few:
        assert desk.get(f"{BASE}/tickets/").status_code == 200
    for _i in range(10):
        TicketFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(desk.get(f"{BASE}/tickets/").json()["results"]) == 13


def test_a_visit_is_booked_in_the_first_free_slot_and_completed(desk):
    import datetime

    import time_machine

    from crm.service.models import ServiceCalendar

    ServiceCalendar.objects.update_or_create(pk=1, defaults={"working_days": [1, 2, 3, 4, 5]})
    engineer = EngineerFactory()
    ticket = TicketFactory(category=Category.INSTALLATION, assignee=engineer.user, team=engineer.team)
    sh = datetime.timezone(datetime.timedelta(hours=8))
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 10, tzinfo=sh), tick=False):
        first = desk.post(f"{BASE}/visits/", {"ticket": ticket.pk}, format="json")
        second = desk.post(f"{BASE}/visits/", {"ticket": ticket.pk}, format="json")
        clash = desk.post(
            f"{BASE}/visits/", {"ticket": ticket.pk, "starts_at": "2026-03-02T10:00:00+08:00"}, format="json"
        )
    assert first.json()["starts_at"] == "2026-03-02T09:30:00+08:00"
    assert second.json()["starts_at"] == "2026-03-02T11:30:00+08:00"
    assert clash.status_code == 400 and "starts_at" in clash.json()
    done = desk.post(f"{BASE}/visits/{first.json()['id']}/complete/", {"notes": "安装完成"}, format="json")
    assert done.json()["state"] == "done"
    assert desk.post(f"{BASE}/visits/{first.json()['id']}/cancel/").status_code == 400
    assert Visit.objects.filter(state="planned").count() == 1


def test_a_visit_for_a_question_is_refused(desk):
    engineer = EngineerFactory()
    ticket = TicketFactory(category=Category.QUESTION, assignee=engineer.user)
    response = desk.post(f"{BASE}/visits/", {"ticket": ticket.pk}, format="json")
    assert response.status_code == 400 and "ticket" in response.json()


def test_patch_changes_only_subject_description_and_priority(desk):
    ticket = TicketFactory(priority="normal")
    response = desk.patch(
        f"{BASE}/tickets/{ticket.pk}/",
        {"priority": "urgent", "subject": "更正", "state": "closed"},
        format="json",
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.subject, ticket.state) == ("urgent", "更正", "new")
    assert ticket.first_response_due is not None
    assert desk.patch(f"{BASE}/tickets/{ticket.pk}/", {"priority": "NaN"}, format="json").status_code == 400
