"""The shipping notice with a real Celery worker on PostgreSQL: refused, retried by the outbox
once the address is corrected, then sent once (the file backend, configured from the
environment, shows what left)."""

import time
from pathlib import Path

import pytest

from core.events import names
from core.events.models import Delivery, Notification
from integration.fulfilment import services, shipping
from integration.fulfilment.models import ShipmentNotice
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker_with_mail_to(tmp_path, start_celery_worker):
    """A real worker on the test database whose mail goes to files in a folder (returned)."""
    outbox = tmp_path / "mail"
    worker = start_celery_worker(
        EMAIL_BACKEND="tests.integration.fulfilment.mail_backends.RefusesSomeBackend",
        EMAIL_FILE_PATH=str(outbox),
        EVENTS_RETRY_BASE_SECONDS="1",
        EVENTS_MAX_ATTEMPTS="8",
    )
    return worker, outbox


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_refused_notice_is_retried_by_the_worker_and_sent_once(worker_with_mail_to):
    worker, outbox = worker_with_mail_to

    def wait(predicate, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            assert worker.poll() is None, "the worker died"
            time.sleep(0.2)
        raise AssertionError("the worker did not get there in time")

    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 5)
    rep = UserFactory(roles=["sales"])
    customer = CustomerFactory(owner=rep)
    contact = ContactFactory(customer=customer, email="buyer@refused.example")
    order = make_order(customer, rep, (product, 2))
    services.order_confirm(order=order, user=rep)
    wait(lambda: order.lines.get().reserved_quantity == 2)
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    shipment.lines.update(picked_quantity=2)
    shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF1234567890")

    notice = ShipmentNotice.objects.filter(shipment=shipment)
    wait(lambda: notice.filter(state="failed").exists())
    assert notice.get().last_error == "550 5.1.1 User unknown"
    wait(lambda: Notification.objects.filter(user=rep, kind="shipping_notice_failed").exists())
    contact.email = "buyer@customer.example"
    contact.save()

    wait(lambda: notice.filter(state="sent").exists())
    delivery = Delivery.objects.get(event__name=names.SHIPMENT_NOTICE_DUE)
    wait(lambda: Delivery.objects.get(pk=delivery.pk).state == "done")
    files = list(outbox.iterdir())
    assert len(files) == 1 and "buyer@customer.example" in files[0].read_text()
    assert order.events.filter(kind="customer_notified").count() == 1
    assert order.events.filter(kind="customer_notice_failed").count() == 1
