"""The procure-to-pay loop on PostgreSQL with a real Celery worker, step by step: orders that
cannot be fully reserved run short, the planner suggests a purchase from the preferred supplier
and tells its buyer, the order is placed from that suggestion in one click, approved and e-mailed, shows as
incoming supply, is received in part (a lot with its expiry, a rejected quantity held in
quarantine), the worker serves the waiting orders from the receipt (never from quarantine),
the supplier bills what was accepted (matched three ways) and is paid. Each step checks the
stock levels against the ledger, the receipt's cost, what is owed to the supplier and the
supplier's scorecard."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from core.events.models import Notification
from crm.sales.models import SalesOrder, SalesOrderLine
from finance.payables.bills import bill_create
from finance.payables.models import Bill, BillLine
from finance.payables.payments import supplier_payment_record
from finance.payables.selectors import ap_aging, supplier_balance
from integration.fulfilment import services as fulfilment
from integration.fulfilment.models import Backorder, ReservationRun
from integration.planning.models import Suggestion
from integration.planning.services import suggestions_accept as accept_suggestions
from scm.inventory import services as stock
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import Product, StockLevel, StockMove, Warehouse
from scm.inventory.selectors import available_to_promise
from scm.purchasing import orders as po_services
from scm.purchasing import receiving
from scm.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEmail,
    PurchaseOrderLine,
    PurchasingSettings,
    Receipt,
    ReceiptLine,
)
from scm.purchasing.scorecard import supplier_scorecard
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, three_warehouses
from tests.scm.inventory.factories import lot_product
from tests.scm.purchasing.factories import (
    SupplierContactFactory,
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
)
from tests.worker import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

S = SalesOrder.State
P = PurchaseOrder.State
PRICE = Decimal("30.0000")  # the supplier's price per unit
OPENING_COST = Decimal("40.0000")  # what the stock on hand before the loop cost


# --- the world --------------------------------------------------------------------------------


@pytest.fixture
def world():
    """Shanghai holds 4 units (lot L0) of a lot-tracked product its preferred supplier sells in
    packs of 10, at least 30, for 30.00 a unit, 7 days after ordering; the supplier's buyer,
    a manager who approves orders above 500, a sales rep, a receiver."""
    warehouses = three_warehouses()
    sh = warehouses["SH"]
    buyer = UserFactory(roles=["purchasing"])
    product = lot_product(list_price=Decimal("80.00"), cost=Decimal("0"))
    stock.stock_receive(
        product=product,
        warehouse=sh,
        quantity=4,
        unit_cost=OPENING_COST,
        lot_number="L0",
        expiry_date=timezone.localdate() + timedelta(days=90),
        reference="OPENING",
    )
    supplier = SupplierFactory(buyer=buyer, default_warehouse=sh, payment_terms_days=30)
    SupplierContactFactory(supplier=supplier, email="orders@supplier.example.com")
    sp = SupplierProductFactory(
        supplier=supplier,
        product=product,
        pack_size=Decimal("10"),
        min_order_quantity=Decimal("30"),
        lead_time_days=7,
    )
    SupplierPriceFactory(supplier_product=sp, unit_price=PRICE)
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("500")})
    rep = UserFactory(roles=["sales"])
    return SimpleNamespace(
        sh=sh,
        product=product,
        supplier=supplier,
        buyer=buyer,
        manager=UserFactory(roles=["manager"]),
        rep=rep,
        receiver=UserFactory(roles=["warehouse"]),
        customer=CustomerFactory(owner=rep),
    )


# --- the checks at each step ------------------------------------------------------------------


def levels(product, kind=Warehouse.Kind.STOCK) -> tuple[Decimal, Decimal]:
    """(on hand, reserved) of ``product`` over the warehouses of ``kind``."""
    agg = StockLevel.objects.filter(product=product, warehouse__kind=kind).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    return agg["on_hand"] or Decimal(0), agg["reserved"] or Decimal(0)


def check_stock(w, *, on_hand, reserved, quarantined=0) -> None:
    """The stock levels are as given, quarantine holds nothing reserved, and every level
    equals the ledger."""
    assert levels(w.product) == (on_hand, reserved)
    assert levels(w.product, Warehouse.Kind.QUARANTINE) == (quarantined, 0)
    assert stock_differences() == []


def check_promise(w, *, on_hand, reserved, incoming) -> None:
    """Shanghai's available-to-promise row, its incoming supply with the expected dates."""
    row = next(r for r in available_to_promise(product_id=w.product.pk) if r["warehouse"].pk == w.sh.pk)
    assert (row["on_hand"], row["reserved"], row["available"]) == (on_hand, reserved, on_hand - reserved)
    assert row["incoming"] == incoming
    assert all(
        r["warehouse"].kind == Warehouse.Kind.STOCK for r in available_to_promise(product_id=w.product.pk)
    )


