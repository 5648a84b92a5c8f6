"""Reassignment of a rep's book: customers, leads, opportunities, open tasks, quotes not yet
accepted and orders not yet finished move, each audited and told on its history."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.models import AuditLog
from crm.customers.models import Customer
from crm.sales import reassignment
from crm.sales.models import Activity, Lead, Opportunity, Quote, SalesOrder
from crm.sales.orders import ownership, quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from tests.crm.customers.factories import CustomerFactory, TeamFactory
from tests.crm.sales.factories import LeadFactory, OpportunityFactory, TaskFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

S = SalesOrder.State


@pytest.fixture
def reps(db):
    a = UserFactory(roles=["sales"], username="rep-a", first_name="伟", last_name="张")
    b = UserFactory(roles=["sales"], username="rep-b", first_name="芳", last_name="李")
    TeamFactory(name="North", members=[a, b])
    return {"a": a, "b": b}


@pytest.fixture
def product(db):
    return ProductFactory(list_price=Decimal("100.00"))


def _order(customer, owner, product, *states):
    order = order_services.order_create(
        customer=customer, owner=owner, lines=[{"product": product, "quantity": 1}]
    )
    for state in states:
        order_states.order_transition(order=order, to_state=state)
    return order


def _quote(customer, owner, product):
    return quote_services.quote_create(
        customer=customer, owner=owner, lines=[{"product": product, "quantity": 1}]
    )


def test_reassignment_moves_everything_to_one_rep(manager_user, reps):
    a, b = reps["a"], reps["b"]
    customer = CustomerFactory(owner=a)
    OpportunityFactory(customer=customer, owner=a)
    lead = LeadFactory(owner=a)
    task = TaskFactory(customer=customer, owner=a)
    done = TaskFactory(customer=customer, owner=a, done_at=timezone.now())
    counts = reassignment.records_reassign(from_user=a, to_user=b, actor=manager_user)
    assert counts == {"customers": 1, "leads": 1, "opportunities": 1, "tasks": 1, "quotes": 0, "orders": 0}
    assert not Customer.objects.filter(owner=a).exists()
    assert not Opportunity.objects.filter(owner=a).exists()
    assert Lead.objects.get(pk=lead.pk).owner == b and Activity.objects.get(pk=task.pk).owner == b
    assert Activity.objects.get(pk=done.pk).owner == a  # history stays with who did it
    assert AuditLog.objects.filter(action="crm.reassigned", actor=manager_user).exists()


def test_reassignment_spreads_over_team_round_robin(manager_user, reps):
    x = UserFactory(roles=["sales"], username="x")
    team = TeamFactory(name="Spread", members=[reps["a"], reps["b"], x])
    CustomerFactory.create_batch(4, owner=x)
    reassignment.records_reassign(from_user=x, team=team, actor=manager_user)
    owners = sorted(Customer.objects.values_list("owner__username", flat=True))
    assert owners == ["rep-a", "rep-a", "rep-b", "rep-b"]


def test_reassign_page_is_for_managers_only(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("sales:reassign")).status_code == 403


def test_open_quotes_and_orders_move_finished_and_cancelled_ones_stay(manager_user, reps, product):
    a, b = reps["a"], reps["b"]
    customer = CustomerFactory(owner=a)
    moving = {
        "draft order": _order(customer, a, product),
        "order on credit hold": _order(customer, a, product, S.CREDIT_HOLD),
        "confirmed order": _order(customer, a, product, S.CONFIRMED),
        "shipped order": _order(customer, a, product, S.CONFIRMED, S.SHIPPED),
    }
    staying = {
        "invoiced order": _order(customer, a, product, S.CONFIRMED, S.SHIPPED, S.INVOICED),
        "cancelled order": _order(customer, a, product, S.CANCELLED),
    }
    draft_quote, sent_quote, cancelled_quote = (_quote(customer, a, product) for _ in range(3))
    Quote.objects.filter(pk=sent_quote.pk).update(state=Quote.State.SENT)
    Quote.objects.filter(pk=cancelled_quote.pk).update(state=Quote.State.CANCELLED)

    counts = reassignment.records_reassign(from_user=a, to_user=b, actor=manager_user)

    assert (counts["orders"], counts["quotes"]) == (4, 2)
    for name, order in moving.items():
        assert SalesOrder.objects.get(pk=order.pk).owner == b, name
    for name, order in staying.items():
        assert SalesOrder.objects.get(pk=order.pk).owner == a, name
    assert set(Quote.objects.filter(owner=b).values_list("pk", flat=True)) == {draft_quote.pk, sent_quote.pk}
    assert Quote.objects.get(pk=cancelled_quote.pk).owner == a


def test_each_moved_order_and_quote_is_audited_and_its_history_says_so(manager_user, reps, product):
    a, b = reps["a"], reps["b"]
    customer = CustomerFactory(owner=a)
    order = _order(customer, a, product, S.CONFIRMED)
    quote = _quote(customer, a, product)

    reassignment.records_reassign(from_user=a, to_user=b, actor=manager_user)

    for action, record in (("sales.order.reassigned", order), ("sales.quote.reassigned", quote)):
        row = AuditLog.objects.get(action=action, object_id=str(record.pk))
        assert (row.actor, row.data["from"], row.data["to"]) == (manager_user, a.pk, b.pk)
    entry = order.events.get(kind="reassigned")
    assert entry.user == manager_user
    with translation.override("en"):
        assert order_services.order_event_text(entry) == "Reassigned from 张伟 to 李芳"
        assert [h["text"] for h in ownership.quote_history(quote)] == ["Reassigned from 张伟 to 李芳"]
    with translation.override("zh-hans"):
        assert order_services.order_event_text(entry) != "Reassigned from 张伟 to 李芳"


def test_orders_and_quotes_go_with_their_customer(manager_user, reps, product):
    x = UserFactory(roles=["sales"], username="x")
    team = TeamFactory(name="Spread", members=[reps["a"], reps["b"], x])
    first, second = CustomerFactory(owner=x), CustomerFactory(owner=x)
    orders = [_order(first, x, product), _order(second, x, product), _order(second, x, product)]
    quote = _quote(second, x, product)

    reassignment.records_reassign(from_user=x, team=team, actor=manager_user)

    for order in orders:
        order = SalesOrder.objects.select_related("customer").get(pk=order.pk)
        assert order.owner_id == order.customer.owner_id
    assert Quote.objects.get(pk=quote.pk).owner_id == Customer.objects.get(pk=second.pk).owner_id


def test_the_order_and_quote_pages_show_the_reassignment(client, manager_user, reps, product):
    a, b = reps["a"], reps["b"]
    customer = CustomerFactory(owner=a)
    order, quote = _order(customer, a, product), _quote(customer, a, product)
    reassignment.records_reassign(from_user=a, to_user=b, actor=manager_user)
    client.force_login(b)
    for url in (
        reverse("sales:orders:order_detail", args=[order.pk]),
        reverse("sales:orders:quote_detail", args=[quote.pk]),
    ):
        assert "Reassigned from 张伟 to 李芳" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_reassign_page_tells_what_moved(client, manager_user, reps, product):
    _order(CustomerFactory(owner=reps["a"]), reps["a"], product)
    client.force_login(manager_user)
    response = client.post(
        reverse("sales:reassign"),
        {"from_user": reps["a"].pk, "to_user": reps["b"].pk},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "1 quotes" not in response.content.decode()
    assert "0 quotes and 1 orders" in response.content.decode()
