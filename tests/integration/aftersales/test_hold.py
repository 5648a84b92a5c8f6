"""A lot on hold is never reserved or shipped; what was reserved of it moves elsewhere."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditLog
from crm.sales.models import SalesOrder
from integration.fulfilment import shipping
from integration.fulfilment.models import Backorder, Shipment
from scm.inventory import holds
from scm.inventory import services as stock
from scm.inventory.models import Reservation
from scm.inventory.reservations import stock_reserve, stock_reserve_many
from tests.integration.aftersales.factories import confirmed, customer_of, received_lot
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, warehouse_user, manager_user):
    warehouses = three_warehouses()
    lot, _receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user, quantity="10")
    return {
        "wh": warehouses,
        "lot": lot,
        "rep": sales_user,
        "picker": warehouse_user,
        "manager": manager_user,
    }


def _hold(world, capture):
    with capture(execute=True):
        return holds.lot_hold(lot=world["lot"], reason="卡纸", user=world["manager"])


def test_a_held_lot_is_never_reserved_by_one_demand(world, django_capture_on_commit_callbacks):
    _hold(world, django_capture_on_commit_callbacks)
    assert stock_reserve(product=world["lot"].product, quantity=Decimal(3), demand="test:1") == []


def test_a_held_lot_is_never_reserved_in_a_batch(world, django_capture_on_commit_callbacks):
    _hold(world, django_capture_on_commit_callbacks)
    out = stock_reserve_many(
        demands=[("test:1", world["lot"].product, Decimal(2)), ("test:2", world["lot"].product, 1)]
    )
    assert out == {"test:1": [], "test:2": []} and not Reservation.objects.exists()


def test_holding_a_lot_twice_is_refused_and_audited_once(world, django_capture_on_commit_callbacks):
    _hold(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:
        holds.lot_hold(lot=world["lot"], reason="again", user=world["manager"])
    assert "lot" in exc.value.message_dict
    assert AuditLog.objects.filter(action="stock.lot_hold").count() == 1


def test_a_hold_needs_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        holds.lot_hold(lot=world["lot"], reason="  ", user=world["manager"])
    assert "reason" in exc.value.message_dict
    world["lot"].refresh_from_db()
    assert world["lot"].held_at is None


def test_reservations_on_the_held_lot_move_to_another_lot(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    customer = customer_of(world["rep"])
    order = confirmed(customer, world["rep"], world["lot"].product, 4, capture)
    assert Reservation.objects.get().lot_id == world["lot"].pk
    other, _r = received_lot(
        warehouse=world["wh"]["SH"], user=world["picker"], number="L-GOOD-2", product=world["lot"].product
    )
    _hold(world, capture)
    assert [(r.lot_id, r.quantity) for r in Reservation.objects.all()] == [(other.pk, Decimal(4))]
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED and order.lines.get().reserved_quantity == 4


def test_an_order_with_nothing_else_to_take_is_backordered(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    order = confirmed(customer_of(world["rep"]), world["rep"], world["lot"].product, 4, capture)
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=world["picker"])
    _hold(world, capture)
    order.refresh_from_db()
    assert not Reservation.objects.exists() and order.state == SalesOrder.State.CONFIRMED
    assert Backorder.objects.get(line__order=order).quantity == 4
    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.CANCELLED


def test_scanning_a_held_lot_on_a_pick_list_is_refused(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    order = confirmed(customer_of(world["rep"]), world["rep"], world["lot"].product, 2, capture)
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=world["picker"])
    holds.lot_hold(lot=world["lot"], reason="卡纸", user=world["manager"])  # the rule has not run yet
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code="L-JAM-1", user=world["picker"])
    assert "L-JAM-1" in exc.value.message_dict["code"][0]


def test_shipping_a_held_lot_is_refused(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    order = confirmed(customer_of(world["rep"]), world["rep"], world["lot"].product, 2, capture)
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=world["picker"])
    line = shipment.lines.get()
    holds.lot_hold(lot=world["lot"], reason="卡纸", user=world["manager"])
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_ship(
            shipment=shipment,
            carrier="顺丰",
            tracking_number="SF1",
            user=world["picker"],
            quantities={line.pk: 2},
        )
    assert "L-JAM-1" in exc.value.message_dict["lines"][0]
    assert Shipment.objects.get(pk=shipment.pk).state == Shipment.State.PICKING


def test_a_released_lot_may_be_reserved_again_and_serves_waiting_orders(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    order = confirmed(customer_of(world["rep"]), world["rep"], world["lot"].product, 4, capture)
    _hold(world, capture)
    with capture(execute=True):
        holds.lot_release(lot=world["lot"], user=world["manager"])
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED
    assert Reservation.objects.get().lot_id == world["lot"].pk
    with pytest.raises(ValidationError):
        holds.lot_release(lot=world["lot"], user=world["manager"])


def test_a_held_lot_received_again_is_still_not_reserved(world, django_capture_on_commit_callbacks):
    _hold(world, django_capture_on_commit_callbacks)
    stock.stock_receive(
        product=world["lot"].product, warehouse=world["wh"]["BJ"], quantity=5, lot=world["lot"]
    )
    assert stock_reserve(product=world["lot"].product, quantity=Decimal(1), demand="test:1") == []
