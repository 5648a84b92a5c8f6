"""Planning on PostgreSQL: runs of one product at once (the nightly run and a shortage) leave one
open suggestion and no error; a suggestion accepted while a run waits is not suggested again."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from integration.planning import engine, services
from integration.planning.models import Suggestion
from scm.purchasing.models import PurchaseOrder
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import three_warehouses
from tests.integration.planning.factories import PlanOverrideFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierPriceFactory, SupplierProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def needy():
    wh = three_warehouses()
    product = ProductFactory()
    sp = SupplierProductFactory(product=product, pack_size=1, min_order_quantity=0)
    SupplierPriceFactory(supplier_product=sp)
    PlanOverrideFactory(
        product=product, warehouse=wh["GZ"], reorder_point=Decimal(10), order_up_to=Decimal(40)
    )
    return product


def test_runs_of_one_product_at_once_leave_one_open_suggestion(needy):
    errors = _at_once(*[lambda: engine.planning_run(product_ids=[needy.pk])] * 4)
    assert errors == []
    assert Suggestion.objects.filter(product=needy, state=Suggestion.State.OPEN).count() == 1


def test_a_suggestion_accepted_during_runs_is_not_suggested_again(needy):
    engine.planning_run(product_ids=[needy.pk])
    suggestion = Suggestion.objects.get(product=needy)
    buyer = UserFactory(roles=["purchasing"])
    errors = _at_once(
        lambda: services.suggestions_accept(ids=[suggestion.pk], user=buyer),
        lambda: engine.planning_run(product_ids=[needy.pk]),
        lambda: engine.planning_run(product_ids=[needy.pk]),
    )
    assert errors == []
    assert PurchaseOrder.objects.count() == 1
    assert not Suggestion.objects.filter(product=needy, state=Suggestion.State.OPEN).exists()
