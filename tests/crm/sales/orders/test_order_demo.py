import pytest

from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import demo as order_demo
from integration.setup.demo import DemoContext
from tests.crm.sales.factories import CustomerFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


def test_demo_creates_nothing_without_customers():
    ProductFactory()
    ctx = DemoContext(users={"sales": UserFactory(roles=["sales"])})
    order_demo.build(ctx)
    assert Quote.objects.count() == 0 and SalesOrder.objects.count() == 0


def test_demo_makes_quotes_in_several_states_and_draft_orders():
    rep = UserFactory(roles=["sales"])
    for _ in range(12):
        CustomerFactory(owner=rep)
    for _ in range(5):
        ProductUnitFactory(product=ProductFactory())
    order_demo.build(DemoContext(users={"sales": rep}))
    states = set(Quote.objects.values_list("state", flat=True))
    assert {"draft", "sent", "accepted", "expired", "cancelled"} <= states
    assert SalesOrder.objects.filter(state="draft").count() >= 4
    assert SalesOrder.objects.filter(quote__isnull=False).exists()
