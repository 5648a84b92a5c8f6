"""The customer's shipping notice is recorded as sent only once it has been sent; a refused send
is recorded with its reason, shown to the rep and retried by the outbox; one shipment never gets
two e-mails."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone, translation

from core.events import dispatch, names
from core.events.models import Delivery, Event, Notification
from crm.sales.orders import services as order_services
from integration.fulfilment import services, shipping
from integration.fulfilment.handlers import send_shipping_notice
from integration.fulfilment.models import ShipmentNotice
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

BACKEND = "tests.integration.fulfilment.test_shipping_notice"
seen_while_sending: list[dict] = []


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 User unknown")})


class WatchingBackend(BaseEmailBackend):
    """Delivers to ``mail.outbox`` and notes what the database said while the e-mail left."""

    def send_messages(self, messages):
        notice = ShipmentNotice.objects.get()
        seen_while_sending.append(
            {
                "state": notice.state,
                "sent_entries": notice.shipment.order.events.filter(kind="customer_notified").count(),
            }
        )
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def shipped(sales_user, django_capture_on_commit_callbacks):
    """Ship an order of a customer whose contact has an e-mail address; returns a function that
    does it (so a test can choose the mail backend first)."""

    def ship():
        warehouses = three_warehouses()
        customer = CustomerFactory(owner=sales_user)
        ContactFactory(customer=customer, email="buyer@customer.example")
        product = ProductFactory()
        receive(product, warehouses["SH"], 5)
        order = make_order(customer, sales_user, (product, 2))
        with django_capture_on_commit_callbacks(execute=True):
            services.order_confirm(order=order, user=sales_user)
        shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
        shipment.lines.update(picked_quantity=2)
        with django_capture_on_commit_callbacks(execute=True):
            shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF1234567890")
        shipment.refresh_from_db()
        return shipment

    return ship


def notice_delivery():
    return Delivery.objects.get(event__name=names.SHIPMENT_NOTICE_DUE)


def retry_now():
    delivery = notice_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    return dispatch.delivery_run(delivery_id=delivery.pk)


def entries(shipment, kind):
    with translation.override("en"):
        return [
            order_services.order_event_text(e) for e in shipment.order.events.filter(kind=kind).order_by("pk")
        ]


def test_notice_is_recorded_sent_only_after_the_email_left(shipped, settings):
    settings.EMAIL_BACKEND = f"{BACKEND}.WatchingBackend"
    seen_while_sending.clear()
    shipment = shipped()
    assert seen_while_sending == [{"state": "sending", "sent_entries": 0}]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer@customer.example"]
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert notice.state == "sent" and notice.sent_at is not None and notice.attempts == 1
    assert entries(shipment, "customer_notified") == [
        f"Shipping notice for {shipment.number} sent to buyer@customer.example"
    ]
    assert notice_delivery().state == "done"


def test_refused_send_is_recorded_failed_with_the_reason_and_the_rep_told(shipped, settings, sales_user):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    shipment = shipped()
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert (notice.state, notice.last_error) == ("failed", "550 5.1.1 User unknown")
    assert entries(shipment, "customer_notified") == []
    assert entries(shipment, "customer_notice_failed") == [
        f"Shipping notice for {shipment.number} to buyer@customer.example failed: 550 5.1.1 User unknown"
    ]
    note = Notification.objects.get(user=sales_user, kind="shipping_notice_failed")
    with translation.override("en"):
        assert note.title_text() == f"The shipping notice for order {shipment.order.number} failed"
        assert "550 5.1.1 User unknown" in note.body_text()
    assert note.url == reverse("sales:orders:order_detail", args=[shipment.order_id])
    delivery = notice_delivery()
    # The outbox retries it with its backoff.
    assert (
        delivery.state == "pending" and delivery.attempts == 1 and delivery.next_attempt_at > timezone.now()
    )
    assert "User unknown" in delivery.last_error


def test_refused_notice_is_retried_and_when_it_goes_out_marked_sent_once(shipped, settings, sales_user):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    shipment = shipped()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_now() == "done"
    assert retry_now() == "skipped"
    send_shipping_notice(Event.objects.get(name=names.SHIPMENT_NOTICE_DUE))  # a stray second run
    assert len(mail.outbox) == 1
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 2, "")
    assert len(entries(shipment, "customer_notified")) == 1
    assert len(entries(shipment, "customer_notice_failed")) == 1
    assert Notification.objects.filter(user=sales_user, kind="shipping_notice_failed").count() == 1


def test_a_notice_that_keeps_failing_ends_dead_with_one_entry_per_reason(shipped, settings):
    settings.EVENTS_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    shipment = shipped()
    assert retry_now() == "retry"
    assert retry_now() == "dead"
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert (notice.state, notice.attempts) == ("failed", 3)
    assert len(entries(shipment, "customer_notice_failed")) == 1  # the same reason each time
    assert mail.outbox == []


def test_the_handler_run_twice_sends_one_email(shipped):
    shipment = shipped()
    event = Event.objects.get(name=names.SHIPMENT_NOTICE_DUE)
    send_shipping_notice(event)
    send_shipping_notice(event)
    assert len(mail.outbox) == 1
    assert len(entries(shipment, "customer_notified")) == 1


def test_an_interrupted_send_is_recorded_failed_and_never_sent_again(shipped, settings, sales_user):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    shipment = shipped()
    # A worker died after claiming the send: whether the e-mail left is unknown.
    ShipmentNotice.objects.filter(shipment=shipment).update(state="sending")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_now() == "done"
    assert mail.outbox == []
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert notice.state == "failed"
    with translation.override("en"):
        assert notice.reason_text().startswith("The sending was interrupted")
        failed = entries(shipment, "customer_notice_failed")
    assert len(failed) == 2 and "may not have reached the customer" in failed[-1]
    with translation.override("zh-hans"):
        assert "发送中断" in entries_in(shipment, "customer_notice_failed")[-1]


def entries_in(shipment, kind):
    return [
        order_services.order_event_text(e) for e in shipment.order.events.filter(kind=kind).order_by("pk")
    ]


def test_the_retry_goes_to_a_corrected_address(shipped, settings):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    shipment = shipped()
    shipment.order.customer.contacts.update(email="orders@customer.example")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_now() == "done"
    assert mail.outbox[0].to == ["orders@customer.example"]
    assert ShipmentNotice.objects.get(shipment=shipment).recipient == "orders@customer.example"


def test_no_notice_for_a_customer_without_an_email_address(sales_user, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    customer = CustomerFactory(owner=sales_user, email="")
    product = ProductFactory()
    receive(product, warehouses["SH"], 5)
    order = make_order(customer, sales_user, (product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    shipment.lines.update(picked_quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF1")
    assert not ShipmentNotice.objects.exists()
    assert not Event.objects.filter(name=names.SHIPMENT_NOTICE_DUE).exists()
    assert mail.outbox == []


def test_the_shipment_page_shows_why_the_notice_failed(shipped, settings, client, sales_user):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingBackend"
    shipment = shipped()
    client.force_login(sales_user)
    page = client.get(reverse("fulfilment:shipment", args=[shipment.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'data-testid="shipping-notice" data-state="failed"' in html
    assert "buyer@customer.example: 550 5.1.1 User unknown (1 attempt)" in html


def test_the_shipments_api_gives_the_notice_state(shipped, api_client, sales_user):
    shipment = shipped()
    api_client.force_authenticate(sales_user)
    body = api_client.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert body["notice"]["state"] == "sent" and body["notice"]["recipient"] == "buyer@customer.example"
    assert body["notice"]["sent_at"] is not None
