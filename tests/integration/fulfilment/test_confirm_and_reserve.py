from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.events import names
from core.events.models import Event, Notification
from core.models import AuditLog
from crm.sales.models import SalesOrder
from integration.fulfilment import services
from integration.fulfilment.handlers import reserve_confirmed_order
from integration.fulfilment.models import Backorder
from scm.inventory.models import Product, Reservation, StockLevel
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    product = ProductFactory(list_price=Decimal("100.00"))
    customer = CustomerFactory(owner=sales_user)
    return {"wh": warehouses, "product": product, "customer": customer, "rep": sales_user}


def confirm(order, user, capture):
    with capture(execute=True):
        return services.order_confirm(order=order, user=user)


def test_confirm_publishes_order_confirmed_in_the_same_transaction(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 10)
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    with django_capture_on_commit_callbacks(execute=False):
        order = services.order_confirm(order=order, user=world["rep"])
    assert order.state == SalesOrder.State.CONFIRMED
    assert Event.objects.filter(name=names.ORDER_CONFIRMED, payload__order_id=order.pk).count() == 1


def test_confirmed_order_is_reserved_by_the_rule(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 10)
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 4)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED
    assert order.lines.get().reserved_quantity == 4
    assert StockLevel.objects.get(product=world["product"]).reserved == 4


def test_rep_is_notified_of_the_reservation_result(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 1)
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 3)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    note = Notification.objects.get(user=world["rep"], kind="reservation")
    assert order.number in note.title_text() and "2" in note.title_text()


def test_confirming_twice_is_refused(world, django_capture_on_commit_callbacks):
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 1)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    with pytest.raises(ValidationError) as exc:
        services.order_confirm(order=order, user=world["rep"])
    assert "state" in exc.value.message_dict
    assert Event.objects.filter(name=names.ORDER_CONFIRMED).count() == 1


