"""Receiving against purchase orders: counting, the quality check, posting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.events import names
from core.events.models import Event
from scm.inventory.models import IncomingSupply, Lot, Product, StockLevel, StockMove, Warehouse
from scm.inventory.reservations import stock_reserve
from scm.purchasing import receiving, receiving_quarantine, receiving_selectors
from scm.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    PurchasingSettings,
    Receipt,
    ReceiptLine,
    SupplierReturn,
)
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, lot_product, serial_product
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate() + timedelta(days=365)


@pytest.fixture
def product():
    return ProductFactory(cost=Decimal("0"), barcode="6900000000011")


@pytest.fixture
def order(product):
    return open_purchase_order(lines=[{"product": product, "quantity": Decimal("10")}])


def receive(order, user, *lines, check=None, post=True):
    """Start, count ``lines`` (dicts for ``receipt_add_line``), check and post."""
    receipt = receiving.receipt_start(purchase_order=order, user=user)
    for line in lines:
        receiving.receipt_add_line(receipt=receipt, user=user, **line)
    receiving.receipt_check(receipt=receipt, user=user, results=check or [])
    if post:
        receiving.receipt_post(receipt=receipt, user=user)
    receipt.refresh_from_db()
    return receipt


def on_hand(product, warehouse) -> Decimal:
    return sum(
        (lv.on_hand for lv in StockLevel.objects.filter(product=product, warehouse=warehouse)), Decimal(0)
    )


def test_receipt_numbers_start_with_gr(order, warehouse_user):
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    assert receipt.number.startswith("GR-")
    assert (receipt.supplier_id, receipt.warehouse_id) == (order.supplier_id, order.warehouse_id)


def test_a_closed_or_draft_order_cannot_be_received(order, warehouse_user):
    for state in (PurchaseOrder.State.DRAFT, PurchaseOrder.State.RECEIVED, PurchaseOrder.State.CANCELLED):
        PurchaseOrder.objects.filter(pk=order.pk).update(state=state)
        with pytest.raises(ValidationError) as exc:
            receiving.receipt_start(purchase_order=order, user=warehouse_user)
        assert "purchase_order" in exc.value.message_dict


def test_sales_may_not_receive(order, sales_user):
    with pytest.raises(PermissionDenied):
        receiving.receipt_start(purchase_order=order, user=sales_user)


def test_partial_receipt_leaves_the_remainder_incoming(order, product, warehouse_user):
    receive(order, warehouse_user, {"code": product.barcode, "quantity": "4"})
    order.refresh_from_db()
    line = order.lines.get()
    assert order.state == PurchaseOrder.State.PARTLY_RECEIVED
    assert (line.received_quantity, line.accepted_quantity) == (4, 4)
    assert IncomingSupply.objects.get(reference=line.incoming_reference).quantity == 6
    assert on_hand(product, order.warehouse) == 4


def test_receiving_everything_completes_the_order(order, product, warehouse_user):
    receive(order, warehouse_user, {"product": product, "quantity": "10"})
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.RECEIVED
    assert not IncomingSupply.objects.exists()


def test_a_unit_barcode_counts_in_that_unit(product, warehouse_user):
    ProductUnitFactory(product=product, name="box", factor=Decimal("12"), barcode="BOX-12")
    order = open_purchase_order(lines=[{"product": product, "quantity": Decimal("24")}])
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    line = receiving.receipt_add_line(receipt=receipt, user=warehouse_user, code="BOX-12", quantity="2")
    assert line.quantity == 24


def test_over_receipt_beyond_tolerance_is_refused(order, product, warehouse_user):
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity="11")
    assert "quantity" in exc.value.message_dict
    assert not ReceiptLine.objects.exists()


def test_over_receipt_within_tolerance_is_accepted(order, product, warehouse_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"receipt_tolerance_percent": Decimal("10")})
    receive(order, warehouse_user, {"product": product, "quantity": "11"})
    line = order.lines.get()
    line.refresh_from_db()
    assert line.accepted_quantity == 11


def test_over_receipt_counts_what_the_receipt_already_holds(order, product, warehouse_user):
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity="8")
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity="3")
    assert "quantity" in exc.value.message_dict


def test_a_product_not_on_the_order_is_refused(order, warehouse_user):
    ProductFactory(barcode="OTHER-1")
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(receipt=receipt, user=warehouse_user, code="OTHER-1", quantity="1")
    assert "product" in exc.value.message_dict


def test_a_lot_without_expiry_is_refused_for_a_lot_tracked_product(warehouse_user):
    product = lot_product()
    order = open_purchase_order(lines=[{"product": product}])
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(
            receipt=receipt, user=warehouse_user, product=product, quantity="5", lot_number="L1"
        )
    assert "expiry_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity="5")
    assert "lot_number" in exc.value.message_dict


def test_serial_numbers_are_one_per_line(warehouse_user):
    product = serial_product()
    order = open_purchase_order(lines=[{"product": product, "quantity": Decimal("2")}])
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(
            receipt=receipt, user=warehouse_user, product=product, quantity="2", lot_number="SN1"
        )
    assert "quantity" in exc.value.message_dict
    receiving.receipt_add_line(
        receipt=receipt, user=warehouse_user, product=product, quantity="1", lot_number="SN1"
    )
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(
            receipt=receipt, user=warehouse_user, product=product, quantity="1", lot_number="SN1"
        )
    assert "lot_number" in exc.value.message_dict
    receiving.receipt_add_line(
        receipt=receipt, user=warehouse_user, product=product, quantity="1", lot_number="SN2"
    )
    receiving.receipt_check(receipt=receipt, user=warehouse_user)
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert set(Lot.objects.filter(product=product).values_list("number", flat=True)) == {"SN1", "SN2"}


def test_rejected_goods_land_in_quarantine_and_are_never_reserved(order, product, warehouse_user):
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "10"}, post=False)
    line = receipt.lines.get()
    receiving.receipt_check(
        receipt=receipt,
        user=warehouse_user,
        results=[
            {"line": line.pk, "accepted_quantity": "7", "rejected_quantity": "3", "reject_reason": "dented"}
        ],
    )
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    holding = Warehouse.objects.get(site=order.warehouse)
    assert holding.kind == Warehouse.Kind.QUARANTINE
    assert on_hand(product, holding) == 3 and on_hand(product, order.warehouse) == 7
    allocations = stock_reserve(product=product, quantity=10, demand="t:1")
    assert sum(a.quantity for a in allocations) == 7
    assert all(a.warehouse_id == order.warehouse_id for a in allocations)
    order.refresh_from_db()
    po_line = order.lines.get()
    assert (po_line.received_quantity, po_line.accepted_quantity) == (10, 7)
    # Rejected goods are owed again: the order stays open for them.
    assert order.state == PurchaseOrder.State.PARTLY_RECEIVED
    assert IncomingSupply.objects.get().quantity == 3


def test_a_rejection_needs_a_reason(order, product, warehouse_user):
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "10"}, post=False)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_check(
            receipt=receipt,
            user=warehouse_user,
            results=[{"line": receipt.lines.get().pk, "accepted_quantity": "7", "rejected_quantity": "3"}],
        )
    assert "reject_reason" in exc.value.message_dict


def test_accepted_and_rejected_must_make_the_received_quantity(order, product, warehouse_user):
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "10"}, post=False)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_check(
            receipt=receipt,
            user=warehouse_user,
            results=[
                {
                    "line": receipt.lines.get().pk,
                    "accepted_quantity": "7",
                    "rejected_quantity": "2",
                    "reject_reason": "x",
                }
            ],
        )
    assert "accepted_quantity" in exc.value.message_dict


def test_goods_to_return_leave_quarantine_on_a_return_document(order, product, warehouse_user):
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "10"}, post=False)
    receiving.receipt_check(
        receipt=receipt,
        user=warehouse_user,
        results=[
            {
                "line": receipt.lines.get().pk,
                "accepted_quantity": "6",
                "rejected_quantity": "4",
                "reject_reason": "wrong colour",
                "reject_action": "return",
            }
        ],
    )
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    rtv = SupplierReturn.objects.get()
    assert rtv.number.startswith("RTV-") and rtv.receipt == receipt and rtv.supplier_id == order.supplier_id
    assert rtv.lines.get().quantity == 4
    holding = Warehouse.objects.get(site=order.warehouse)
    assert on_hand(product, holding) == 0
    out = StockMove.objects.get(reference=rtv.number)
    assert (out.kind, out.quantity, out.warehouse_id) == (StockMove.Kind.RETURN, -4, holding.pk)


def test_quarantined_goods_can_be_released_or_returned_later(order, product, warehouse_user):
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "10"}, post=False)
    receiving.receipt_check(
        receipt=receipt,
        user=warehouse_user,
        results=[{"line": receipt.lines.get().pk, "rejected_quantity": "5", "reject_reason": "to inspect"}],
    )
    receiving.receipt_post(receipt=receipt, user=warehouse_user)
    level = StockLevel.objects.get(warehouse__site=order.warehouse, product=product)
    receiving_quarantine.quarantine_accept(level_id=level.pk, quantity="2", user=warehouse_user)
    assert on_hand(product, order.warehouse) == 7
    # Accepted after re-inspection: the order line has it, and it is no longer expected.
    assert order.lines.get().accepted_quantity == 7
    assert IncomingSupply.objects.get().quantity == 3
    assert Event.objects.filter(name=names.STOCK_AVAILABLE, payload__reason="quarantine_release").exists()
    rtv = receiving_quarantine.quarantine_return_to_supplier(
        level_id=level.pk, quantity="3", reason="broken", user=warehouse_user
    )
    assert rtv.supplier_id == order.supplier_id and rtv.purchase_order_id == order.pk
    level.refresh_from_db()
    assert level.on_hand == 0


def test_accepted_goods_are_costed_at_the_order_price(warehouse_user):
    product = ProductFactory(cost=Decimal("40"))
    from scm.inventory.services import stock_receive

    stock_receive(
        product=product, warehouse=Warehouse.objects.create(code="OLD", name="old"), quantity=10, unit_cost=40
    )
    order = open_purchase_order(
        lines=[{"product": product, "quantity": Decimal("10"), "unit_price": Decimal("60")}]
    )
    receive(order, warehouse_user, {"product": product, "quantity": "10"})
    product.refresh_from_db()
    assert product.cost == Decimal("50.0000")
    assert StockMove.objects.filter(reference__startswith="GR-").get().unit_cost == Decimal("60")


def test_the_order_price_per_base_unit_for_an_order_in_boxes(warehouse_user):
    product = ProductFactory(cost=Decimal("0"))
    box = ProductUnitFactory(product=product, name="box", factor=Decimal("12"))
    order = open_purchase_order(
        lines=[
            {
                "product": product,
                "unit": box,
                "quantity": Decimal("2"),
                "base_quantity": Decimal("24"),
                "unit_price": Decimal("120"),
            }
        ]
    )
    receive(order, warehouse_user, {"product": product, "quantity": "24"})
    product.refresh_from_db()
    assert product.cost == Decimal("10.0000")


def test_posting_publishes_stock_received_with_the_demands(product, warehouse_user):
    order = open_purchase_order(
        lines=[
            {"product": product, "demand": "sales.orderline:42"},
            {"product": ProductFactory(), "demand": ""},
        ]
    )
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "10"})
    event = Event.objects.get(name=names.STOCK_RECEIVED)
    assert event.payload == {
        "receipt_id": receipt.pk,
        "purchase_order_id": order.pk,
        "supplier_id": order.supplier_id,
        "warehouse_id": order.warehouse_id,
        "product_ids": [product.pk],
        "demands": ["sales.orderline:42"],
    }
    # The receipt's own stock is announced by stock.received, not by stock.available.
    assert not Event.objects.filter(name=names.STOCK_AVAILABLE, payload__reference=receipt.number).exists()


def test_a_lot_traces_back_to_receipt_order_and_supplier(warehouse_user):
    product = lot_product()
    order = open_purchase_order(lines=[{"product": product}])
    receipt = receive(
        order,
        warehouse_user,
        {"product": product, "quantity": "10", "lot_number": "B-7", "expiry_date": NEXT_YEAR},
    )
    lot = Lot.objects.get(product=product, number="B-7")
    assert lot.source_reference == receipt.number
    assert order.supplier.code in lot.supplier_reference
    assert receipt.lines.get().lot == lot
    assert receiving_selectors.lot_origin(lot.pk) == {
        "receipt": receipt,
        "purchase_order": order,
        "supplier": order.supplier,
    }


def test_posting_twice_is_refused_and_counts_once(order, product, warehouse_user):
    receipt = receive(order, warehouse_user, {"product": product, "quantity": "4"})
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert "state" in exc.value.message_dict
    assert on_hand(product, order.warehouse) == 4
    assert PurchaseOrderLine.objects.get(order=order).received_quantity == 4


def test_posting_needs_the_check(order, product, warehouse_user):
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=product, quantity="4")
    with pytest.raises(ValidationError):
        receiving.receipt_post(receipt=receipt, user=warehouse_user)
    assert receipt.lines.get().accepted_quantity is None


def test_the_order_timeline_records_the_receipt(order, product, warehouse_user):
    receive(order, warehouse_user, {"product": product, "quantity": "4"})
    assert list(PurchaseOrderEvent.objects.filter(order=order).values_list("kind", flat=True)) == [
        "receipt_started",
        "receipt_posted",
    ]


def test_an_expired_lot_is_refused(warehouse_user):
    product = lot_product()
    order = open_purchase_order(lines=[{"product": product}])
    receipt = receiving.receipt_start(purchase_order=order, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_add_line(
            receipt=receipt,
            user=warehouse_user,
            product=product,
            quantity="1",
            lot_number="OLD",
            expiry_date=timezone.localdate() - timedelta(days=1),
        )
    assert "expiry_date" in exc.value.message_dict
    assert Receipt.objects.get().state == Receipt.State.COUNTING
    assert Product.objects.get(pk=product.pk).lots.count() == 0


def test_two_receipts_counted_side_by_side_cannot_together_exceed_the_tolerance(
    order, product, warehouse_user
):
    first = receive(order, warehouse_user, {"product": product, "quantity": "8"}, post=False)
    second = receive(order, warehouse_user, {"product": product, "quantity": "8"}, post=False)
    receiving.receipt_post(receipt=first, user=warehouse_user)
    with pytest.raises(ValidationError) as exc:
        receiving.receipt_post(receipt=second, user=warehouse_user)
    assert "quantity" in exc.value.message_dict
    second.refresh_from_db()
    assert second.state == Receipt.State.CHECKING
    assert on_hand(product, order.warehouse) == 8
