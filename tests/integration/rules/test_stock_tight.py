"""Low stock tells the reps: a shortage or a drop below the reorder point notifies the owners
of open opportunities, open inquiries and recent orders for the product, once a day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.events import names
from core.events.models import Notification
from core.events.services import publish
from crm.sales.models import Lead, Opportunity, SalesOrder
from integration.fulfilment import services as fulfilment
from integration.rules import services
from tests.crm.sales.factories import LeadFactory, OpportunityFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def rep():
    return UserFactory(roles=["sales"])


def told(user, product=None):
    qs = Notification.objects.filter(user=user, kind="stock_tight")
    if product is not None:
        qs = qs.filter(key__startswith=f"stock-tight:{product.pk}:")
    return qs.count()


@pytest.fixture
def product():
    return ProductFactory(name="不锈钢水槽")


def opportunity_for(product, owner, state=Opportunity.State.OPEN):
    opp = OpportunityFactory(customer=CustomerFactory(owner=owner), owner=owner, state=state)
    opp.products.add(product)
    return opp


def order_for(product, owner, days_ago=0, state=None):
    order = make_order(CustomerFactory(owner=owner), owner, (product, 1))
    changes = {"order_date": timezone.localdate() - timedelta(days=days_ago)}
    if state:
        changes["state"] = state
    SalesOrder.objects.filter(pk=order.pk).update(**changes)
    return order


def test_owners_of_open_opportunities_for_the_product_are_told(product):
    seller = rep()
    opportunity_for(product, seller)
    services.stock_tight_tell(product_id=product.pk)
    note = Notification.objects.get(user=seller, kind="stock_tight")
    assert product.name in note.title_text()
    assert note.url.endswith(f"/{product.pk}/")


def test_owners_of_orders_from_the_last_90_days_are_told(product):
    recent, old = rep(), rep()
    order_for(product, recent, days_ago=30)
    order_for(product, old, days_ago=120)
    services.stock_tight_tell(product_id=product.pk)
    assert told(recent) == 1
    assert told(old) == 0


def test_owners_of_open_inquiries_for_the_product_are_told(product):
    asking, dropped = rep(), rep()
    LeadFactory(owner=asking, status=Lead.Status.NEW).products.add(product)
    LeadFactory(owner=dropped, status=Lead.Status.DISQUALIFIED).products.add(product)
    services.stock_tight_tell(product_id=product.pk)
    assert told(asking) == 1
    assert told(dropped) == 0


def test_closed_opportunities_cancelled_orders_and_other_products_tell_nobody(product):
    lost, cancelled, other = rep(), rep(), rep()
    opportunity_for(product, lost, state=Opportunity.State.LOST)
    order_for(product, cancelled, state=SalesOrder.State.CANCELLED)
    opportunity_for(ProductFactory(), other)
    assert services.stock_tight_tell(product_id=product.pk) == 0
    assert Notification.objects.filter(kind="stock_tight").count() == 0


def test_a_rep_is_told_once_a_day_however_many_signals(product):
    seller = rep()
    opportunity_for(product, seller)
    order_for(product, seller)
    for _ in range(3):
        services.stock_tight_tell(product_id=product.pk)
    assert told(seller) == 1
    services.stock_tight_tell(product_id=product.pk, today=timezone.localdate() + timedelta(days=1))
    assert told(seller) == 2


def test_a_shortage_from_the_reservation_rule_tells_the_reps(product, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    receive(product, warehouses["SH"], 1)
    seller, other_rep = rep(), rep()
    opportunity_for(product, other_rep)
    order = make_order(CustomerFactory(owner=seller), seller, (product, 5))
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.order_confirm(order=order, user=seller)
    assert told(other_rep, product) == 1
    assert told(seller, product) == 1


def test_a_below_reorder_point_event_tells_the_reps(product, django_capture_on_commit_callbacks):
    seller = rep()
    opportunity_for(product, seller)
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            names.STOCK_BELOW_REORDER_POINT,
            {"product_id": product.pk, "available": "2", "reorder_point": "10"},
        )
    assert told(seller, product) == 1


def test_a_reservation_below_the_reorder_point_tells_the_reps(django_capture_on_commit_callbacks):
    """Inventory's own signal, without any shortage: stock is there, but now below the point."""
    product = ProductFactory(reorder_point=Decimal("10"))
    warehouses = three_warehouses()
    receive(product, warehouses["SH"], 12)
    seller, watcher = rep(), rep()
    opportunity_for(product, watcher)
    order = make_order(CustomerFactory(owner=seller), seller, (product, 5))
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.order_confirm(order=order, user=seller)
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED
    assert told(watcher, product) == 1
