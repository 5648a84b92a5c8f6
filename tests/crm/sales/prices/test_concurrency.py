"""Two overlapping price lists of one customer saved at the same moment: one is taken, the other
refused by the overlap rule (PostgreSQL: the saves of one customer's lists are serialised)."""

import pytest

from crm.sales.orders.prices import services
from crm.sales.orders.prices.models import PriceList
from tests.crm.sales.factories import CustomerFactory
from tests.crm.sales.orders.test_order_concurrency import run_together
from tests.crm.sales.prices.factories import days
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_lists_saved_at_once_are_taken_once():
    customer, product = CustomerFactory(), ProductFactory()
    manager = UserFactory(roles=["manager"])

    def save():
        return services.price_list_save(
            user=manager,
            name="协议价",
            customer=customer,
            valid_from=days(0),
            lines=[{"product": product, "price": "10"}],
        )

    results = run_together(save, 6)
    assert sum(isinstance(r, PriceList) for r in results) == 1
    assert PriceList.objects.filter(customer=customer).count() == 1
