import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from crm.sales.models import SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

S = SalesOrder.State


def run_together(func, n):
    barrier = threading.Barrier(n)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(func())
        except ValidationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_one_order_succeed_once():
    customer = CustomerFactory()
    order = order_services.order_create(
        customer=customer, owner=customer.owner, lines=[{"product": ProductFactory(), "quantity": 1}]
    )

    def confirm():
        return order_states.order_transition(
            order=SalesOrder.objects.get(pk=order.pk), to_state=S.CONFIRMED, user=customer.owner
        )

    results = run_together(confirm, 8)
    assert sum(isinstance(r, SalesOrder) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 7
    assert order.events.filter(kind="state:confirmed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_of_one_quote_make_one_order():
    customer = CustomerFactory()
    quote = quote_services.quote_create(
        customer=customer, owner=customer.owner, lines=[{"product": ProductFactory(), "quantity": 2}]
    )

    def accept():
        return quote_services.quote_accept(
            quote=quote_services.Quote.objects.get(pk=quote.pk), user=customer.owner
        )

    results = run_together(accept, 6)
    assert sum(isinstance(r, SalesOrder) for r in results) == 1
    assert SalesOrder.objects.filter(quote=quote).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_progress_updates_lose_nothing():
    customer = CustomerFactory()
    order = order_services.order_create(
        customer=customer, owner=customer.owner, lines=[{"product": ProductFactory(), "quantity": 100}]
    )
    line = order.lines.get()
    run_together(lambda: order_services.order_line_progress(line_id=line.pk, reserved=1), 10)
    line.refresh_from_db()
    assert line.reserved_quantity == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_orders_created_at_the_same_moment_get_distinct_numbers():
    customer = CustomerFactory()
    product = ProductFactory()

    def create():
        return order_services.order_create(
            customer=customer, owner=customer.owner, lines=[{"product": product, "quantity": 1}]
        ).number

    numbers = run_together(create, 8)
    assert len(set(numbers)) == 8 and all(n.startswith("SO-") for n in numbers)
