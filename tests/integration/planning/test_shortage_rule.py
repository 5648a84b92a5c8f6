"""A shortage reaches purchasing at once: the reservation rule's ``stock.shortage`` plans the
product in the same worker run and leaves a suggestion for what is short, and the buyer is told
once."""

from decimal import Decimal

import pytest

from core.events.models import Notification
from integration.fulfilment import services
from integration.planning.models import Suggestion
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
