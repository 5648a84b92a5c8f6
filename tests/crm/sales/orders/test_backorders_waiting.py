"""Promise dates net expected receipts against the backorders already waiting for them
(``crm.sales.orders.waiting``): a receipt goes first to the orders the backorder rule serves
first (priority, requested date, confirmation time, id), so a rep never promises a day from a
receipt that earlier customers' backorders will take."""

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from crm.sales.orders.document_lines import document_lines
from crm.sales.orders.waiting import backorders_waiting, orders_ahead_q, waiting_order_by, waiting_order_key
from scm.inventory.models import IncomingSupply
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = timezone.localdate()
S, P = SalesOrder.State, SalesOrder.Priority


def days(n):
    return TODAY + timedelta(days=n)


def minutes_ago(n):
    return timezone.now() - timedelta(minutes=n)


@pytest.fixture
def world(sales_user):
    return {
        "bj": WarehouseFactory(code="BJ", name="北京仓"),
        "customer": CustomerFactory(owner=sales_user),
        "product": ProductFactory(list_price=Decimal("10.00"), lead_time_days=30),
        "rep": sales_user,
    }


def receipt(world, quantity, on, product=None):
    product = product or world["product"]
    return IncomingSupply.objects.create(
        reference=f"PO-{product.pk}-{on}-{quantity}",
        product=product,
        warehouse=world["bj"],
        quantity=quantity,
        expected_date=on,
    )


def draft(world, quantity, product=None, **header):
    return order_services.order_create(
        customer=world["customer"],
        owner=world["rep"],
        lines=[{"product": product or world["product"], "quantity": quantity}],
        **header,
    )


def waiting_order(world, quantity, *, confirmed_at, product=None, **header):
    """A confirmed order whose line holds nothing yet: all of it waits on backorder."""
    order = draft(world, quantity, product=product, **header)
    order_states.order_transition(order=order, to_state=S.CONFIRMED)
    SalesOrder.objects.filter(pk=order.pk).update(confirmed_at=confirmed_at)
    order.refresh_from_db()
    return order


def expected_on_page(client, order) -> str:
    body = client.get(reverse("sales:orders:order_detail", args=[order.pk])).content.decode()
    return re.search(r'data-backorder-expected="([\d-]*)"', body).group(1)


# --- what a rep promises ------------------------------------------------------------------------


def test_a_receipt_taken_by_an_earlier_backorder_promises_a_new_order_the_next_receipt(world):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    order = draft(world, 3)
    assert order.lines.get().promise_date == days(12)


def test_receipts_taken_by_earlier_backorders_promise_a_quote_the_lead_time(world):
    receipt(world, 5, days(4))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    quote = quote_services.quote_create(
        customer=world["customer"], owner=world["rep"], lines=[{"product": world["product"], "quantity": 2}]
    )
    assert quote.lines.get().promise_date == days(30)


def test_a_backorder_of_another_product_leaves_the_receipt_to_the_new_order(world):
    receipt(world, 5, days(4))
    waiting_order(world, 5, confirmed_at=minutes_ago(60), product=ProductFactory(lead_time_days=30))
    assert draft(world, 5).lines.get().promise_date == days(4)


def test_inventorys_availability_api_promises_after_the_backorders_waiting(world, api_client):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    api_client.force_authenticate(world["rep"])
    url = f"/api/v1/inventory/products/{world['product'].pk}/availability/?quantity=3"
    [row] = api_client.get(url).json()
    assert row["promise_date"] == days(12).isoformat()


def test_inventorys_available_to_promise_nets_the_backorders_waiting(world):
    from scm.inventory.selectors import available_to_promise

    receipt(world, 5, days(4))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    [row] = available_to_promise(product_id=world["product"].pk)
    assert row["promise_date"] == days(30)


def test_an_urgent_new_order_is_promised_before_normal_backorders(world):
    receipt(world, 5, days(4))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    assert draft(world, 5, priority=P.URGENT).lines.get().promise_date == days(4)


def test_a_drafts_lines_are_promised_again_when_its_priority_changes(world):
    receipt(world, 5, days(4))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    order = draft(world, 5)
    order_services.order_update(order=order, user=world["rep"], priority=P.URGENT)
    assert order.lines.get().promise_date == days(4)


def test_the_live_lines_show_the_date_saving_an_urgent_order_writes(client, world):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    client.force_login(world["rep"])
    data = {
        "customer": world["customer"].pk,
        "priority": P.URGENT,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": world["product"].pk,
        "lines-0-quantity": "5",
        "lines-0-unit": "",
    }
    body = client.post(reverse("sales:orders:totals"), data).content.decode()
    shown = re.search(r'id="atp-lines-0".*?data-promise-date="([\d-]*)"', body, re.S).group(1)
    saved = draft(world, 5, priority=P.URGENT).lines.get().promise_date
    assert shown == saved.isoformat() == days(4).isoformat()


def test_the_product_pick_shows_the_day_one_unit_could_ship_after_the_backorders_waiting(client, world):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    client.force_login(world["rep"])
    body = client.get(reverse("sales:orders:atp"), {"product": world["product"].pk}).content.decode()
    assert re.findall(r'data-can-ship="([\d-]*)"', body) == [days(12).isoformat()]


# --- the order page: when a backorder is expected ------------------------------------------------


