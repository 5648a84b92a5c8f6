"""Lifecycle stage from orders: shipped orders move a customer up, a year without orders marks
it inactive, and nothing ever moves a customer down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.events import names
from core.events.dispatch import delivery_run
from core.events.models import Delivery, Event
from crm.customers import services as customer_services
from crm.customers.models import Customer
from crm.sales.models import SalesOrder
from integration.fulfilment import services as fulfilment
from integration.fulfilment import shipping
from integration.rules import handlers, services
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

Stage = Customer.Stage


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 100)
    return {"warehouse": warehouses["SH"], "product": product, "rep": sales_user}


def ship_an_order(world, customer, capture):
    order = make_order(customer, world["rep"], (world["product"], 2))
    with capture(execute=True):
        fulfilment.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["warehouse"])
    with capture(execute=True):
        shipping.shipment_ship(
            shipment=shipment,
            carrier="顺丰",
            tracking_number=f"SF{order.pk}",
            quantities={shipment.lines.get().pk: 2},
        )
    return order


def stage_of(customer):
    return Customer.objects.values_list("stage", flat=True).get(pk=customer.pk)


def test_first_shipped_order_makes_a_prospect_a_customer(world, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.PROSPECT)
    ship_an_order(world, customer, django_capture_on_commit_callbacks)
    assert stage_of(customer) == Stage.CUSTOMER


def test_second_shipped_order_makes_a_repeat_customer(world, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.LEAD)
    ship_an_order(world, customer, django_capture_on_commit_callbacks)
    ship_an_order(world, customer, django_capture_on_commit_callbacks)
    assert stage_of(customer) == Stage.REPEAT


def test_confirmed_but_unshipped_order_leaves_the_stage(world, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.PROSPECT)
    order = make_order(customer, world["rep"], (world["product"], 2))
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.order_confirm(order=order, user=world["rep"])
    assert stage_of(customer) == Stage.PROSPECT


def test_stage_rule_run_twice_for_one_shipment_changes_nothing_more(
    world, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.PROSPECT)
    order = ship_an_order(world, customer, django_capture_on_commit_callbacks)
    event = Event.objects.filter(name=names.SHIPMENT_SHIPPED, payload__order_id=order.pk).get()
    handlers.customer_stage_from_shipment(event)
    handlers.customer_stage_from_shipment(event)
    assert stage_of(customer) == Stage.CUSTOMER
    from core.models import AuditLog

    assert AuditLog.objects.filter(action="customer.stage_changed", object_id=str(customer.pk)).count() == 1


def test_stage_rule_is_a_registered_delivery_of_shipment_shipped(world, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.PROSPECT)
    order = ship_an_order(world, customer, django_capture_on_commit_callbacks)
    event = Event.objects.filter(name=names.SHIPMENT_SHIPPED, payload__order_id=order.pk).get()
    delivery = Delivery.objects.get(event=event, handler__endswith="customer_stage_from_shipment")
    assert delivery.state == Delivery.State.DONE
    assert delivery_run(delivery_id=delivery.pk) == "skipped"


def test_a_customer_marked_repeat_by_hand_is_not_moved_down_by_its_first_order(
    world, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.REPEAT)
    ship_an_order(world, customer, django_capture_on_commit_callbacks)
    assert stage_of(customer) == Stage.REPEAT


def test_an_inactive_customer_who_buys_again_comes_back(world, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=world["rep"], stage=Stage.INACTIVE)
    ship_an_order(world, customer, django_capture_on_commit_callbacks)
    assert stage_of(customer) == Stage.CUSTOMER


def test_stage_service_without_shipped_orders_changes_nothing():
    customer = CustomerFactory(stage=Stage.PROSPECT)
    assert customer_services.customer_stage_from_orders(customer_id=customer.pk, shipped_orders=0) is None
    assert stage_of(customer) == Stage.PROSPECT


# --- nightly inactive sweep ---------------------------------------------------------------------


def placed_order(world, customer, days_ago, state=SalesOrder.State.PAID):
    order = make_order(customer, world["rep"], (world["product"], 1))
    SalesOrder.objects.filter(pk=order.pk).update(
        order_date=timezone.localdate() - timedelta(days=days_ago), state=state
    )
    return order


def test_customer_without_an_order_for_a_year_becomes_inactive(world):
    lapsed = CustomerFactory(owner=world["rep"], stage=Stage.REPEAT)
    placed_order(world, lapsed, days_ago=400)
    assert services.customers_inactive_sweep() == 1
    assert stage_of(lapsed) == Stage.INACTIVE


def test_customer_with_a_recent_order_stays_active(world):
    active = CustomerFactory(owner=world["rep"], stage=Stage.CUSTOMER)
    placed_order(world, active, days_ago=400)
    placed_order(world, active, days_ago=30)
    assert services.customers_inactive_sweep() == 0
    assert stage_of(active) == Stage.CUSTOMER


def test_draft_and_cancelled_orders_do_not_keep_a_customer_active(world):
    lapsed = CustomerFactory(owner=world["rep"], stage=Stage.CUSTOMER)
    placed_order(world, lapsed, days_ago=400)
    placed_order(world, lapsed, days_ago=10, state=SalesOrder.State.CANCELLED)
    placed_order(world, lapsed, days_ago=5, state=SalesOrder.State.DRAFT)
    services.customers_inactive_sweep()
    assert stage_of(lapsed) == Stage.INACTIVE


def test_inactive_sweep_leaves_prospects_and_customers_without_orders(world):
    prospect = CustomerFactory(owner=world["rep"], stage=Stage.PROSPECT)
    placed_order(world, prospect, days_ago=400, state=SalesOrder.State.CANCELLED)
    by_hand = CustomerFactory(owner=world["rep"], stage=Stage.CUSTOMER)
    services.customers_inactive_sweep()
    assert stage_of(prospect) == Stage.PROSPECT
    assert stage_of(by_hand) == Stage.CUSTOMER


def test_inactive_sweep_is_one_update(world, django_assert_num_queries):
    for _ in range(3):
        placed_order(world, CustomerFactory(owner=world["rep"], stage=Stage.REPEAT), days_ago=400)
    with django_assert_num_queries(2):  # the UPDATE and its audit row
        assert services.customers_inactive_sweep() == 3
    with django_assert_num_queries(1):
        assert services.customers_inactive_sweep() == 0


def test_inactive_sweep_runs_as_a_beat_task(world, settings):
    from integration.rules import tasks

    lapsed = CustomerFactory(owner=world["rep"], stage=Stage.CUSTOMER)
    placed_order(world, lapsed, days_ago=400)
    assert tasks.customers_inactive_sweep.delay().get() == 1
    assert stage_of(lapsed) == Stage.INACTIVE
    entry = settings.CELERY_BEAT_SCHEDULE["rules-customers-inactive"]
    assert entry["task"] == tasks.customers_inactive_sweep.name


def test_demo_fulfilment_leaves_customers_and_repeat_customers(
    django_capture_on_commit_callbacks, monkeypatch
):
    from integration.fulfilment import demo

    # This week's orders only: the two years of history would make every customer a repeat one.
    monkeypatch.setattr("integration.fulfilment.demo_history.build_history", lambda ctx: {})
    from integration.setup.demo import DemoContext
    from tests.factories import UserFactory
    from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

    ctx = DemoContext()
    for role in ("sales", "warehouse", "finance", "manager", "purchasing"):
        ctx.users[role] = UserFactory(username=role, roles=[role])
    warehouses = three_warehouses()
    product = ProductFactory()
    supplier = SupplierFactory(default_warehouse=warehouses["SH"], buyer=ctx.users["purchasing"])
    SupplierPriceFactory(supplier_product=SupplierProductFactory(supplier=supplier, product=product))
    for warehouse in warehouses.values():
        receive(product, warehouse, 40)
    customers = [CustomerFactory(owner=ctx.users["sales"], stage=Stage.PROSPECT) for _ in range(4)]
    for customer in customers:  # draft, confirm, ship, pay
        make_order(customer, ctx.users["sales"], (product, 2))
    with django_capture_on_commit_callbacks(execute=True):
        demo.build(ctx)
    assert [stage_of(c) for c in customers] == [Stage.PROSPECT, Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEAT]