def check_owed(w, amount: Decimal) -> None:
    """What is owed to the supplier (its balance) and the aging (all current, nothing overdue)."""
    balance = supplier_balance(supplier_id=w.supplier.pk)
    assert (balance["open"], balance["overdue"], balance["on_hold"], balance["balance"]) == (
        amount,
        0,
        0,
        amount,
    )
    aging = ap_aging(supplier_id=w.supplier.pk)
    assert aging["totals"]["total"] == amount
    assert aging["totals"]["current"] == amount
    assert [row["supplier_id"] for row in aging["suppliers"]] == ([w.supplier.pk] if amount else [])


def check_scorecard(w, *, receipts, received, accepted, quality_rate, on_time_rate) -> None:
    card = supplier_scorecard(w.supplier.pk)
    assert card["receipts"] == receipts
    assert (card["received_quantity"], card["accepted_quantity"]) == (received, accepted)
    assert card["quality_rate"] == quality_rate
    assert card["on_time_rate"] == on_time_rate


def order_state(order) -> str:
    return SalesOrder.objects.values_list("state", flat=True).get(pk=order.pk)


def reserved_of(order) -> Decimal:
    return SalesOrderLine.objects.get(order=order).reserved_quantity


def backordered(order) -> Decimal:
    return Backorder.objects.get(order=order).quantity


def product_cost(w) -> Decimal:
    return Product.objects.values_list("cost", flat=True).get(pk=w.product.pk)


# --- the steps --------------------------------------------------------------------------------


def step_shortage(w, worker) -> tuple[SalesOrder, SalesOrder]:
    """Order A wants 24 of the 4 there are, order B 10 more: the worker reserves what there is
    and puts the rest (20 and 10) on backorder; the shortage tells the supplier's buyer once."""
    order_a = make_order(w.customer, w.rep, (w.product, 24))
    fulfilment.order_confirm(order=order_a, user=w.rep)
    wait_for(lambda: ReservationRun.objects.filter(order=order_a).exists(), worker)
    order_b = make_order(w.customer, w.rep, (w.product, 10))
    fulfilment.order_confirm(order=order_b, user=w.rep)
    wait_for(lambda: ReservationRun.objects.filter(order=order_b).exists(), worker)
    assert (order_state(order_a), reserved_of(order_a), backordered(order_a)) == (S.PARTLY_RESERVED, 4, 20)
    assert (order_state(order_b), reserved_of(order_b), backordered(order_b)) == (S.CONFIRMED, 0, 10)
    check_stock(w, on_hand=4, reserved=4)
    check_promise(w, on_hand=4, reserved=4, incoming=[])
    wait_for(lambda: Notification.objects.filter(kind="replenish").exists(), worker)
    return order_a, order_b


def step_buyer_told(w) -> Suggestion:
    """The buyer alone is told, once, with a link to the suggestions: a purchase from the
    preferred supplier of the shortage rounded up to the minimum order (30)."""
    note = Notification.objects.get(kind="replenish")
    assert note.user_id == w.buyer.pk
    assert urlparse(note.url).path == "/planning/suggestions/"
    suggestion = Suggestion.objects.get(product=w.product, state=Suggestion.State.OPEN)
    assert (suggestion.kind, suggestion.supplier, suggestion.warehouse) == ("purchase", w.supplier, w.sh)
    assert (suggestion.order_quantity, suggestion.trigger) == (Decimal(30), Suggestion.Trigger.SHORTAGE)
    return suggestion