def test_order_over_credit_limit_goes_on_hold_and_managers_are_told(
    world, manager_user, django_capture_on_commit_callbacks
):
    customer = world["customer"]
    customer.credit_limit = Decimal("500.00")
    customer.save()
    receive(world["product"], world["wh"]["SH"], 10)
    first = confirm(
        make_order(customer, world["rep"], (world["product"], 3)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    assert first.state == SalesOrder.State.CONFIRMED  # 339 of 500
    second = confirm(
        make_order(customer, world["rep"], (world["product"], 2)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    assert second.state == SalesOrder.State.CREDIT_HOLD  # 339 open + 226 > 500
    assert not Event.objects.filter(name=names.ORDER_CONFIRMED, payload__order_id=second.pk).exists()
    assert Notification.objects.filter(user=manager_user, kind="credit_hold").exists()
    assert not Reservation.objects.filter(demand=second.lines.get().demand).exists()


def test_open_receivables_count_towards_the_credit_limit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    import finance.selectors

    customer = world["customer"]
    customer.credit_limit = Decimal("500.00")
    customer.save()
    monkeypatch.setattr(finance.selectors, "open_receivables", lambda *, customer_id: Decimal("400.00"))
    order = confirm(
        make_order(customer, world["rep"], (world["product"], 1)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    assert order.state == SalesOrder.State.CREDIT_HOLD


def test_manager_release_confirms_reserves_and_is_audited(
    world, manager_user, django_capture_on_commit_callbacks
):
    customer = world["customer"]
    customer.credit_limit = Decimal("1.00")
    customer.save()
    receive(world["product"], world["wh"]["SH"], 10)
    order = confirm(
        make_order(customer, world["rep"], (world["product"], 2)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_release_hold(order=order, user=manager_user, text="老客户")
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED
    assert AuditLog.objects.filter(
        action="fulfilment.credit_release", actor=manager_user, object_id=str(order.pk)
    ).exists()


def test_release_of_an_order_not_on_hold_is_refused(world, manager_user):
    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    with pytest.raises(ValidationError):
        services.order_release_hold(order=order, user=manager_user)


def test_cancel_releases_every_reservation(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 2)
    receive(world["product"], world["wh"]["BJ"], 5)
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 6)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    assert sum(lv.reserved for lv in StockLevel.objects.all()) == 6
    order = services.order_cancel(order=order, user=world["rep"])
    assert order.state == SalesOrder.State.CANCELLED
    assert sum(lv.reserved for lv in StockLevel.objects.all()) == 0
    assert not Reservation.objects.exists()
    assert order.lines.get().reserved_quantity == 0


def test_nearest_warehouse_is_taken_first_then_split(world, django_capture_on_commit_callbacks):
    product = world["product"]
    for code in ("BJ", "SH", "GZ"):
        receive(product, world["wh"][code], 5)
    guangzhou_customer = CustomerFactory(
        owner=world["rep"], latitude=Decimal("22.543100"), longitude=Decimal("114.057900")
    )
    order = confirm(
        make_order(guangzhou_customer, world["rep"], (product, 7)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    held = {r.warehouse.code: r.quantity for r in Reservation.objects.filter(demand=order.lines.get().demand)}
    assert held == {"GZ": 5, "SH": 2}  # Shenzhen: Guangzhou first, then Shanghai (nearer than Beijing)


def test_lots_are_reserved_first_expiry_first_out(world, django_capture_on_commit_callbacks):
    product = ProductFactory(tracking=Product.Tracking.LOT)
    today = timezone.localdate()
    receive(product, world["wh"]["SH"], 5, "L-LATE", today + timedelta(days=200))
    receive(product, world["wh"]["SH"], 5, "L-SOON", today + timedelta(days=20))
    order = confirm(
        make_order(world["customer"], world["rep"], (product, 6)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    held = {r.lot.number: r.quantity for r in Reservation.objects.filter(demand=order.lines.get().demand)}
    assert held == {"L-SOON": 5, "L-LATE": 1}


def test_shortage_becomes_a_backorder_and_a_stock_shortage_event(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 3)
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 5)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    order.refresh_from_db()
    assert order.state == SalesOrder.State.PARTLY_RESERVED
    assert Backorder.objects.get(line__order=order).quantity == 2
    shortage = Event.objects.get(name=names.STOCK_SHORTAGE)
    assert shortage.payload["product_id"] == world["product"].pk
    assert Decimal(shortage.payload["quantity"]) == 2 and shortage.payload["order_id"] == order.pk


def test_reservation_rule_run_twice_for_one_event_changes_nothing(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 3)
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 5)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    event = Event.objects.get(name=names.ORDER_CONFIRMED)
    receive(world["product"], world["wh"]["SH"], 10)  # stock arrives: a re-run must still not act
    before = (
        list(Reservation.objects.values_list("warehouse_id", "quantity")),
        order.lines.get().reserved_quantity,
        Event.objects.filter(name=names.STOCK_SHORTAGE).count(),
        Notification.objects.count(),
    )
    reserve_confirmed_order(event)
    after = (
        list(Reservation.objects.values_list("warehouse_id", "quantity")),
        order.lines.get().reserved_quantity,
        Event.objects.filter(name=names.STOCK_SHORTAGE).count(),
        Notification.objects.count(),
    )
    assert before == after


def test_confirming_an_order_with_an_inactive_product_is_refused(world):
    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    Product.objects.filter(pk=world["product"].pk).update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.order_confirm(order=order, user=world["rep"])
    assert "lines" in exc.value.message_dict
    order.refresh_from_db()
    assert order.state == SalesOrder.State.DRAFT


def test_product_deactivated_after_confirmation_is_backordered(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 10)
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.order_confirm(order=order, user=world["rep"])
    Product.objects.filter(pk=world["product"].pk).update(is_active=False)
    for callback in callbacks:
        callback()
    assert Backorder.objects.get(line__order=order).quantity == 2
    assert StockLevel.objects.get(product=world["product"]).reserved == 0


def test_a_shipped_order_cannot_be_cancelled(world, django_capture_on_commit_callbacks):
    from integration.fulfilment import shipping

    receive(world["product"], world["wh"]["SH"], 10)
    order = confirm(
        make_order(world["customer"], world["rep"], (world["product"], 2)),
        world["rep"],
        django_capture_on_commit_callbacks,
    )
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(
            shipment=shipment, carrier="顺丰", tracking_number="SF1", quantities={shipment.lines.get().pk: 1}
        )
    with pytest.raises(ValidationError):
        services.order_cancel(order=order, user=world["rep"])
    assert StockLevel.objects.get(product=world["product"]).reserved == 1
