"""Parts taken concurrently on PostgreSQL: never more than the stock, never used twice."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from crm.service import parts
from crm.service.models import TicketPart
from scm.inventory import services as stock
from scm.inventory.models import StockLevel, StockMove
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import TicketFactory
from tests.crm.service.parts.factories import GUANGZHOU_CUSTOMER, VisitFactory, city_warehouses
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(n, target):
    errors, barrier = [], threading.Barrier(n)

    def worker(i):
        try:
            barrier.wait()
            target(i)
        except ValidationError:
            pass
        except Exception as exc:  # noqa: BLE001 - any other error fails the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_eight_engineers_racing_for_six_parts_get_six_nearest_first():
    wh = city_warehouses()
    lat, lon = GUANGZHOU_CUSTOMER
    customer = CustomerFactory(latitude=lat, longitude=lon)
    tickets = [TicketFactory(customer=customer) for _ in range(8)]
    engineer = UserFactory(roles=["service"])
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=3)
    stock.stock_receive(product=part_product, warehouse=wh["上海"], quantity=3)

    errors = _run(
        8, lambda i: parts.ticket_part_add(ticket=tickets[i], product=part_product, quantity=1, user=engineer)
    )

    assert errors == []
    assert TicketPart.objects.count() == 6
    levels = {
        lv.warehouse.name: (lv.on_hand, lv.reserved) for lv in StockLevel.objects.select_related("warehouse")
    }
    assert levels == {"广州仓": (3, 3), "上海仓": (3, 3)}
    call_command("check_stock")


def test_a_visit_completed_twice_at_once_uses_the_parts_once():
    wh = city_warehouses()
    lat, lon = GUANGZHOU_CUSTOMER
    ticket = TicketFactory(customer=CustomerFactory(latitude=lat, longitude=lon))
    part_product = ProductFactory()
    stock.stock_receive(product=part_product, warehouse=wh["广州"], quantity=5)
    parts.ticket_part_add(
        ticket=ticket, product=part_product, quantity=2, user=UserFactory(roles=["service"])
    )
    visit = VisitFactory(ticket=ticket)

    errors = _run(2, lambda i: parts.ticket_parts_consume(ticket=ticket, visit=visit))

    assert errors == []
    assert StockMove.objects.filter(product=part_product, quantity__lt=0).count() == 1
    assert StockLevel.objects.get(product=part_product).on_hand == Decimal(3)
    call_command("check_stock")
