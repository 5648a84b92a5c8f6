"""Carriers and delivery confirmation: the expected day per region, the shipping e-mail's wording,
one confirmation per shipment by each source (driver, customer link, nightly estimate), the
customer's link refused when expired or altered."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from core.events.models import Event
from crm.customers.models import Region
from integration.fulfilment import carriers, delivery, notices, services, shipping
from integration.fulfilment.models import CarrierTransit, Shipment
from tests.integration.fulfilment.factories import (
    CarrierFactory,
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    shipped_shipment,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def south():
    return Region.objects.create(code="S", name="华南")


def _ship(sales_user, capture, *, customer, carrier_name):
    warehouses = three_warehouses()
    ContactFactory(customer=customer, email="buyer@customer.example")
    product = ProductFactory()
    receive(product, warehouses["SH"], 5)
    order = make_order(customer, sales_user, (product, 1))
    with capture(execute=True):
        services.order_confirm(order=order, user=sales_user)
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    shipment.lines.update(picked_quantity=1)
    with capture(execute=True):
        shipping.shipment_ship(shipment=shipment, carrier=carrier_name, tracking_number="SF1")
    shipment.refresh_from_db()
    return shipment


def test_expected_delivery_uses_the_regions_transit_days_else_the_default(south):
    carrier = CarrierFactory(name="顺丰速运", transit_days=3)
    CarrierTransit.objects.create(carrier=carrier, region=south, days=1)
    other = Region.objects.create(code="N", name="华北")
    day = date(2026, 12, 31)
    assert carriers.expected_delivery(carrier=carrier, region_id=south.pk, shipped_on=day) == date(2027, 1, 1)
    assert carriers.expected_delivery(carrier=carrier, region_id=other.pk, shipped_on=day) == date(2027, 1, 3)
    assert carriers.expected_delivery(carrier=carrier, region_id=None, shipped_on=day) == date(2027, 1, 3)


def test_shipping_with_a_listed_carrier_links_it_and_sets_the_expected_day(
    sales_user, south, django_capture_on_commit_callbacks
):
    carrier = CarrierFactory(name="顺丰速运", transit_days=3)
    CarrierTransit.objects.create(carrier=carrier, region=south, days=1)
    shipment = _ship(
        sales_user,
        django_capture_on_commit_callbacks,
        customer=CustomerFactory(owner=sales_user, region=south),
        carrier_name="顺丰速运",
    )
    assert shipment.carrier_ref == carrier
    assert shipment.carrier == "顺丰速运"
    assert shipment.expected_delivery_on == timezone.localdate(shipment.shipped_at) + timedelta(days=1)


def test_an_inactive_carrier_is_refused_when_shipping(sales_user, django_capture_on_commit_callbacks):
    CarrierFactory(name="停用快递", is_active=False)
    with pytest.raises(ValidationError) as err:
        _ship(
            sales_user,
            django_capture_on_commit_callbacks,
            customer=CustomerFactory(owner=sales_user),
            carrier_name="停用快递",
        )
    assert "carrier" in err.value.message_dict


def test_the_shipping_email_says_tomorrow_in_chinese(
    sales_user, south, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    carrier = CarrierFactory(name="顺丰速运", transit_days=3)
    CarrierTransit.objects.create(carrier=carrier, region=south, days=1)
    _ship(
        sales_user,
        django_capture_on_commit_callbacks,
        customer=CustomerFactory(owner=sales_user, region=south),
        carrier_name="顺丰速运",
    )
    body = mail.outbox[-1].body
    assert "您的订单已出库，预计明日送达" in body
    assert "/fulfilment/delivered/" in body


@pytest.mark.parametrize(
    ("days", "zh", "en"),
    [
        (2, "预计后天送达", "expected the day after tomorrow"),
        (5, "预计12月10日送达", "expected on "),
    ],
)
def test_arrival_wording_for_two_days_and_later(days, zh, en):
    shipped = timezone.make_aware(datetime(2026, 12, 5, 10, 0))
    shipment = Shipment(shipped_at=shipped, expected_delivery_on=date(2026, 12, 5) + timedelta(days=days))
    with translation.override("zh-hans"):
        assert zh in notices.arrival_text(shipment)
    with translation.override("en"):
        assert en in notices.arrival_text(shipment)


def test_delivery_by_the_driver_once(warehouse_user, django_capture_on_commit_callbacks):
    shipment = shipped_shipment()
    delivery.shipment_deliver(shipment=shipment, source="driver", user=warehouse_user)
    shipment.refresh_from_db()
    assert shipment.delivery_source == "driver" and shipment.delivered_at is not None
    event = Event.objects.get(name="shipment.delivered")
    assert event.payload == {
        "shipment_id": shipment.pk,
        "order_id": shipment.order_id,
        "customer_id": shipment.order.customer_id,
        "source": "driver",
    }
    first = shipment.delivered_at
    with pytest.raises(ValidationError) as err:
        delivery.shipment_deliver(shipment=shipment, source="customer")
    assert "shipment" in err.value.message_dict
    shipment.refresh_from_db()
    assert (shipment.delivered_at, shipment.delivery_source) == (first, "driver")
    assert Event.objects.filter(name="shipment.delivered").count() == 1


def test_a_shipment_still_picking_cannot_be_delivered():
    shipment = shipped_shipment()
    Shipment.objects.filter(pk=shipment.pk).update(state=Shipment.State.PICKING)
    with pytest.raises(ValidationError):
        delivery.shipment_deliver(shipment=shipment, source="driver")
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is None


def test_driver_screen_confirms_by_shipment_number(client, warehouse_user):
    shipment = shipped_shipment()
    client.force_login(warehouse_user)
    page = client.get(reverse("fulfilment:delivery-confirm"), {"number": shipment.number.lower()})
    assert page.status_code == 200 and shipment.number in page.content.decode()
    response = client.post(
        reverse("fulfilment:delivery-confirm"), {"number": shipment.number, "confirm": "1"}
    )
    assert response.status_code == 302
    assert Shipment.objects.get(pk=shipment.pk).delivery_source == "driver"
    again = client.post(reverse("fulfilment:delivery-confirm"), {"number": shipment.number, "confirm": "1"})
    assert again.status_code == 400


def test_driver_screen_unknown_number_is_a_clear_message(client, warehouse_user):
    client.force_login(warehouse_user)
    page = client.get(reverse("fulfilment:delivery-confirm"), {"number": "SH-NOPE²"})
    assert page.status_code == 200 and 'data-testid="delivery-error"' in page.content.decode()


def test_customer_link_confirms_without_login(client):
    shipment = shipped_shipment()
    url = reverse("fulfilment:delivery-link", args=[delivery.link_token(shipment)])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200 and 'data-testid="delivery-thanks"' in response.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).delivery_source == "customer"
    second = client.post(url)
    assert 'data-testid="delivery-already"' in second.content.decode()


def test_customer_link_tampered_is_refused(client):
    shipment = shipped_shipment()
    token = delivery.link_token(shipment)
    bad = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    response = client.post(reverse("fulfilment:delivery-link", args=[bad]))
    assert response.status_code == 404
    forged = signing.dumps(shipment.pk, salt="another-salt")
    assert client.post(reverse("fulfilment:delivery-link", args=[forged])).status_code == 404
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is None


def test_customer_link_expired_is_refused(client, settings, time_machine):
    settings.FULFILMENT_DELIVERY_LINK_DAYS = 30
    shipment = shipped_shipment()
    token = delivery.link_token(shipment)
    time_machine.move_to(timezone.now() + timedelta(days=31))
    response = client.post(reverse("fulfilment:delivery-link", args=[token]))
    assert response.status_code == 410 and 'data-testid="link-expired"' in response.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is None


def test_nightly_estimate_marks_shipments_past_their_expected_day():
    tz = ZoneInfo("Asia/Shanghai")
    shipped_at = datetime(2026, 12, 1, 10, 0, tzinfo=tz)
    late = shipped_shipment(shipped_at=shipped_at, expected=date(2026, 12, 3))
    due_today = shipped_shipment(shipped_at=shipped_at, expected=date(2026, 12, 5))
    confirmed = shipped_shipment(shipped_at=shipped_at, expected=date(2026, 12, 2))
    delivery.shipment_deliver(shipment=confirmed, source="driver", at=datetime(2026, 12, 2, 9, tzinfo=tz))
    assert delivery.deliveries_estimate(today=date(2026, 12, 5)) == 1
    late.refresh_from_db()
    assert late.delivery_source == "estimate"
    assert timezone.localdate(late.delivered_at) == date(2026, 12, 3)
    assert Shipment.objects.get(pk=due_today.pk).delivered_at is None
    assert Shipment.objects.get(pk=confirmed.pk).delivery_source == "driver"


def test_nightly_estimate_is_in_the_beat_schedule(settings):
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "integration.fulfilment.tasks.deliveries_estimate" in entries


def test_api_deliver_action_once(api_client, warehouse_user):
    shipment = shipped_shipment()
    api_client.force_authenticate(warehouse_user)
    url = f"/api/v1/shipments/{shipment.pk}/deliver/"
    first = api_client.post(url)
    assert first.status_code == 200 and first.json()["delivery_source"] == "driver"
    assert api_client.post(url).status_code == 400


def test_carrier_api_creates_with_region_days(api_client, warehouse_user, south):
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        "/api/v1/carriers/",
        {"name": "德邦物流", "transit_days": 3, "transits": [{"region": south.pk, "days": 2}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["transits"][0]["days"] == 2
    bad = api_client.post(
        "/api/v1/carriers/",
        {"name": "X", "transit_days": 3, "transits": [{"region": 987654, "days": 2}]},
        format="json",
    )
    assert bad.status_code == 400