def test_an_orders_own_backorder_does_not_push_its_own_expected_date(client, world):
    receipt(world, 5, days(4))
    order = waiting_order(world, 5, confirmed_at=minutes_ago(60))
    client.force_login(world["rep"])
    assert expected_on_page(client, order) == days(4).isoformat()


def test_an_order_confirmed_later_does_not_delay_an_earlier_orders_expected_date(client, world):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    earlier = waiting_order(world, 5, confirmed_at=minutes_ago(60))
    waiting_order(world, 5, confirmed_at=minutes_ago(30))
    client.force_login(world["rep"])
    assert expected_on_page(client, earlier) == days(4).isoformat()


def test_an_order_confirmed_earlier_takes_the_receipt_a_later_order_is_expected_after(client, world):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    later = waiting_order(world, 5, confirmed_at=minutes_ago(30))
    client.force_login(world["rep"])
    assert expected_on_page(client, later) == days(12).isoformat()


def test_an_urgent_order_is_expected_before_a_normal_one_confirmed_earlier(client, world):
    receipt(world, 5, days(4))
    receipt(world, 20, days(12))
    waiting_order(world, 5, confirmed_at=minutes_ago(60))
    urgent = waiting_order(world, 5, confirmed_at=minutes_ago(30), priority=P.URGENT)
    client.force_login(world["rep"])
    assert expected_on_page(client, urgent) == days(4).isoformat()


# --- the selector and the rule -------------------------------------------------------------------


def test_backorders_waiting_sums_what_lines_lack_in_orders_that_wait(world):
    partly = waiting_order(world, 5, confirmed_at=minutes_ago(60))
    SalesOrderLine.objects.filter(order=partly).update(reserved_quantity=2)
    waiting_order(world, 4, confirmed_at=minutes_ago(50))
    draft(world, 7)
    for state in (S.CREDIT_HOLD, S.CANCELLED):
        SalesOrder.objects.filter(pk=waiting_order(world, 9, confirmed_at=minutes_ago(40)).pk).update(
            state=state
        )
    assert backorders_waiting([world["product"].pk]) == {world["product"].pk: Decimal(3 + 4)}


def test_backorders_waiting_takes_one_query_for_one_product_and_for_twenty(world):
    products = [ProductFactory(lead_time_days=30) for _ in range(20)]
    for i, product in enumerate(products):
        waiting_order(world, 2, confirmed_at=minutes_ago(60 - i), product=product)
    ahead_of = SalesOrder(priority=P.NORMAL)
    with CaptureQueriesContext(connection) as one:
        backorders_waiting([products[0].pk], ahead_of=ahead_of)
    with CaptureQueriesContext(connection) as twenty:
        found = backorders_waiting([p.pk for p in products], ahead_of=ahead_of)
    assert len(one) == len(twenty) == 1
    assert found == {p.pk: Decimal(2) for p in products}


def test_promising_a_document_takes_the_same_queries_for_one_product_and_for_twenty(world):
    products = [ProductFactory(list_price=Decimal("10.00"), lead_time_days=30) for _ in range(20)]
    for i, product in enumerate(products):
        receipt(world, 5, days(4), product=product)
        waiting_order(world, 2, confirmed_at=minutes_ago(60 - i), product=product)

    def queries(n):
        lines = [{"product": p, "quantity": 3} for p in products[:n]]
        with CaptureQueriesContext(connection) as captured:
            found = document_lines(lines, customer=world["customer"], ahead_of=SalesOrder(priority=P.NORMAL))
        assert {p.promise_date for p in found.promises} == {days(4)}
        return len(captured)

    assert queries(1) == queries(20)


@pytest.fixture
def queue(world):
    """Waiting orders in the order the backorder rule serves them."""

    def order(priority, requested, confirmed):
        o = draft(world, 1, priority=priority, requested_date=requested)
        SalesOrder.objects.filter(pk=o.pk).update(state=S.CONFIRMED, confirmed_at=confirmed)
        o.refresh_from_db()
        return o

    served = [
        order(P.URGENT, None, minutes_ago(5)),
        order(P.HIGH, days(5), minutes_ago(50)),
        order(P.HIGH, days(5), minutes_ago(40)),
        order(P.HIGH, None, minutes_ago(90)),
        order(P.NORMAL, days(3), minutes_ago(10)),
        order(P.NORMAL, None, minutes_ago(70)),
        order(P.NORMAL, None, minutes_ago(60)),
        order(P.NORMAL, None, None),
    ]
    twin = order(P.NORMAL, None, None)  # same place but for its id: after the last
    return [*served, twin]


def test_the_rule_sorts_orders_in_hand_as_the_database_does(queue):
    in_hand = sorted(random.Random(7).sample(queue, len(queue)), key=waiting_order_key)
    in_database = list(SalesOrder.objects.filter(pk__in=[o.pk for o in queue]).order_by(*waiting_order_by()))
    assert in_hand == in_database == queue


def test_the_orders_ahead_of_one_are_those_the_rule_serves_before_it(queue):
    ids = [o.pk for o in queue]
    for place, order in enumerate(queue):
        ahead = set(SalesOrder.objects.filter(orders_ahead_q(order), pk__in=ids).values_list("pk", flat=True))
        assert ahead == set(ids[:place]), place


def test_a_new_order_comes_after_every_confirmed_order_like_it(queue):
    new = SalesOrder(priority=P.HIGH, requested_date=days(5))
    ahead = set(SalesOrder.objects.filter(orders_ahead_q(new)).values_list("pk", flat=True))
    assert ahead == {o.pk for o in queue[:3]}
