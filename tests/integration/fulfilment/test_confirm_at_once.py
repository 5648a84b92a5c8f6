"""Confirming in one statement (PostgreSQL): the usual confirmation (a draft with lines of active
products, a customer without credit limit) writes what the long way writes; anything else is
left to the long way, untouched."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.events import names
from core.events.models import Delivery, Event
from crm.sales.models import OrderEvent, SalesOrder
from integration.fulfilment import services
from scm.inventory.models import Product
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

S = SalesOrder.State


@pytest.fixture
def draft(sales_user):
    customer = CustomerFactory(owner=sales_user)
    return make_order(customer, sales_user, (ProductFactory(), 2), (ProductFactory(), 1))


def written(order):
    """What a confirmation leaves behind, without ids and times."""
    order.refresh_from_db()
    entry = OrderEvent.objects.filter(order=order, kind__startswith="state:").get()
    event = Event.objects.get(name=names.ORDER_CONFIRMED, payload__order_id=order.pk)
    return {
        "state": order.state,
        "confirmed": order.confirmed_at is not None and order.updated_at == order.confirmed_at,
        "entry": (entry.kind, entry.text, entry.data, entry.user_id),
        "payload": event.payload,
        "handlers": sorted(Delivery.objects.filter(event=event).values_list("handler", "state")),
    }


def test_confirming_at_once_writes_what_the_long_way_writes(
    sales_user, draft, django_capture_on_commit_callbacks
):
    twin = make_order(draft.customer, sales_user, (ProductFactory(), 2))
    with django_capture_on_commit_callbacks(execute=False):
        quick = services.order_confirm(order=draft, user=sales_user)
        services.order_confirm(order=twin, user=sales_user, at_once=False)
    assert quick.state == S.CONFIRMED and quick.confirmed_at is not None
    mine, theirs = written(draft), written(twin)
    assert mine["payload"] == {"order_id": draft.pk, "customer_id": draft.customer_id}
    theirs["payload"]["order_id"] = draft.pk
    assert mine == theirs


def test_confirming_at_once_is_one_statement(sales_user, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        order = services.order_confirm_at_once(order_id=draft.pk, user=sales_user)
    assert order.state == S.CONFIRMED
    assert len(queries) == 1


def test_confirming_at_once_hands_the_event_to_the_dispatcher_on_commit(
    sales_user, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.order_confirm_at_once(order_id=draft.pk, user=sales_user)
    assert len(callbacks) == 1


def _unchanged(order):
    order.refresh_from_db()
    return (
        order.state == S.DRAFT and not OrderEvent.objects.filter(order=order, kind="state:confirmed").exists()
    )


def test_a_customer_with_a_credit_limit_is_left_to_the_credit_check(sales_user, draft):
    type(draft.customer).objects.filter(pk=draft.customer_id).update(credit_limit=Decimal("1000.00"))
    assert services.order_confirm_at_once(order_id=draft.pk, user=sales_user) is None
    assert _unchanged(draft) and not Event.objects.exists()


def test_an_order_with_an_inactive_product_is_left_to_the_long_way(sales_user, draft):
    Product.objects.filter(pk=draft.lines.first().product_id).update(is_active=False)
    assert services.order_confirm_at_once(order_id=draft.pk, user=sales_user) is None
    assert _unchanged(draft)


def test_an_order_without_lines_is_left_to_the_long_way(sales_user, draft):
    draft.lines.all().delete()
    assert services.order_confirm_at_once(order_id=draft.pk, user=sales_user) is None
    assert _unchanged(draft)


def test_an_order_that_is_no_longer_a_draft_is_left_alone(sales_user, draft):
    services.order_confirm(order=draft, user=sales_user)
    assert services.order_confirm_at_once(order_id=draft.pk, user=sales_user) is None
    assert Event.objects.filter(name=names.ORDER_CONFIRMED).count() == 1


def test_the_record_rule_keeps_another_reps_order_for_the_long_way(draft):
    other = UserFactory(roles=["sales"])
    assert services.order_confirm_at_once(order_id=draft.pk, user=other, record_rule=True) is None
    assert _unchanged(draft)


def test_a_manager_confirms_any_reps_order_at_once(draft, manager_user):
    order = services.order_confirm_at_once(order_id=draft.pk, user=manager_user, record_rule=True)
    assert order.state == S.CONFIRMED


def test_an_id_that_is_not_a_number_is_left_to_the_long_way(sales_user):
    assert services.order_confirm_at_once(order_id="12abc", user=sales_user) is None
    assert services.order_confirm_at_once(order_id="²", user=sales_user) is None
    assert services.order_confirm_at_once(order_id="9" * 20, user=sales_user) is None
