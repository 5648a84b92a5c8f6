"""The rep's "today" panels of the pipeline, quotes and orders, and the lists behind them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.sales import today as pipeline_today
from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import services as order_services
from crm.sales.orders import today as orders_today
from tests.crm.customers.factories import TeamFactory
from tests.crm.sales.factories import CustomerFactory, TaskFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def titles(context) -> list[str]:
    return [row["title"] for row in context["rows"]]


def order(owner, state, reserved=Decimal(0)):
    made = order_services.order_create(
        customer=CustomerFactory(owner=owner),
        owner=owner,
        lines=[{"product": ProductFactory(), "quantity": 2}],
    )
    SalesOrder.objects.filter(pk=made.pk).update(state=state)
    made.lines.update(reserved_quantity=reserved)
    return made


def quote(owner, state=Quote.State.SENT, days=3):
    return Quote.objects.create(
        number=f"Q-{Quote.objects.count() + 1}",
        customer=CustomerFactory(owner=owner),
        owner=owner,
        state=state,
        valid_until=timezone.localdate() + timedelta(days=days),
    )


def test_tasks_due_are_mine_due_today_or_overdue_and_open(sales_user):
    now = timezone.now()
    mate = UserFactory(roles=["sales"])
    TeamFactory(members=[sales_user, mate])
    TaskFactory(owner=sales_user, subject="late", due_at=now - timedelta(days=2))
    TaskFactory(owner=sales_user, subject="today", due_at=now)
    TaskFactory(owner=sales_user, subject="tomorrow", due_at=now + timedelta(days=1, hours=1))
    TaskFactory(owner=sales_user, subject="done", due_at=now, done_at=now)
    TaskFactory(owner=mate, subject="mate's", due_at=now)
    context = pipeline_today.home_tasks(None, sales_user)
    assert titles(context) == ["late", "today"] and context["count"] == 2
    assert context["rows"][0]["badge"]


def test_the_tasks_page_due_today_lists_the_panels_tasks(client, sales_user):
    TaskFactory(owner=sales_user, subject="call back", due_at=timezone.now())
    TaskFactory(owner=sales_user, subject="next week", due_at=timezone.now() + timedelta(days=7))
    client.force_login(sales_user)
    page = client.get(reverse("sales:tasks") + "?due=today").content.decode()
    assert "call back" in page and "next week" not in page


def test_quotes_expiring_are_my_open_quotes_valid_for_seven_days_at_most(sales_user):
    soon = quote(sales_user, days=2)
    draft = quote(sales_user, state=Quote.State.DRAFT, days=7)
    quote(sales_user, days=8)
    quote(sales_user, state=Quote.State.ACCEPTED, days=1)
    quote(sales_user, days=-1)
    quote(UserFactory(roles=["sales"]), days=1)
    context = orders_today.home_quotes_expiring(None, sales_user)
    assert titles(context) == [soon.number, draft.number] and context["count"] == 2


def test_the_quote_list_filters_mine_expiring_as_the_panel(client, sales_user):
    mine = quote(sales_user, days=2)
    later = quote(sales_user, days=20)
    client.force_login(sales_user)
    page = client.get(reverse("sales:orders:quote_list") + "?owner=me&expiring=7").content.decode()
    assert mine.number in page and later.number not in page


def test_orders_waiting_are_mine_on_credit_hold_or_with_a_line_short(sales_user):
    held = order(sales_user, SalesOrder.State.CREDIT_HOLD)
    short = order(sales_user, SalesOrder.State.PARTLY_RESERVED, reserved=Decimal(1))
    order(sales_user, SalesOrder.State.RESERVED, reserved=Decimal(2))
    order(sales_user, SalesOrder.State.DRAFT)
    order(UserFactory(roles=["sales"]), SalesOrder.State.CREDIT_HOLD)
    context = orders_today.home_orders_waiting(None, sales_user)
    assert sorted(titles(context)) == sorted([held.number, short.number]) and context["count"] == 2


def test_a_manager_sees_every_order_on_credit_hold(manager_user):
    holds = [order(UserFactory(roles=["sales"]), SalesOrder.State.CREDIT_HOLD) for _ in range(2)]
    order(UserFactory(roles=["sales"]), SalesOrder.State.CONFIRMED)
    context = orders_today.home_credit_holds(None, manager_user)
    assert titles(context) == [o.number for o in holds] and context["count"] == 2
