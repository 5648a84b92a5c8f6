"""Queries one order costs on the intake path (bench/bench_order_intake.py): the create call,
the confirm call (token authentication, as a client would call), and the worker's run of the
``order.confirmed`` event (dispatch, delivery, reservation rule). Upper bounds: a change that
adds a query per line, or a savepoint per service call, fails here."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.events import dispatch, names
from core.events.models import Event, Notification
from core.events.registry import handlers_for
from core.tokens import token_create
from crm.sales.models import SalesOrder
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

# Counted inside the test's transaction: a call's own transaction adds a SAVEPOINT and its
# RELEASE here (confirm's steps, place and the delivery's run; create joins without one), which a
# real request pays as BEGIN and COMMIT.
# On PostgreSQL the token, its user and the roles are one query; elsewhere two.
AUTH = 1 if connection.vendor == "postgresql" else 2
# On PostgreSQL an event and its deliveries are one statement; elsewhere two.
PUBLISH = 1 if connection.vendor == "postgresql" else 2
# The customer and the products (by id), the price lists of those products and the promotions
# valid that day (crm.sales.orders.prices.resolution), the order's number, the order, its lines
# and its timeline entry (the answer shows the lines as written, without reading them back).
PRICES = 2
# Each line's promise date (scm.inventory.promise): the backorders waiting ahead for the
# products (crm.sales.orders.waiting.backorders_waiting), then their free stock and expected
# receipts, one statement each whatever the number of lines.
PROMISE = 2
CREATE_MAX = AUTH + 6 + PRICES + PROMISE
# order_confirm's steps: the order read and locked with what confirming checks, its state change
# and timeline entry, the event, in a savepoint; then the backorders for the answer.
CONFIRM_STEPS = 5 + PUBLISH + 1
# Its usual case on PostgreSQL (ORDERS_CONFIRM_IN_ONE_STATEMENT): one statement, the backorders.
CONFIRM_ONE_STATEMENT = 2
# The reservation rule's delivery, then the daily facts' (integration.insights.facts): its claim,
# savepoint and release, the order's fact (its old days, the order with its figures, delete,
# insert) and its day's sales (three reads, delete, insert); the rep's notice reads the rate
# limit's count and the repeats of its key in one query (core.events.services._fold_over_limit).
RESERVE_MAX = 15 + 12 + 1
# Create and confirm in one call: one authentication, one transaction (the order's creation
# joins it without a savepoint), no second read of the order.
PLACE_CREATE = AUTH + 2 + 6 + PRICES + PROMISE


def confirm_max(one_statement: bool) -> int:
    return AUTH + (
        CONFIRM_ONE_STATEMENT if one_statement and connection.vendor == "postgresql" else CONFIRM_STEPS
    )


def place_max(one_statement: bool) -> int:
    # The confirmation's steps inside place's transaction, or its one statement.
    return PLACE_CREATE + (1 if one_statement and connection.vendor == "postgresql" else 5 + PUBLISH)


@pytest.fixture
def intake(sales_user):
    from config.celery import app

    # As with a broker: handlers run in the worker, not at the request's commit.
    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    warehouses = three_warehouses()
    products = [ProductFactory(list_price=Decimal("19.90")) for _ in range(6)]
    for product in products:
        for wh in warehouses.values():
            receive(product, wh, 1000)
    customer = CustomerFactory(owner=sales_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=sales_user)[1]}")
    world = {"client": client, "products": products, "customer": customer}
    # Steady state: what the first request of a process reads once (content types …) is not counted.
    body = {"customer": customer.pk, "lines": [{"product": products[0].pk, "quantity": "1"}]}
    client.post("/api/v1/sales-orders/", body, format="json")
    yield world
    app.conf.task_always_eager = previous


def _queries(intake, n_lines, capture):
    client = intake["client"]
    body = {
        "customer": intake["customer"].pk,
        "lines": [{"product": p.pk, "quantity": "2"} for p in intake["products"][:n_lines]],
    }
    with CaptureQueriesContext(connection) as create_q:
        response = client.post("/api/v1/sales-orders/", body, format="json")
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    with capture(execute=False), CaptureQueriesContext(connection) as confirm_q:
        response = client.post(f"/api/v1/order-workflow/{order_id}/confirm/")
    assert response.status_code == 200, response.content
    event = Event.objects.get(name=names.ORDER_CONFIRMED, payload__order_id=order_id)
    with CaptureQueriesContext(connection) as reserve_q:
        dispatch.event_dispatch(event_id=event.pk)
    assert SalesOrder.objects.get(pk=order_id).state == SalesOrder.State.RESERVED
    return len(create_q), len(confirm_q), len(reserve_q), [q["sql"] for q in reserve_q.captured_queries]


def test_order_create_confirm_and_reserve_stay_within_their_query_budgets(
    intake, django_capture_on_commit_callbacks, confirm_in_one_statement
):
    create, confirm, reserve, _sql = _queries(intake, 3, django_capture_on_commit_callbacks)
    assert create <= CREATE_MAX
    assert confirm <= confirm_max(confirm_in_one_statement)
    assert reserve <= RESERVE_MAX


def test_placing_an_order_stays_within_its_query_budget(intake, confirm_in_one_statement):
    body = {
        "customer": intake["customer"].pk,
        "lines": [{"product": p.pk, "quantity": "2"} for p in intake["products"][:3]],
    }
    with CaptureQueriesContext(connection) as place_q:
        response = intake["client"].post("/api/v1/order-workflow/place/", body, format="json")
    assert response.status_code == 201, response.content
    assert len(place_q) <= place_max(confirm_in_one_statement)


def test_reservation_rule_takes_no_nested_savepoints(intake, django_capture_on_commit_callbacks):
    *_counts, sql = _queries(intake, 3, django_capture_on_commit_callbacks)
    # Only each delivery's own transaction (a savepoint in the test) and its release.
    deliveries = len(handlers_for(names.ORDER_CONFIRMED))
    assert len([s for s in sql if "SAVEPOINT" in s.upper()]) == 2 * deliveries


def test_an_order_of_six_lines_costs_the_same_queries_as_one_of_three(
    intake, django_capture_on_commit_callbacks
):
    three = _queries(intake, 3, django_capture_on_commit_callbacks)
    six = _queries(intake, 6, django_capture_on_commit_callbacks)
    assert six[:3] == three[:3]


def test_the_reservation_notice_links_to_the_order_page(intake, django_capture_on_commit_callbacks):
    _queries(intake, 3, django_capture_on_commit_callbacks)
    notice = Notification.objects.filter(kind="reservation").latest("pk")
    order_id = int(notice.key.split(":")[1])
    assert notice.url == reverse("sales:orders:order_detail", args=[order_id])