def step_order_placed(w, suggestion: Suggestion, worker) -> PurchaseOrder:
    """The buyer accepts the suggestion: a draft order priced from the supplier's list,
    expected after the lead time; above the threshold it waits for the manager, who approves
    it; sent, its e-mail goes out from the worker; its line is incoming supply with its date."""
    (po,) = accept_suggestions(ids=[suggestion.pk], user=w.buyer).purchase_orders
    line = po.lines.get()
    expected = timezone.localdate() + timedelta(days=7)
    assert (line.quantity, line.unit_price, line.expected_date) == (30, PRICE, expected)
    assert (po.warehouse_id, po.subtotal, po.total) == (w.sh.pk, Decimal("900.00"), Decimal("1017.00"))
    check_promise(w, on_hand=4, reserved=4, incoming=[])  # a draft brings nothing yet
    po_services.purchase_order_submit(order=po, user=w.buyer)
    assert po.state == P.TO_APPROVE
    check_promise(w, on_hand=4, reserved=4, incoming=[])
    assert Notification.objects.filter(user=w.manager, kind="po_to_approve").exists()
    po_services.purchase_order_approve(order=po, user=w.manager)
    assert po.state == P.APPROVED
    po_services.purchase_order_send(order=po, user=w.buyer)
    assert PurchaseOrder.objects.get(pk=po.pk).state == P.SENT
    email = PurchaseOrderEmail.objects.get(order=po)
    assert email.recipient == "orders@supplier.example.com"
    wait_for(
        lambda: PurchaseOrderEmail.objects.get(pk=email.pk).state == PurchaseOrderEmail.State.SENT, worker
    )
    check_promise(w, on_hand=4, reserved=4, incoming=[{"quantity": Decimal(30), "expected_date": expected}])
    check_stock(w, on_hand=4, reserved=4)
    check_owed(w, Decimal("0.00"))
    check_scorecard(w, receipts=0, received=0, accepted=0, quality_rate=None, on_time_rate=None)
    return po


def step_partial_receipt(w, po: PurchaseOrder) -> Receipt:
    """25 of the 30 arrive (lot L1 with its expiry); 3 fail the check (damaged) and go to
    quarantine, 22 go into stock at the order's price; the order is partly received."""
    line = po.lines.get()
    receipt = receiving.receipt_start(purchase_order=po, user=w.receiver, delivery_note="DN-77")
    expiry = timezone.localdate() + timedelta(days=365)
    counted = receiving.receipt_add_line(
        receipt=receipt, user=w.receiver, product=w.product, quantity=25, lot_number="L1", expiry_date=expiry
    )
    with pytest.raises(ValidationError) as over:
        receiving.receipt_check(
            receipt=receipt,
            user=w.receiver,
            results=[{"line": counted.pk, "rejected_quantity": "3", "reject_reason": ""}],
        )
    assert "reject_reason" in over.value.message_dict
    receiving.receipt_check(
        receipt=receipt,
        user=w.receiver,
        results=[{"line": counted.pk, "rejected_quantity": "3", "reject_reason": "Cartons crushed"}],
    )
    receiving.receipt_post(receipt=receipt, user=w.receiver)
    counted = ReceiptLine.objects.select_related("lot").get(pk=counted.pk)
    assert (counted.accepted_quantity, counted.rejected_quantity, counted.reject_reason) == (
        22,
        3,
        "Cartons crushed",
    )
    assert (counted.lot.number, counted.lot.expiry_date) == ("L1", expiry)
    line.refresh_from_db()
    assert (line.received_quantity, line.accepted_quantity, line.open_quantity) == (25, 22, 8)
    assert PurchaseOrder.objects.get(pk=po.pk).state == P.PARTLY_RECEIVED
    return Receipt.objects.get(pk=receipt.pk)


def check_receipt_ledger(w, receipt: Receipt) -> None:
    """The receipt's moves at the order's price, into stock and into quarantine, and the moving
    average: 4 at 40 and 22 at 30, then 3 more at 30 (quarantined goods are on hand, valued)."""
    moves = StockMove.objects.filter(reference=receipt.number, kind=StockMove.Kind.RECEIPT)
    assert sorted(moves.values_list("warehouse__kind", "quantity", "unit_cost", "lot__number")) == [
        (Warehouse.Kind.QUARANTINE, 3, PRICE, "L1"),
        (Warehouse.Kind.STOCK, 22, PRICE, "L1"),
    ]
    after_stock = ((OPENING_COST * 4 + PRICE * 22) / 26).quantize(Decimal("0.0001"))
    assert product_cost(w) == ((after_stock * 26 + PRICE * 3) / 29).quantize(Decimal("0.0001"))


