"""The parts panel on the ticket page, its htmx actions, and /api/v1/ticket-parts/."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from crm.service import panels, parts
from crm.service.models import Ticket, TicketPart
from scm.inventory import services as stock
from scm.inventory.models import Reservation
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import TicketFactory
from tests.crm.service.parts.factories import GUANGZHOU_CUSTOMER, city_warehouses
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    wh = city_warehouses()
    lat, lon = GUANGZHOU_CUSTOMER
    unit = ProductFactory(name="格力 1.5 匹挂机", warranty_months=36)
    from datetime import date

    ticket = TicketFactory(
        customer=CustomerFactory(latitude=lat, longitude=lon),
        category="repair",
        product=unit,
        shipped_on=date(2020, 3, 1),
    )
    kit = ProductFactory(name="空调安装支架", list_price=Decimal("80.00"))
    stock.stock_receive(product=kit, warehouse=wh["上海"], quantity=10)
    stock.stock_receive(product=kit, warehouse=wh["广州"], quantity=3)
    return ticket, kit, wh


def _client(role):
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    return client


def test_the_ticket_page_gets_a_parts_panel_for_service_and_the_warehouse(world):
    ticket, _kit, _wh = world
    keys = [p["key"] for p in panels.panels_for(ticket, UserFactory(roles=["warehouse"]))]
    assert "parts" in keys
    assert "parts" not in [p["key"] for p in panels.panels_for(ticket, UserFactory(roles=["sales"]))]


def test_the_panel_shows_the_warranty_end_date(world):
    ticket, _kit, _wh = world
    response = _client("service").get(reverse("service:ticket_parts", args=[ticket.pk]), **HTMX)
    assert response.status_code == 200
    assert "Warranty ended on 2023-03-01" in response.content.decode()


def test_an_engineer_adds_a_part_through_the_panel_and_sees_where_it_is_held(world):
    ticket, kit, _wh = world
    response = _client("service").post(
        reverse("service:ticket_part_add", args=[ticket.pk]), {"product": kit.pk, "quantity": "2"}, **HTMX
    )
    assert response.status_code == 200
    part = TicketPart.objects.get()
    assert part.quantity == 2 and part.unit_price == Decimal("80.00")
    html = response.content.decode()
    assert "广州仓" in html and 'data-testid="part-row"' in html


def test_a_part_short_everywhere_shows_the_error_in_the_panel_and_writes_nothing(world):
    ticket, kit, _wh = world
    response = _client("service").post(
        reverse("service:ticket_part_add", args=[ticket.pk]), {"product": kit.pk, "quantity": "50"}, **HTMX
    )
    assert response.status_code == 200
    assert "Only 13 pcs" in response.content.decode()
    assert not TicketPart.objects.exists()


@pytest.mark.parametrize("product", ["", "²", "99999999999999999999", "abc"])
def test_a_bad_product_is_a_message_not_a_crash(world, product):
    ticket, _kit, _wh = world
    response = _client("service").post(
        reverse("service:ticket_part_add", args=[ticket.pk]), {"product": product, "quantity": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert "Choose a part." in response.content.decode()


def test_removing_through_the_panel_frees_the_stock(world):
    ticket, kit, _wh = world
    engineer = UserFactory(roles=["service"])
    part = parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
    client = Client()
    client.force_login(engineer)
    response = client.post(reverse("service:ticket_part_remove", args=[ticket.pk, part.pk]), **HTMX)
    assert response.status_code == 200
    part.refresh_from_db()
    assert part.state == TicketPart.State.RELEASED
    assert not Reservation.objects.exists()


def test_the_warehouse_reads_the_parts_but_cannot_add(world):
    ticket, kit, _wh = world
    client = _client("warehouse")
    assert client.get(reverse("service:ticket_parts", args=[ticket.pk])).status_code == 200
    response = client.post(
        reverse("service:ticket_part_add", args=[ticket.pk]), {"product": kit.pk, "quantity": "1"}
    )
    assert response.status_code == 403
    assert not TicketPart.objects.exists()


def test_the_availability_shows_the_warehouse_it_will_be_taken_from(world):
    ticket, kit, wh = world
    client = _client("service")
    url = reverse("service:ticket_part_availability", args=[ticket.pk])
    html = client.get(url, {"product": kit.pk, "quantity": "2"}).content.decode()
    assert html.index("广州仓") < html.index("上海仓")
    assert 'data-chosen="1">' in html and "广州仓: 3" in html
    html = client.get(url, {"product": kit.pk, "quantity": "5"}).content.decode()
    chosen = html[html.index('data-chosen="1"') :]
    assert chosen.split("</li>")[0].count("上海仓") == 1


def test_the_part_field_is_the_products_picker_and_finds_matching_parts(world):
    ticket, kit, _wh = world
    client = _client("service")
    html = client.get(reverse("service:ticket_parts", args=[ticket.pk])).content.decode()
    assert f'data-picker="{reverse("inventory-product-picker")}"' in html
    found = client.get(reverse("inventory-product-picker"), {"q": "支架"}).json()["results"]
    assert kit.pk in [row["id"] for row in found]


def test_a_closed_ticket_offers_no_add_form(world):
    ticket, _kit, _wh = world
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.CLOSED)
    html = _client("service").get(reverse("service:ticket_parts", args=[ticket.pk])).content.decode()
    assert 'data-testid="part-add-form"' not in html


# --- API ------------------------------------------------------------------------------------------


def _api(role):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[role]))
    return client


def test_the_api_adds_a_part_and_lists_it_by_ticket(world):
    ticket, kit, _wh = world
    client = _api("service")
    response = client.post(
        "/api/v1/ticket-parts/", {"ticket": ticket.pk, "product": kit.pk, "quantity": "2"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "reserved"
    other = TicketFactory(customer=ticket.customer)
    listed = client.get("/api/v1/ticket-parts/", {"ticket": ticket.pk}).json()
    assert [row["id"] for row in listed["results"]] == [response.json()["id"]]
    assert client.get("/api/v1/ticket-parts/", {"ticket": other.pk}).json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": 1e30}, "quantity"),
        ({"quantity": "500"}, "quantity"),
        ({"product": "²"}, "product"),
        ({"ticket": "1.5"}, "ticket"),
    ],
)
def test_bad_api_input_is_a_400_naming_the_field(world, body, field):
    ticket, kit, _wh = world
    payload = {"ticket": ticket.pk, "product": kit.pk, "quantity": "1", **body}
    response = _api("service").post("/api/v1/ticket-parts/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not TicketPart.objects.exists()


def test_a_bad_ticket_filter_is_a_400(world):
    assert _api("warehouse").get("/api/v1/ticket-parts/", {"ticket": "²"}).status_code == 400


def test_deleting_a_part_through_the_api_releases_it(world):
    ticket, kit, _wh = world
    part = parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=UserFactory(roles=["service"]))
    response = _api("manager").delete(f"/api/v1/ticket-parts/{part.pk}/")
    assert response.status_code == 204
    part.refresh_from_db()
    assert part.state == TicketPart.State.RELEASED


def test_the_warehouse_cannot_add_through_the_api(world):
    ticket, kit, _wh = world
    response = _api("warehouse").post(
        "/api/v1/ticket-parts/", {"ticket": ticket.pk, "product": kit.pk, "quantity": "1"}, format="json"
    )
    assert response.status_code == 403


def test_the_list_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    ticket, kit, _wh = world
    engineer = UserFactory(roles=["service"])
    for _ in range(3):
        parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
    client = _api("service")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/ticket-parts/").json()["results"]) == 3
    for _ in range(5):
        parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/ticket-parts/").json()["results"]) == 8


def test_the_panel_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    ticket, kit, _wh = world
    engineer = UserFactory(roles=["service"])
    client = Client()
    client.force_login(engineer)
    url = reverse("service:ticket_parts", args=[ticket.pk])
    for _ in range(2):
        parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
    client.get(url, **HTMX)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url, **HTMX)
    for _ in range(6):
        parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
    with django_assert_max_num_queries(len(few)):
        client.get(url, **HTMX)


def test_an_engineer_cannot_add_parts_to_another_teams_ticket(client):
    from tests.crm.service.factories import EngineerFactory, TicketFactory

    engineer = EngineerFactory()
    ticket = TicketFactory(team=EngineerFactory().team)
    client.force_login(engineer.user)
    response = client.post(
        reverse("service:ticket_part_add", args=[ticket.pk]), {"product": "1", "quantity": "1"}
    )
    assert response.status_code == 404
    assert not ticket.parts.exists()


def test_the_parts_api_lists_only_the_parts_of_tickets_the_engineer_may_see():
    from rest_framework.test import APIClient

    from tests.crm.service.factories import EngineerFactory, TicketFactory

    engineer = EngineerFactory()
    mine = TicketFactory(team=engineer.team)
    theirs = TicketFactory(team=EngineerFactory().team)
    product = ProductFactory()
    for ticket in (mine, theirs):
        TicketPart.objects.create(ticket=ticket, product=product, quantity=1)
    api = APIClient()
    api.force_authenticate(engineer.user)
    rows = api.get("/api/v1/ticket-parts/").json()["results"]
    assert [row["ticket"] for row in rows] == [mine.pk]


def test_the_parts_page_links_back_to_its_ticket(world):
    ticket, _kit, _wh = world
    body = _client("service").get(reverse("service:ticket_parts", args=[ticket.pk])).content.decode()
    assert 'data-testid="back-to-ticket"' in body
    assert reverse("service:ticket_detail", args=[ticket.pk]) in body
