"""A visit's start at the ends of the calendar is refused with a message, never a server error."""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from crm.service.models import Engineer, ServiceTeam, Visit
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import TicketFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    manager, engineer = UserFactory(roles=["manager"]), UserFactory(roles=["service"])
    team = ServiceTeam.objects.create(name="深圳服务组")
    Engineer.objects.create(user=engineer, team=team)
    ticket = TicketFactory(customer=CustomerFactory(), team=team, category="installation")
    return {"manager": manager, "engineer": engineer, "ticket": ticket}


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:30", "0001-01-01T00:10"])
def test_the_api_refuses_a_visit_at_the_ends_of_the_calendar(world, starts_at):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world["manager"])
    body = {"ticket": world["ticket"].pk, "engineer": world["engineer"].pk, "starts_at": starts_at}
    response = api.post("/api/v1/service/visits/", body, format="json")
    assert response.status_code == 400 and "starts_at" in response.json()
    assert not Visit.objects.exists()


def test_a_visit_more_than_a_year_ahead_is_refused_on_the_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world["manager"])
    response = client.post(
        f"/service/tickets/{world['ticket'].pk}/visits/",
        {"starts_at": "9999-12-31T23:30", "engineer": world["engineer"].pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "at most a year ahead" in response.content.decode()
    assert not Visit.objects.exists()
