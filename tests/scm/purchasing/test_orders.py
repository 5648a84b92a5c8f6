"""Purchase order services: lines priced by the supplier's price, approval above the threshold,
the state machine's refusals, and incoming supply in step with the order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.models import AuditLog
from scm.inventory.models import IncomingSupply
from scm.purchasing import orders
from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchasingSettings
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierFactory
from tests.scm.purchasing.orders_helpers import draft_order, supplier_with_product

pytestmark = pytest.mark.django_db
P = PurchaseOrder.State


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_create_prices_the_line_from_the_supplier_and_dates_it_by_lead_time(purchasing_user):
    order, product = draft_order(purchasing_user, quantity="10", price="12.5", lead_time_days=5)
    line = order.lines.get()
    assert line.unit_price == Decimal("12.5")
    assert line.net_amount == Decimal("125.00")
    assert line.tax_amount == Decimal("16.25")
    assert line.expected_date == order.order_date + timedelta(days=5)
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("125"),
        Decimal("16.25"),
        Decimal("141.25"),
    )
    assert order.owner == purchasing_user and order.warehouse_id == order.supplier.default_warehouse_id


def test_an_inactive_supplier_is_a_field_error(purchasing_user):
    supplier = SupplierFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        orders.purchase_order_create(supplier=supplier, user=purchasing_user)
    assert "supplier" in exc.value.message_dict
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "0"),
        ("quantity", "-1"),
        ("quantity", "NaN"),
        ("unit_price", "-1"),
        ("expected_date", "2026-02-31"),
    ],
)
def test_bad_line_input_is_a_field_error_and_writes_nothing(purchasing_user, field, value):
    supplier, product = supplier_with_product()
    line = {"product": product, "quantity": "5", field: value}
    with pytest.raises(ValidationError) as exc:
        orders.purchase_order_create(supplier=supplier, user=purchasing_user, lines=[line])
    assert f"lines[0].{field}" in exc.value.message_dict
    assert not PurchaseOrder.objects.exists()


def test_adding_a_bad_line_leaves_the_order_as_it_was(purchasing_user):
    order, product = draft_order(purchasing_user)
    with pytest.raises(ValidationError):
        orders.purchase_order_line_add(order=order, user=purchasing_user, product=product, quantity="0")
    assert order.lines.count() == 1


def test_a_product_without_a_supplier_price_needs_a_price(purchasing_user):
    order, _ = draft_order(purchasing_user)
    other = ProductFactory()
    with pytest.raises(ValidationError) as exc:
        orders.purchase_order_line_add(order=order, user=purchasing_user, product=other, quantity="1")
    assert "unit_price" in exc.value.message_dict
    line = orders.purchase_order_line_add(
        order=order, user=purchasing_user, product=other, quantity="1", unit_price="7"
    )
    assert line.unit_price == Decimal("7")


def test_lines_change_the_totals(purchasing_user):
    order, product = draft_order(purchasing_user, quantity="10", price="10")
    line = order.lines.get()
    orders.purchase_order_line_update(line=line, user=purchasing_user, quantity="20")
    order.refresh_from_db()
    assert order.subtotal == Decimal("200.00")
    orders.purchase_order_line_remove(line=line, user=purchasing_user)
    order.refresh_from_db()
    assert order.total == 0


def test_below_the_threshold_submitting_approves(purchasing_user):
    order, _ = draft_order(purchasing_user, quantity="10", price="10")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    order.refresh_from_db()
    assert order.state == P.APPROVED


def test_above_the_threshold_the_order_waits_and_managers_are_told(purchasing_user, manager_user):
    from core.events.models import Notification

    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    order.refresh_from_db()
    assert order.state == P.TO_APPROVE
    assert Notification.objects.filter(user=manager_user, kind="po_to_approve").count() == 1


def test_only_a_manager_approves_and_the_approval_is_audited(purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    with pytest.raises(PermissionDenied):
        orders.purchase_order_approve(order=order, user=purchasing_user)
    orders.purchase_order_approve(order=order, user=manager_user)
    order.refresh_from_db()
    assert order.state == P.APPROVED and order.approved_by == manager_user and order.approved_at
    assert AuditLog.objects.filter(
        action="purchasing.po.approve", actor=manager_user, object_id=str(order.pk)
    ).exists()


def test_reject_needs_a_reason_and_returns_to_draft(purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    with pytest.raises(ValidationError):
        orders.purchase_order_reject(order=order, user=manager_user, reason=" ")
    orders.purchase_order_reject(order=order, user=manager_user, reason="太贵")
    order.refresh_from_db()
    assert order.state == P.DRAFT


def test_another_buyer_may_not_change_the_order(purchasing_user, user_with_role):
    order, product = draft_order(purchasing_user)
    with pytest.raises(PermissionDenied):
        orders.purchase_order_line_add(
            order=order, user=user_with_role("purchasing"), product=product, quantity="1"
        )


def test_a_sent_order_cannot_be_edited(purchasing_user):
    order, product = draft_order(purchasing_user, quantity="1", price="1")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    with pytest.raises(ValidationError) as exc:
        orders.purchase_order_line_add(order=order, user=purchasing_user, product=product, quantity="1")
    assert "state" in exc.value.message_dict


def test_a_draft_cannot_be_sent_or_closed(purchasing_user):
    order, _ = draft_order(purchasing_user)
    with pytest.raises(ValidationError):
        orders.purchase_order_send(order=order, user=purchasing_user)
    with pytest.raises(ValidationError):
        orders.purchase_order_close(order=order, user=purchasing_user)


def test_an_empty_draft_cannot_be_submitted(purchasing_user):
    supplier, _ = supplier_with_product()
    order = orders.purchase_order_create(supplier=supplier, user=purchasing_user)
    with pytest.raises(ValidationError) as exc:
        orders.purchase_order_submit(order=order, user=purchasing_user)
    assert "lines" in exc.value.message_dict


def test_a_sent_order_brings_incoming_supply_with_its_date(purchasing_user):
    order, product = draft_order(purchasing_user, quantity="8", price="1", lead_time_days=3)
    assert not IncomingSupply.objects.exists()
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    incoming = IncomingSupply.objects.get(product=product)
    assert incoming.quantity == Decimal("8")
    assert incoming.expected_date == timezone.localdate() + timedelta(days=3)


def test_cancelling_withdraws_incoming_supply_and_needs_a_reason(purchasing_user):
    order, product = draft_order(purchasing_user, quantity="8", price="1")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    with pytest.raises(ValidationError) as exc:
        orders.purchase_order_cancel(order=order, user=purchasing_user, reason="")
    assert "reason" in exc.value.message_dict
    orders.purchase_order_cancel(order=order, user=purchasing_user, reason="供应商停产")
    assert not IncomingSupply.objects.filter(product=product, quantity__gt=0).exists()


def test_an_order_with_goods_received_cannot_be_cancelled_but_can_be_closed(purchasing_user):
    order, product = draft_order(purchasing_user, quantity="8", price="1")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    PurchaseOrderLine.objects.filter(order=order).update(received_quantity=3, accepted_quantity=3)
    PurchaseOrder.objects.filter(pk=order.pk).update(state=P.PARTLY_RECEIVED)
    with pytest.raises(ValidationError):
        orders.purchase_order_cancel(order=order, user=purchasing_user, reason="x")
    orders.purchase_order_close(order=order, user=purchasing_user, reason="余下不要了")
    order.refresh_from_db()
    assert order.state == P.CLOSED and order.closed_at
    assert not IncomingSupply.objects.filter(product=product, quantity__gt=0).exists()


def test_changing_an_order_waiting_for_approval_sends_it_back_to_draft(purchasing_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_line_update(line=order.lines.get(), user=purchasing_user, quantity="20")
    order.refresh_from_db()
    assert order.state == P.DRAFT


def test_every_step_is_on_the_timeline(purchasing_user):
    order, _ = draft_order(purchasing_user, quantity="1", price="1")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    orders.purchase_order_send(order=order, user=purchasing_user)
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[:3] == ["created", "approved", "sent"]
