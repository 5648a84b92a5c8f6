"""The complaint → batch trace → alert → hold → recall loop on PostgreSQL with a real Celery
worker: lot L shipped to three customers; a complaint traces it to its receipt, its supplier and
exactly those three customers; the third complaint raises the quality alert; the lot is held and
never reserved again (an order reserved on it moves off it); the recall lists the customers."""

from decimal import Decimal

import pytest
from django.db import transaction

from core.events import names
from core.events.services import publish
from crm.sales.models import SalesOrder
from crm.service.models import Category, TicketEvent
from integration.aftersales import recall as recalls
from integration.aftersales import services
from integration.aftersales.models import QualityAlert, TraceRun
from integration.fulfilment import services as fulfilment
from integration.fulfilment import shipping
from integration.fulfilment.models import ReservationRun
from scm.inventory.models import Reservation
from tests.crm.service.factories import TicketFactory
from tests.factories import UserFactory
from tests.integration.aftersales.factories import customer_of, received_lot
from tests.integration.fulfilment.factories import make_order, three_warehouses
from tests.worker import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _reserved(order, worker):
    wait_for(lambda: ReservationRun.objects.filter(order=order).exists(), worker)
    order.refresh_from_db()
    return order


def _order(customer, product, quantity, worker):
    order = make_order(customer, customer.owner, (product, quantity))
    fulfilment.order_confirm(order=order, user=customer.owner)
    return _reserved(order, worker)


def _complain(customer, lot):
    with transaction.atomic():
        ticket = TicketFactory(customer=customer, lot=lot, product=lot.product, category=Category.QUALITY)
        publish(
            names.TICKET_OPENED,
            {
                "ticket_id": ticket.pk,
                "customer_id": customer.pk,
                "category": "quality",
                "product_id": lot.product_id,
                "lot_id": lot.pk,
            },
        )
    return ticket


def test_the_whole_loop_from_shipment_to_recall(celery_worker_process):
    worker = celery_worker_process
    warehouses = three_warehouses()
    picker = UserFactory(roles=["warehouse"])
    manager = UserFactory(roles=["manager"])
    purchasing = UserFactory(roles=["purchasing"])
    lot, receipt = received_lot(warehouse=warehouses["SH"], user=picker, quantity="50")
    reps = [UserFactory(roles=["sales"]), UserFactory(roles=["sales"])]
    customers = [customer_of(reps[0]), customer_of(reps[0]), customer_of(reps[1])]
    for customer in customers:
        order = _order(customer, lot.product, 4, worker)
        assert order.state == SalesOrder.State.RESERVED
        shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"], user=picker)
        shipping.shipment_ship(
            shipment=shipment,
            carrier="顺丰",
            tracking_number=f"SF{shipment.pk}",
            user=picker,
            quantities={line.pk: line.quantity for line in shipment.lines.all()},
        )

    # A complaint on L: the worker traces it to the receipt, the supplier and the three customers.
    first = _complain(customers[0], lot)
    wait_for(lambda: TraceRun.objects.filter(ticket_id=first.pk).exists(), worker)
    run = TraceRun.objects.get(ticket_id=first.pk)
    assert (run.supplier_id, run.customers, run.shipped, run.in_stock) == (
        receipt.supplier_id,
        3,
        Decimal(12),
        Decimal(38),
    )
    entry = TicketEvent.objects.get(ticket=first, kind="trace")
    assert entry.data["params"]["receipt"] == receipt.number and entry.data["params"]["others"] == 2
    assert entry.data["summary"]["customers"] == 3
    assert not QualityAlert.objects.exists()

    # The third complaint raises the quality alert; purchasing is told.
    _complain(customers[1], lot)
    _complain(customers[1], lot)
    wait_for(lambda: QualityAlert.objects.exists(), worker)
    alert = QualityAlert.objects.get()
    assert alert.lot_id == lot.pk and alert.complaints == 3
    assert purchasing.notifications.filter(kind="quality_alert").exists()

    # An order reserved on L before the hold; the hold moves it off L (nothing else: backorder).
    waiting = _order(customers[2], lot.product, 2, worker)
    assert Reservation.objects.filter(lot=lot).exists()
    services.alert_hold(alert=alert, reason="打印机卡纸", user=manager)
    wait_for(lambda: not Reservation.objects.filter(lot=lot).exists(), worker)
    waiting.refresh_from_db()
    assert waiting.state == SalesOrder.State.CONFIRMED and waiting.lines.get().reserved_quantity == 0

    # L is never reserved while held.
    later = _order(customers[0], lot.product, 1, worker)
    assert later.state == SalesOrder.State.CONFIRMED
    assert not Reservation.objects.filter(lot=lot).exists()

    # The recall lists the three customers, each with a return authorisation.
    recall = recalls.recall_start(lot=lot, reason="打印机卡纸", user=manager, alert=alert)
    rows = list(recall.customers.order_by("customer_id"))
    assert [r.customer_id for r in rows] == sorted(c.pk for c in customers)
    assert all(r.authorisation.startswith("RA-") and r.quantity == 4 for r in rows)
    alert.refresh_from_db()
    assert alert.state == QualityAlert.State.RECALLED
