"""What the desk adds to other pages: open tickets and ticket events on the customer 360 page,
tickets near their SLA on the home page, the navigation."""

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.service import services
from crm.service.models import Category
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import EngineerFactory, TicketFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(in_english):
    yield


def test_the_customer_page_shows_open_tickets_and_their_events(client):
    rep = UserFactory(roles=["sales"])
    customer = CustomerFactory(owner=rep)
    ticket = services.ticket_open(customer=customer, category=Category.REPAIR, subject="空调不制冷")
    closed = TicketFactory(customer=customer, state="closed")
    client.force_login(rep)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-panel="service.tickets"' in page
    assert ticket.number in page and closed.number not in page.split('data-testid="timeline"')[0]
    assert f"{ticket.number} · Ticket opened" in page


def test_the_home_page_lists_my_tickets_near_their_sla(client):
    engineer = EngineerFactory()
    warned = TicketFactory(
        assignee=engineer.user, team=engineer.team, state="in_progress", breach_warned_at=timezone.now()
    )
    calm = TicketFactory(assignee=engineer.user, team=engineer.team, state="in_progress")
    client.force_login(engineer.user)
    page = client.get(reverse("home")).content.decode()
    assert warned.number in page and calm.number not in page


def test_the_menu_offers_tickets_to_service_and_settings_to_managers(client):
    client.force_login(UserFactory(roles=["service"]))
    page = client.get(reverse("home")).content.decode()
    assert reverse("service:ticket_list") in page and reverse("service:sla_settings") not in page
    client.force_login(UserFactory(roles=["manager"]))
    page = client.get(reverse("home")).content.decode()
    assert reverse("service:sla_settings") in page and reverse("service:teams") in page
