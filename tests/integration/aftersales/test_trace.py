"""The batch trace of a lot: upstream receipts and supplier, downstream customers, stock left."""

from decimal import Decimal

import pytest
from django.utils import timezone

from crm.service import hooks
from integration.aftersales.trace import lot_trace
from integration.fulfilment import shipping
from integration.fulfilment.models import Shipment, ShipmentLine
from scm.inventory import quarantine
from scm.inventory import services as stock
from tests.integration.aftersales.factories import customer_of, received_lot, ship
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, warehouse_user, user_with_role):
    warehouses = three_warehouses()
    lot, receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user)
    return {"wh": warehouses, "lot": lot, "receipt": receipt, "rep": sales_user, "picker": warehouse_user}


def test_the_trace_names_the_receipt_the_order_and_the_supplier(world):
    trace = lot_trace(lot=world["lot"])
    (row,) = trace.upstream
    receipt = world["receipt"]
    assert (row.receipt_number, row.purchase_order_number, row.supplier_name) == (
        receipt.number,
        receipt.purchase_order.number,
        "宏达耗材",
    )
    assert trace.supplier_id == receipt.supplier_id and trace.receipt_numbers == [receipt.number]


def test_the_trace_lists_every_customer_with_contact_and_quantity_net_of_returns(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    customers = [customer_of(world["rep"]) for _ in range(3)]
    for customer, qty in zip(customers, (5, 7, 2), strict=True):
        ship(customer, world["rep"], world["picker"], world["lot"], qty, world["wh"]["SH"], capture)
    first = Shipment.objects.filter(order__customer=customers[0]).get()
    shipping.return_create(
        shipment_line=first.lines.get(),
        quantity="1",
        disposition="restock",
        reason="破损",
        user=world["picker"],
    )
    trace = lot_trace(lot=world["lot"])
    assert sorted((c.customer_id, c.quantity) for c in trace.customers) == sorted(
        [(customers[0].pk, Decimal(4)), (customers[1].pk, Decimal(7)), (customers[2].pk, Decimal(2))]
    )
    card = next(c for c in trace.customers if c.customer_id == customers[1].pk)
    assert card.contact_name == f"{customers[1].name}联系人" and card.contact_phone == "13800000000"
    assert card.owner_id == world["rep"].pk and card.last_shipped_at is not None
    assert len(trace.shipped) == 3 and trace.shipped_quantity == Decimal(13)


def test_the_trace_shows_what_is_left_per_warehouse_with_quarantine_marked(world, warehouse_user):
    lot = world["lot"]
    held_back = quarantine.quarantine_of(world["wh"]["SH"])
    stock.stock_receive(product=lot.product, warehouse=held_back, quantity=4, lot=lot, reference="TEST")
    trace = lot_trace(lot=lot)
    assert {(s.warehouse_code, s.on_hand, s.quarantine) for s in trace.in_stock} == {
        ("SH", Decimal(100), False),
        (held_back.code, Decimal(4), True),
    }


def _shipped_directly(lot, warehouse, customers, rep):
    """Shipped shipment lines of the lot to each customer, written directly (fast, many)."""
    from tests.integration.fulfilment.factories import make_order

    for customer in customers:
        order = make_order(customer, rep, (lot.product, 1))
        shipment = Shipment.objects.create(
            number=f"SH-T-{customer.pk}",
            order=order,
            warehouse=warehouse,
            state=Shipment.State.SHIPPED,
            shipped_at=timezone.now(),
        )
        ShipmentLine.objects.create(
            shipment=shipment,
            order_line=order.lines.get(),
            product=lot.product,
            lot=lot,
            quantity=1,
            picked_quantity=1,
        )


def test_the_trace_takes_the_same_number_of_queries_for_1_and_20_customers(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lot = world["lot"]
    _shipped_directly(lot, world["wh"]["SH"], [customer_of(world["rep"])], world["rep"])
    with CaptureQueriesContext(connection) as one:
        assert len(lot_trace(lot=lot.pk).customers) == 1
    _shipped_directly(lot, world["wh"]["SH"], [customer_of(world["rep"]) for _ in range(19)], world["rep"])
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(lot_trace(lot=lot.pk).customers) == 20
    assert len(one.captured_queries) <= 6


def test_service_asks_what_was_shipped_to_a_customer(world, django_capture_on_commit_callbacks):
    customer, other = customer_of(world["rep"]), customer_of(world["rep"])
    ship(
        customer,
        world["rep"],
        world["picker"],
        world["lot"],
        3,
        world["wh"]["SH"],
        django_capture_on_commit_callbacks,
    )
    found = hooks.shipped_lot(customer_id=customer.pk, lot_id=world["lot"].pk)
    assert found is not None and found.lot_number == "L-JAM-1" and found.quantity == Decimal(3)
    assert found.order_number and found.shipped_on == timezone.localdate()
    assert hooks.shipped_lot(customer_id=other.pk, lot_id=world["lot"].pk) is None
    assert [s.lot_id for s in hooks.shipped_lots(customer_id=customer.pk, search="JAM")] == [world["lot"].pk]
    assert hooks.shipped_lots(customer_id=customer.pk, search="nothing") == []
