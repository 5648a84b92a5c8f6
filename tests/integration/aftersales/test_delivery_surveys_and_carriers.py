"""After-sales rules of delivery: a delivered shipment gets its survey (once), carrier figures
(shipments, damage complaints and rate, on-time rate) with the flag above the threshold."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.service.models import Survey
from integration.aftersales import carriers
from integration.aftersales.handlers_delivery import survey_after_delivery
from integration.aftersales.models import QualitySettings
from integration.fulfilment import delivery
from tests.crm.service.factories import TicketFactory
from tests.integration.fulfilment.factories import CarrierFactory, ContactFactory, shipped_shipment

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_a_delivered_shipment_gets_one_survey(django_capture_on_commit_callbacks):
    shipment = shipped_shipment()
    ContactFactory(customer=shipment.order.customer, email="buyer@x.example")
    with django_capture_on_commit_callbacks(execute=True):
        delivery.shipment_deliver(shipment=shipment, source="customer")
    survey = Survey.objects.get()
    assert (survey.kind, survey.shipment_id, survey.order_id) == ("delivery", shipment.pk, shipment.order_id)
    assert survey.recipient == "buyer@x.example" and survey.state == "sent"
    event = type("E", (), {"payload": {"shipment_id": shipment.pk}, "pk": 99})()
    survey_after_delivery(event)
    assert Survey.objects.count() == 1


def _figures_world():
    """Two carriers in December 2026: 中通 with 10 shipments and 2 damage tickets (20 %), 顺丰
    with 4 shipments, 0 damage; deliveries on time and late."""
    zto, sf = CarrierFactory(name="中通快递"), CarrierFactory(name="顺丰速运")
    shipped = datetime(2026, 12, 1, 10, tzinfo=TZ)
    zto_shipments = [
        shipped_shipment(carrier=zto, shipped_at=shipped, expected=date(2026, 12, 3)) for _ in range(10)
    ]
    owner = zto_shipments[0].order.customer.owner
    sf_shipments = [
        shipped_shipment(carrier=sf, shipped_at=shipped, expected=date(2026, 12, 2), owner=owner)
        for _ in range(4)
    ]
    # 中通: 4 delivered, 3 on time (one on the evening of the expected day), 1 late.
    for s, day in zip(zto_shipments[:4], [2, 3, 3, 5], strict=True):
        delivery.shipment_deliver(shipment=s, source="driver", at=datetime(2026, 12, day, 22, tzinfo=TZ))
    for s in sf_shipments:
        delivery.shipment_deliver(shipment=s, source="estimate", at=datetime(2026, 12, 2, 18, tzinfo=TZ))
    customer = zto_shipments[0].order.customer
    TicketFactory(customer=customer, category="damage", shipment_id=zto_shipments[0].pk)
    # A second complaint about the same parcel: still one damaged parcel.
    TicketFactory(customer=customer, category="damage", shipment_id=zto_shipments[0].pk)
    TicketFactory(customer=customer, category="damage", shipment_id=zto_shipments[1].pk)
    TicketFactory(customer=customer, category="quality", shipment_id=zto_shipments[2].pk)  # not damage
    TicketFactory(customer=customer, category="damage", shipment_id=None)
    # Outside the period: a later shipment and its damage ticket.
    late = shipped_shipment(carrier=zto, shipped_at=datetime(2027, 1, 5, 10, tzinfo=TZ), owner=owner)
    TicketFactory(customer=customer, category="damage", shipment_id=late.pk)
    return zto, sf


def test_carrier_figures_and_the_flag(django_assert_max_num_queries):
    QualitySettings.objects.update_or_create(pk=1, defaults={"carrier_damage_rate": 5})
    zto, sf = _figures_world()
    with django_assert_max_num_queries(2):
        rows = carriers.carrier_figures(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    by_name = {r.name: r for r in rows}
    z, s = by_name["中通快递"], by_name["顺丰速运"]
    assert (z.shipments, z.damage_complaints, str(z.damage_rate), z.flagged) == (10, 2, "20.0", True)
    assert (z.delivered, z.on_time, str(z.on_time_rate)) == (4, 3, "75.0")
    assert (s.shipments, s.damage_complaints, s.damage_rate, s.flagged) == (4, 0, 0, False)
    # 顺丰's deliveries were all assumed from the transit time: nothing says whether it was on time.
    assert (s.delivered, s.on_time, s.on_time_rate) == (0, 0, None)
    assert rows[0].name == "中通快递"


def test_a_carrier_at_the_threshold_is_not_flagged():
    QualitySettings.objects.update_or_create(pk=1, defaults={"carrier_damage_rate": 20})
    _figures_world()
    rows = carriers.carrier_figures(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    assert not any(r.flagged for r in rows)


def test_carrier_figures_page_and_api(client, api_client, manager_user):
    _figures_world()
    client.force_login(manager_user)
    page = client.get(reverse("carrier_figures:list"), {"from": "2026-12-01", "to": "2026-12-31"})
    assert page.status_code == 200 and 'data-flagged="1"' in page.content.decode()
    assert client.get(reverse("carrier_figures:list"), {"from": "2026-02-31"}).status_code == 200
    api_client.force_authenticate(manager_user)
    body = api_client.get("/api/v1/carriers/figures/", {"from": "2026-12-01", "to": "2026-12-31"}).json()
    assert {r["name"]: r["damage_complaints"] for r in body} == {"中通快递": 2, "顺丰速运": 0}
    assert api_client.get("/api/v1/carriers/figures/", {"from": "2026-02-31"}).status_code == 400


def test_carrier_figures_queries_do_not_grow_with_carriers(django_assert_max_num_queries):
    QualitySettings.current()
    for n in range(12):
        CarrierFactory(name=f"快递{n}")
    with django_assert_max_num_queries(2):
        rows = carriers.carrier_figures(date_from=timezone.localdate() - timedelta(days=30))
    assert len(rows) == 12
