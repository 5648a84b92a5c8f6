"""Confirming, placing and cancelling an order run again on a deadlock, as shipping does: the
first attempt is rolled back whole and the client gets the answer of the second, not 409."""

import pytest
from django.test import override_settings

from crm.sales.models import SalesOrder
from integration.fulfilment import services
from scm.inventory.models import StockLevel
from tests.deadlocks import deadlock_once
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stocked(sales_user):
    warehouse = three_warehouses()["SH"]
    product = ProductFactory()
    receive(product, warehouse, 5)
    return {"product": product, "warehouse": warehouse, "customer": CustomerFactory(owner=sales_user)}


@override_settings(ORDERS_CONFIRM_IN_ONE_STATEMENT=False)
def test_confirm_that_meets_a_deadlock_is_run_again_and_confirms_once(sales_user, stocked, monkeypatch):
    plain = make_order(stocked["customer"], sales_user, (stocked["product"], 1))
    services.order_confirm(order=plain, user=sales_user)
    order = make_order(stocked["customer"], sales_user, (stocked["product"], 2))
    calls = deadlock_once(monkeypatch, services, "_confirm_checked")

    confirmed = services.order_confirm(order=order, user=sales_user)

    assert len(calls) == 2
    assert confirmed.state == SalesOrder.State.CONFIRMED
    # The timeline and the outbox hold one confirmation, as for an order confirmed plainly.
    assert order.events.count() == plain.events.count()


@override_settings(ORDERS_CONFIRM_IN_ONE_STATEMENT=False)
def test_place_that_meets_a_deadlock_is_run_again_and_makes_one_order(sales_user, stocked, monkeypatch):
    calls = deadlock_once(monkeypatch, services, "_confirm_checked")

    placed = services.order_place(
        customer=stocked["customer"],
        owner=sales_user,
        lines=[{"product": stocked["product"], "quantity": "2"}],
    )

    assert len(calls) == 2
    assert list(SalesOrder.objects.values_list("pk", flat=True)) == [placed.pk]


def test_cancel_that_meets_a_deadlock_is_run_again_and_releases_once(
    sales_user, stocked, monkeypatch, django_capture_on_commit_callbacks
):
    order = make_order(stocked["customer"], sales_user, (stocked["product"], 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    calls = deadlock_once(monkeypatch, services.order_states, "order_transition")

    services.order_cancel(order=order, user=sales_user)

    assert len(calls) == 2
    assert SalesOrder.objects.get(pk=order.pk).state == SalesOrder.State.CANCELLED
    level = StockLevel.objects.get(product=stocked["product"], warehouse=stocked["warehouse"])
    assert (level.on_hand, level.reserved) == (5, 0)
