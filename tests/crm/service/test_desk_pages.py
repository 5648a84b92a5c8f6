"""The service desk's pages: list with filters and a fixed number of queries, the ticket page,
actions, record rules, the public support form."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.models import AuditLog
from crm.service import services
from crm.service.models import Category, Ticket
from tests.crm.customers.factories import ContactFactory, CustomerFactory
from tests.crm.service.factories import (
    EngineerFactory,
    ServiceTeamFactory,
    TicketFactory,
    image_file,
    order_of,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(in_english):
    yield


@pytest.fixture
def desk(client):
    user = UserFactory(roles=["service"])
    client.force_login(user)
    return user


def test_the_list_shows_tickets_in_a_fixed_number_of_queries(client, desk, django_assert_max_num_queries):
    team = ServiceTeamFactory()
    for _i in range(3):
        TicketFactory(team=team, assignee=EngineerFactory(team=team).user)
    # 13: the first page a process shows also reads the company's navigation order (kept after).
    with django_assert_max_num_queries(13) as few:
        assert client.get(reverse("service:ticket_list")).status_code == 200
    for _i in range(10):
        TicketFactory(team=team, assignee=EngineerFactory(team=team).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("service:ticket_list"))
    assert response.content.decode().count('href="/service/tickets/') >= 13


def test_the_list_filters_by_state_category_and_search(client, desk):
    a = TicketFactory(category=Category.QUALITY, subject="卡纸")
    b = TicketFactory(category=Category.QUESTION, state="closed")
    page = client.get(reverse("service:ticket_list"), {"category": "quality"}).content.decode()
    assert a.number in page and b.number not in page
    page = client.get(reverse("service:ticket_list"), {"state": "closed"}).content.decode()
    assert b.number in page and a.number not in page
    page = client.get(reverse("service:ticket_list"), {"q": a.customer.name, "state": "all"}).content.decode()
    assert a.number in page and b.number not in page


def test_bad_filters_do_not_fail_the_list(client, desk):
    response = client.get(reverse("service:ticket_list"), {"team": "²", "assignee": "NaN", "page": "1e30"})
    assert response.status_code == 200


def test_an_engineer_sees_their_teams_tickets_only(client):
    engineer = EngineerFactory()
    mine = TicketFactory(team=engineer.team)
    other = TicketFactory(team=ServiceTeamFactory())
    client.force_login(engineer.user)
    page = client.get(reverse("service:ticket_list")).content.decode()
    assert mine.number in page and other.number not in page
    assert client.get(reverse("service:ticket_detail", args=[other.pk])).status_code == 404


def test_a_sales_rep_reads_tickets_of_own_customers_and_cannot_act(client):
    rep = UserFactory(roles=["sales"])
    mine = TicketFactory(customer=CustomerFactory(owner=rep))
    other = TicketFactory()
    client.force_login(rep)
    page = client.get(reverse("service:ticket_list")).content.decode()
    assert mine.number in page and other.number not in page
    detail = client.get(reverse("service:ticket_detail", args=[mine.pk]))
    assert detail.status_code == 200 and b'data-testid="ticket-actions"' not in detail.content
    response = client.post(reverse("service:ticket_transition", args=[mine.pk]), {"action": "resolve"})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=mine.pk).state == "new"


def test_the_ticket_page_shows_header_sla_and_timeline(client, desk):
    ticket = services.ticket_open(customer=CustomerFactory(), category=Category.REPAIR, subject="空调不制冷")
    services.ticket_comment(ticket=ticket, text="已联系客户", user=desk)
    page = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert ticket.number in page and "空调不制冷" in page
    assert 'data-testid="ticket-sla"' in page and "已联系客户" in page
    assert 'data-action="start"' in page and "Ticket opened" in page


def test_closing_twice_from_the_page_shows_the_error(client, desk):
    ticket = TicketFactory(state="closed")
    response = client.post(
        reverse("service:ticket_transition", args=[ticket.pk]), {"action": "close"}, follow=True
    )
    assert "cannot be moved this way" in response.content.decode()


def test_a_new_ticket_from_the_form(client, desk, media):
    customer = CustomerFactory()
    response = client.post(
        reverse("service:ticket_create"),
        {
            "customer": customer.pk,
            "category": "damage",
            "priority": "high",
            "channel": "phone",
            "subject": "外箱破损",
            "photos": [image_file()],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "service:ticket_detail", args=[ticket.pk]
    )
    assert (ticket.customer, ticket.category, ticket.photos.count()) == (customer, "damage", 1)


def test_a_lot_never_shipped_is_a_field_error_on_the_form(client, desk, shipped):
    from tests.crm.service.factories import lot_of

    customer = CustomerFactory()
    lot = lot_of()
    response = client.post(
        reverse("service:ticket_create"),
        {
            "customer": customer.pk,
            "category": "quality",
            "priority": "normal",
            "channel": "phone",
            "subject": "x",
            "lot": lot.pk,
        },
    )
    assert response.status_code == 200
    assert "was never shipped to this customer" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_lot_select_offers_what_was_shipped_to_the_customer(client, desk, shipped):
    from tests.crm.service.factories import lot_of

    customer = CustomerFactory()
    lot = lot_of(number="LOT-2026-07")
    shipped(customer, lot)
    page = client.get(reverse("service:ticket_lots"), {"customer": customer.pk}).content.decode()
    assert f'value="{lot.pk}"' in page and "LOT-2026-07" in page
    assert "LOT-2026-07" not in client.get(reverse("service:ticket_lots"), {"customer": "²"}).content.decode()


def test_a_photo_that_is_not_an_image_is_refused_on_the_page(client, desk, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = TicketFactory()
    response = client.post(
        reverse("service:ticket_photo_add", args=[ticket.pk]),
        {"image": SimpleUploadedFile("a.jpg", b"GIF89a nonsense")},
        follow=True,
    )
    assert "The file is not an image." in response.content.decode()
    assert not ticket.photos.exists()


def test_reassignment_from_the_page_is_audited(client, desk):
    first, second = EngineerFactory(), EngineerFactory()
    ticket = TicketFactory(assignee=first.user, team=first.team, state="assigned")
    client.post(reverse("service:ticket_assign", args=[ticket.pk]), {"assignee": second.user_id})
    assert Ticket.objects.get(pk=ticket.pk).assignee == second.user
    assert AuditLog.objects.filter(action="ticket.reassigned", object_id=str(ticket.pk)).exists()


def test_the_settings_pages_render_for_a_manager(client):
    client.force_login(UserFactory(roles=["manager"]))
    assert client.get(reverse("service:sla_settings")).status_code == 200
    assert client.get(reverse("service:teams")).status_code == 200
    response = client.post(
        reverse("service:sla_settings"),
        {
            "form": "target",
            "category": "quality",
            "priority": "high",
            "first_response_hours": "NaN",
            "resolution_hours": "8",
        },
    )
    assert (
        response.status_code == 200 and 'data-field-error="first_response_hours"' in response.content.decode()
    )


# --- the public form ---------------------------------------------------------------------------


@pytest.fixture
def public_order(db):
    cache.clear()
    customer = CustomerFactory(email="buyer@example.com", phone="020-8888 1234")
    ContactFactory(customer=customer, email="li@example.com", phone="13800001111")
    return order_of(customer)


def _support(client, **data):
    payload = {
        "category": "question",
        "subject": "发票问题",
        "description": "",
        "email": "",
        "phone": "",
        **data,
    }
    return client.post(reverse("service:support"), payload)


def test_the_public_form_opens_a_web_ticket_with_the_orders_email(client, public_order):
    response = _support(client, order_number=public_order.number, email="LI@example.com")
    assert response.status_code == 200 and b"support-thanks" in response.content
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.channel, ticket.order, ticket.requester_email) == (
        public_order.customer,
        "web",
        public_order,
        "li@example.com",
    )
    assert ticket.contact.email == "li@example.com"


def test_the_public_form_matches_a_phone_with_other_punctuation(client, public_order):
    _support(client, order_number=public_order.number.lower(), phone="+86 138 0000 1111")
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"order_number": "SO-2026-999999", "email": "buyer@example.com"},
        {"email": "someone@example.com"},
        {"phone": "13999999999"},
    ],
)
def test_a_wrong_order_or_contact_gives_one_generic_error(client, public_order, data):
    data.setdefault("order_number", public_order.number)
    response = _support(client, **data)
    page = response.content.decode()
    assert "We could not find an order with this number and e-mail address or phone number." in page
    assert not Ticket.objects.exists()


def test_the_honeypot_answers_thanks_and_writes_nothing(client, public_order):
    response = _support(
        client, order_number=public_order.number, email="buyer@example.com", website="http://spam"
    )
    assert b"support-thanks" in response.content
    assert not Ticket.objects.exists()


def test_the_public_form_is_rate_limited(client, public_order, settings):
    settings.SERVICE_FORM_LIMIT = 2
    for _i in range(2):
        _support(client, order_number="nope", email="x@example.com")
    response = _support(client, order_number=public_order.number, email="buyer@example.com")
    assert response.status_code == 429
    assert not Ticket.objects.exists()
