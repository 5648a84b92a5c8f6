"""A shortage reaches purchasing at once: the reservation rule's ``stock.shortage`` plans the
product in the same worker run and leaves a suggestion for what is short, and the buyer is told
once."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.events.models import Notification
from integration.fulfilment import services
from integration.planning.models import Plan, Suggestion
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_order(sales_user, django_capture_on_commit_callbacks):
    """An order for 30 of a product of which 广州 (the customer's nearest) holds 8."""
    wh = three_warehouses()
    buyer = UserFactory(roles=["purchasing"])
    product = ProductFactory()
    SupplierProductFactory(
        product=product, supplier=SupplierFactory(buyer=buyer), pack_size=Decimal(1), min_order_quantity=0
    )
    receive(product, wh["GZ"], 8)
    customer = CustomerFactory(owner=sales_user, latitude=wh["GZ"].latitude, longitude=wh["GZ"].longitude)
    ContactFactory(customer=customer)
    order = make_order(customer, sales_user, (product, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    return {"wh": wh, "product": product, "buyer": buyer, "order": order}


def test_a_shortage_leaves_a_purchase_suggestion_for_what_is_short(short_order):
    (s,) = Suggestion.objects.filter(product=short_order["product"], state=Suggestion.State.OPEN)
    assert (s.kind, s.warehouse, s.quantity, s.trigger) == (
        Suggestion.Kind.PURCHASE,
        short_order["wh"]["GZ"],
        Decimal(22),
        Suggestion.Trigger.SHORTAGE,
    )
    assert s.reasons["short_orders"] == [short_order["order"].number]


def test_the_buyer_is_told_of_the_suggestion_once(short_order):
    (note,) = Notification.objects.filter(user=short_order["buyer"], kind="replenish")
    assert "/planning/" in note.url


def test_a_batch_of_shortages_plans_each_product_once(monkeypatch):
    from types import SimpleNamespace

    from integration.planning import engine, handlers

    runs = []
    monkeypatch.setattr(engine, "planning_run", lambda product_ids, trigger: runs.append(product_ids))
    events = [
        SimpleNamespace(
            pk=i, created_at=timezone.now(), payload={"product_id": 7 if i % 2 else 8, "order_id": i}
        )
        for i in range(10)
    ]
    handlers.replenish_on_shortages(events)
    assert runs == [[7, 8]]


def test_a_batch_of_shortages_marks_the_same_days_as_one_by_one(short_order, sales_user):
    from integration.planning import handlers
    from integration.planning.models import DemandDay

    DemandDay.objects.all().delete()
    events = [
        SimpleNamespace(
            created_at=timezone.now(),
            payload={"product_id": short_order["product"].pk, "order_id": short_order["order"].pk},
        )
    ] * 3
    handlers.stockout_from_shortages(events)
    (day,) = DemandDay.objects.all()
    assert (day.warehouse, day.stockout) == (short_order["wh"]["GZ"], True)


def test_a_shortage_planned_since_by_a_later_run_does_not_plan_again(short_order, monkeypatch):
    from datetime import timedelta

    from integration.planning import engine, handlers

    runs = []
    monkeypatch.setattr(engine, "planning_run", lambda product_ids, trigger: runs.append(product_ids))
    product = short_order["product"]
    planned = Plan.objects.filter(product=product).values_list("computed_at", flat=True).first()
    assert planned is not None
    before = SimpleNamespace(created_at=planned - timedelta(seconds=5), payload={"product_id": product.pk})
    after = SimpleNamespace(created_at=planned, payload={"product_id": product.pk})
    handlers.replenish_on_shortage(before)
    assert runs == []
    handlers.replenish_on_shortage(after)
    assert runs == [[product.pk]]
