"""A lot that left as a service part (a ticket's part used at a visit) is traced like a shipped
one: in the trace, in the recall's customers (merged with what was shipped), and the service
desk knows the customer got it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from crm.service import hooks, parts
from integration.aftersales import recall as recalls
from integration.aftersales.models import RecallCustomer
from integration.aftersales.trace import lot_trace
from tests.crm.service.factories import TicketFactory
from tests.crm.service.parts.factories import VisitFactory
from tests.integration.aftersales.factories import customer_of, received_lot, ship
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, warehouse_user, service_user):
    warehouses = three_warehouses()
    lot, _receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user)
    return {
        "wh": warehouses,
        "lot": lot,
        "rep": sales_user,
        "picker": warehouse_user,
        "engineer": service_user,
    }


def used_as_part(world, customer, quantity):
    """A ticket of ``customer`` whose part (the lot's product) is used at a done visit."""
    ticket = TicketFactory(customer=customer)
    parts.ticket_part_add(
        ticket=ticket, product=world["lot"].product, quantity=quantity, user=world["engineer"]
    )
    parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket), user=world["engineer"])
    return ticket


def test_a_part_lot_used_at_a_customers_visit_shows_in_the_trace(world):
    customer = customer_of(world["rep"])
    ticket = used_as_part(world, customer, 2)
    trace = lot_trace(lot=world["lot"].pk)
    (row,) = trace.service_parts
    assert (row.ticket_number, row.customer_id, row.quantity) == (ticket.number, customer.pk, Decimal(2))
    assert timezone.localdate(row.used_at) == timezone.localdate()
    (card,) = trace.customers
    assert (card.customer_id, card.quantity, card.tickets, card.orders) == (
        customer.pk,
        Decimal(2),
        [ticket.number],
        [],
    )
    assert card.contact_name == f"{customer.name}联系人" and card.owner_id == world["rep"].pk
    assert card.last_shipped_at is not None
    assert trace.service_quantity == Decimal(2) and trace.shipped_quantity == 0


def test_a_customer_who_got_the_lot_shipped_and_as_a_part_is_one_card_with_the_sum(
    world, django_capture_on_commit_callbacks
):
    customer = customer_of(world["rep"])
    ship(
        customer,
        world["rep"],
        world["picker"],
        world["lot"],
        3,
        world["wh"]["SH"],
        django_capture_on_commit_callbacks,
    )
    ticket = used_as_part(world, customer, 2)
    (card,) = lot_trace(lot=world["lot"]).customers
    assert card.quantity == Decimal(5) and card.tickets == [ticket.number] and len(card.orders) == 1


def test_the_recall_lists_the_customers_who_got_the_lot_as_a_part(
    world, manager_user, django_capture_on_commit_callbacks
):
    both, part_only = customer_of(world["rep"]), customer_of(world["rep"])
    ship(
        both,
        world["rep"],
        world["picker"],
        world["lot"],
        3,
        world["wh"]["SH"],
        django_capture_on_commit_callbacks,
    )
    used_as_part(world, both, 1)
    used_as_part(world, part_only, 2)
    with django_capture_on_commit_callbacks(execute=True):
        recall = recalls.recall_start(lot=world["lot"], reason="卡纸批次", user=manager_user)
    rows = dict(RecallCustomer.objects.filter(recall=recall).values_list("customer_id", "quantity"))
    assert rows == {both.pk: Decimal(4), part_only.pk: Decimal(2)}


def test_the_trace_takes_the_same_number_of_queries_for_1_and_4_service_customers(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    used_as_part(world, customer_of(world["rep"]), 1)
    with CaptureQueriesContext(connection) as one:
        assert len(lot_trace(lot=world["lot"].pk).customers) == 1
    for _ in range(3):
        used_as_part(world, customer_of(world["rep"]), 1)
    with CaptureQueriesContext(connection) as four:
        assert len(lot_trace(lot=world["lot"].pk).customers) == 4
    assert len(four.captured_queries) == len(one.captured_queries) <= 6


def test_the_service_desk_knows_a_lot_the_customer_got_as_a_part(world):
    customer, other = customer_of(world["rep"]), customer_of(world["rep"])
    ticket = used_as_part(world, customer, 2)
    found = hooks.shipped_lot(customer_id=customer.pk, lot_id=world["lot"].pk)
    assert found is not None and found.quantity == Decimal(2) and found.ticket_number == ticket.number
    assert found.shipment_id is None and found.shipped_on == timezone.localdate()
    assert hooks.shipped_lot(customer_id=other.pk, lot_id=world["lot"].pk) is None
    assert [s.lot_id for s in hooks.shipped_lots(customer_id=customer.pk, search="JAM")] == [world["lot"].pk]


def test_the_trace_page_and_api_show_the_ticket_that_used_the_lot(world, client, api_client, manager_user):
    from django.urls import reverse

    ticket = used_as_part(world, customer_of(world["rep"]), 2)
    client.force_login(manager_user)
    body = client.get(reverse("aftersales:lot_trace", args=[world["lot"].pk])).content.decode()
    assert 'data-testid="trace-service-parts"' in body
    assert reverse("service:ticket_detail", args=[ticket.pk]) in body
    api_client.force_authenticate(manager_user)
    data = api_client.get(f"/api/v1/aftersales/lots/{world['lot'].pk}/trace/").json()
    assert [p["ticket_number"] for p in data["service_parts"]] == [ticket.number]
    assert data["customers"][0]["tickets"] == [ticket.number] and data["service_quantity"] == "2.000"