def step_backorders_served(w, order_a, order_b, worker) -> None:
    """The worker serves the waiting orders from the receipt: A (first confirmed) gets its 20
    and is reserved, B the 2 left; the 3 in quarantine stay unreserved though B still waits for
    8. The remaining 8 show as incoming."""
    wait_for(lambda: order_state(order_a) == S.RESERVED and reserved_of(order_b) == 2, worker)
    assert (reserved_of(order_a), backordered(order_a)) == (24, 0)
    assert (order_state(order_b), backordered(order_b)) == (S.PARTLY_RESERVED, 8)
    assert order_a.events.filter(kind="backorder_served").count() == 1
    check_stock(w, on_hand=26, reserved=26, quarantined=3)
    expected = timezone.localdate() + timedelta(days=7)
    check_promise(w, on_hand=26, reserved=26, incoming=[{"quantity": Decimal(8), "expected_date": expected}])


def step_billed(w, po: PurchaseOrder) -> Bill:
    """The supplier bills what was accepted (not the rejected 3): matched three ways at the
    order's price, owed after its payment terms."""
    line = PurchaseOrderLine.objects.get(order=po)
    with pytest.raises(ValidationError) as too_much:
        bill_create(
            supplier=w.supplier, supplier_invoice_number="INV-1", lines=[{"po_line": line, "quantity": 25}]
        )
    assert "quantity" in too_much.value.message_dict
    bill = bill_create(
        supplier=w.supplier,
        supplier_invoice_number="INV-1",
        lines=[{"po_line": line, "quantity": 22}],
        user=w.buyer,
    )
    assert (bill.state, bill.purchase_order_id) == (Bill.State.MATCHED, po.pk)
    assert (bill.subtotal, bill.tax_total, bill.total) == (
        Decimal("660.00"),
        Decimal("85.80"),
        Decimal("745.80"),
    )
    assert bill.due_date == bill.issue_date + timedelta(days=30)
    bill_line = bill.lines.get()
    assert (bill_line.match, bill_line.expected_amount, bill_line.net_amount) == (
        BillLine.Match.MATCHED,
        Decimal("660.00"),
        Decimal("660.00"),
    )
    assert PurchaseOrderLine.objects.get(pk=line.pk).billed_quantity == 22
    check_owed(w, Decimal("745.80"))
    return bill


def step_paid(w, bill: Bill) -> None:
    supplier_payment_record(supplier=w.supplier, amount="745.80", reference="BANK-9", user=w.buyer)
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (Bill.State.PAID, Decimal("745.80"))
    check_owed(w, Decimal("0.00"))


# --- the loop ---------------------------------------------------------------------------------


def test_procure_to_pay_from_shortage_to_paid_bill(world, celery_worker_process):
    w, worker = world, celery_worker_process
    check_stock(w, on_hand=4, reserved=0)
    assert product_cost(w) == OPENING_COST

    order_a, order_b = step_shortage(w, worker)
    suggestion = step_buyer_told(w)
    po = step_order_placed(w, suggestion, worker)

    receipt = step_partial_receipt(w, po)
    check_receipt_ledger(w, receipt)
    check_scorecard(
        w,
        receipts=1,
        received=25,
        accepted=22,
        quality_rate=Decimal("0.8800"),
        on_time_rate=Decimal("1.0000"),
    )
    step_backorders_served(w, order_a, order_b, worker)

    bill = step_billed(w, po)
    step_paid(w, bill)
    check_stock(w, on_hand=26, reserved=26, quarantined=3)
    check_scorecard(
        w,
        receipts=1,
        received=25,
        accepted=22,
        quality_rate=Decimal("0.8800"),
        on_time_rate=Decimal("1.0000"),
    )
    assert Notification.objects.filter(kind="replenish").count() == 1
