"""The warehouse's picks due: orders holding stock, in the order they are picked."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.sales.models import SalesOrder
from integration.fulfilment import today
from integration.fulfilment.models import Shipment
from scm.inventory.models import Reservation
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def held(warehouse, priority="normal", requested=None, reserved=Decimal(2)):
    rep = UserFactory(roles=["sales"])
    order = make_order(CustomerFactory(owner=rep), rep, (ProductFactory(), 2))
    SalesOrder.objects.filter(pk=order.pk).update(
        state=SalesOrder.State.RESERVED,
        priority=priority,
        requested_date=requested,
        confirmed_at=timezone.now(),
    )
    line = order.lines.get()
    line.__class__.objects.filter(pk=line.pk).update(reserved_quantity=reserved)
    if reserved:
        Reservation.objects.create(
            demand=line.demand, product=line.product, warehouse=warehouse, quantity=reserved
        )
    return order


def test_picks_due_come_by_priority_then_requested_date(warehouse_user):
    wh = WarehouseFactory()
    d = timezone.localdate()
    normal_late = held(wh, requested=d + timedelta(days=9))
    normal_soon = held(wh, requested=d + timedelta(days=1))
    normal_none = held(wh)
    urgent = held(wh, priority="urgent", requested=d + timedelta(days=20))
    high = held(wh, priority="high")
    held(wh, reserved=Decimal(0))
    context = today.home_picks_due(None, warehouse_user)
    assert [r["title"] for r in context["rows"]] == [
        urgent.number,
        high.number,
        normal_soon.number,
        normal_late.number,
        normal_none.number,
    ]
    assert context["count"] == 5
    assert context["rows"][0]["url"].endswith(f"?warehouse={wh.pk}")


def test_an_order_being_picked_leads_to_its_pick_list(warehouse_user):
    wh = WarehouseFactory()
    order = held(wh)
    shipment = Shipment.objects.create(number="SH-1", order=order, warehouse=wh)
    assert (
        today.home_picks_due(None, warehouse_user)["rows"][0]["url"]
        == f"/fulfilment/shipments/{shipment.pk}/"
    )
