"""Purchase order services: create, change lines, submit (approval above the threshold),
approve / reject (managers), send (PDF e-mailed to the supplier through the outbox), cancel and
close. Each is one transaction that locks the order's row, audits the change, writes a timeline
entry (``PurchaseOrderEvent``) and keeps the order's incoming supply in step
(``incoming.order_incoming_sync``). Bad input raises one ``ValidationError`` naming the field
and writes nothing; a user the act rule (``selectors``) refuses gets ``PermissionDenied``.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.dates import date_input
from core.db import atomic_with_retry
from core.i18n import message_text
from core.money import MAX_AMOUNT, decimal_input, money
from core.money import unit_price as money_unit_price
from core.numbers import document_number
from scm.inventory.models import Product, ProductUnit
from scm.inventory.services import to_base_quantity
from scm.purchasing import pricing, selectors
from scm.purchasing.incoming import order_incoming_sync
from scm.purchasing.models import (
    EDITABLE_STATES,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    PurchasingSettings,
    Supplier,
)

P = PurchaseOrder.State
ZERO = Decimal(0)
UNSET = object()
MAX_LINES = 200


# --- helpers ----------------------------------------------------------------------------------


def _check_act(user, order: PurchaseOrder) -> None:
    if not selectors.can_act_on(user, order):
        raise PermissionDenied(_("Only the buyer or a manager may change this purchase order."))


def _check_approver(user) -> None:
    if not selectors.can_approve(user):
        raise PermissionDenied(_("Only a manager may approve or reject a purchase order."))


def _checked_reference(reference) -> str:
    """The supplier's reference as stored: stripped, and no longer than its column."""
    reference = (reference or "").strip()
    limit = PurchaseOrder._meta.get_field("supplier_reference").max_length
    if len(reference) > limit:
        raise ValidationError({"supplier_reference": _("At most %(n)s characters.") % {"n": limit}})
    return reference


def _lock(order: PurchaseOrder, states=None, message: str = "") -> PurchaseOrder:
    locked = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if states is not None and locked.state not in states:
        raise ValidationError({"state": message})
    return locked


def _event(order: PurchaseOrder, kind: str, text: str, user, params: dict | None = None) -> None:
    PurchaseOrderEvent.objects.create(
        order_id=order.pk, kind=kind, text=text, data={"params": params} if params else {}, user=user
    )


def event_text(event: PurchaseOrderEvent) -> str:
    """A timeline entry in the active language."""
    return message_text(event.text, (event.data or {}).get("params"))


def _set(order: PurchaseOrder, locked: PurchaseOrder, **fields) -> None:
    """Write ``fields`` to the order and copy them (and what the lock read) to the caller's."""
    PurchaseOrder.objects.filter(pk=order.pk).update(updated_at=timezone.now(), **fields)
    for name in ("state", "approved_by_id", "approved_at", "sent_at", "closed_at", "cancel_reason"):
        setattr(order, name, getattr(locked, name))
    for name, value in fields.items():
        setattr(order, name, value)


def _totals(order: PurchaseOrder) -> None:
    sums = PurchaseOrderLine.objects.filter(order_id=order.pk).aggregate(
        n=Sum("net_amount"), t=Sum("tax_amount")
    )
    subtotal, tax = money(sums["n"] or ZERO), money(sums["t"] or ZERO)
    fields = {"subtotal": subtotal, "tax_total": tax, "total": money(subtotal + tax)}
    PurchaseOrder.objects.filter(pk=order.pk).update(**fields)
    for name, value in fields.items():
        setattr(order, name, value)


def _check_supplier(supplier) -> Supplier:
    if supplier is None:
        raise ValidationError({"supplier": _("Choose a supplier.")})
    if not supplier.is_active:
        raise ValidationError({"supplier": _("This supplier is inactive: no new orders can be placed.")})
    return supplier


def _edited(order: PurchaseOrder, locked: PurchaseOrder, user) -> None:
    """An order waiting for approval that is changed goes back to draft (the manager would
    otherwise approve something other than what they saw)."""
    if locked.state == P.TO_APPROVE:
        PurchaseOrder.objects.filter(pk=order.pk).update(state=P.DRAFT)
        locked.state = order.state = P.DRAFT
        _event(
            order, "back_to_draft", gettext_noop("Changed while waiting for approval: back to draft"), user
        )


# --- create and header ------------------------------------------------------------------------


@atomic_with_retry
def purchase_order_create(
    *,
    supplier,
    user,
    warehouse=None,
    order_date=None,
    notes: str = "",
    supplier_reference: str = "",
    lines: list[dict] = (),
    owner=None,
    checked_by_caller: bool = False,
) -> PurchaseOrder:
    """A draft purchase order for an active ``supplier``, bought by ``owner`` (default:
    ``user``), delivered to ``warehouse`` (default: the supplier's warehouse), with ``lines``
    (as for ``purchase_order_line_add``; errors name ``lines[i].field``). ``checked_by_caller``:
    the caller (the purchase-to-order bridge) has applied its own rule to ``user``."""
    owner = owner or user
    if not checked_by_caller and not selectors.can_act_on(user, PurchaseOrder(owner_id=owner.pk)):
        raise PermissionDenied(_("Only purchasing and managers place purchase orders."))
    _check_supplier(supplier)
    order_date = date_input(order_date, field="order_date", blank=timezone.localdate())
    warehouse = warehouse or supplier.default_warehouse
    if warehouse is None:
        raise ValidationError({"warehouse": _("Choose the warehouse to deliver to.")})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {"lines": _("A purchase order has at most %(count)s lines.") % {"count": MAX_LINES}}
        )
    order = PurchaseOrder(
        number=document_number(prefix="PO", when=order_date),
        supplier=supplier,
        owner=owner,
        warehouse=warehouse,
        order_date=order_date,
        notes=notes or "",
        supplier_reference=_checked_reference(supplier_reference),
        currency=supplier.currency,
    )
    built = []
    errors = {}
    for i, raw in enumerate(lines):
        try:
            built.append(_build_line(order, **raw))
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            errors[f"lines[{i}].{name}"] = " ".join(messages)
    if errors:
        raise ValidationError(errors)
    order.save(force_insert=True)
    for line in built:
        line.order = order
    PurchaseOrderLine.objects.bulk_create(built)
    _totals(order)
    _event(order, "created", gettext_noop("Purchase order created"), user)
    audit("purchasing.po.create", actor=user, obj=order, data={"supplier": supplier.pk, "lines": len(built)})
    order_incoming_sync(order)
    return order


@atomic_with_retry
def purchase_order_update(
    *, order: PurchaseOrder, user, warehouse=None, notes=None, supplier_reference=None, order_date=None
) -> PurchaseOrder:
    """Change a draft (or waiting) order's header; arguments left out stay as they are."""
    _check_act(user, order)
    locked = _lock(order, EDITABLE_STATES, _("Only a draft purchase order can be changed."))
    fields = {}
    if warehouse is not None:
        fields["warehouse"] = warehouse
    if notes is not None:
        fields["notes"] = notes
    if supplier_reference is not None:
        fields["supplier_reference"] = _checked_reference(supplier_reference)
    if order_date is not None:
        fields["order_date"] = date_input(order_date, field="order_date")
    if fields:
        _set(order, locked, **fields)
        _edited(order, locked, user)
        _event(order, "changed", gettext_noop("Order details changed"), user)
        order_incoming_sync(order)
    return order


# --- lines ------------------------------------------------------------------------------------


def _build_line(
    order: PurchaseOrder,
    *,
    product=None,
    quantity=None,
    unit=UNSET,
    unit_price=None,
    expected_date=None,
    demand: str = "",
) -> PurchaseOrderLine:
    """A checked, priced line of ``order`` (not saved)."""
    if not isinstance(product, Product):
        from core.sql import as_id

        pid = as_id(product)
        product = Product.objects.filter(pk=pid).first() if pid else None
    if product is None:
        raise ValidationError({"product": _("Choose a product.")})
    if not product.is_active:
        raise ValidationError({"product": _("This product is inactive.")})
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product holds no stock.")})
    sp = pricing.supplier_product_for(supplier_id=order.supplier_id, product_id=product.pk)
    if unit is UNSET:
        unit = sp.unit if sp is not None else None
    if unit is not None and not isinstance(unit, ProductUnit):
        from core.sql import as_id

        unit = ProductUnit.objects.filter(pk=as_id(unit), product_id=product.pk).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose one of the product's units.")})
    base = to_base_quantity(product=product, quantity=quantity, unit=unit)
    qty = decimal_input(quantity, field="quantity")
    if unit_price is None or unit_price == "":
        unit_price = None
        if sp is not None and (sp.unit_id or None) == (unit.pk if unit else None):
            unit_price = pricing.supplier_price_for(
                supplier_product=sp, quantity=qty, on_date=order.order_date
            )
        if unit_price is None:
            raise ValidationError({"unit_price": _("This supplier has no price for it: enter the price.")})
    else:
        unit_price = decimal_input(unit_price, field="unit_price")
        if unit_price <= 0:
            raise ValidationError({"unit_price": _("The price must be more than 0.")})
    if expected_date in (None, ""):
        expected_date = pricing.expected_date_for(sp, order.order_date)
    else:
        expected_date = date_input(expected_date, field="expected_date")
        if expected_date < order.order_date:
            raise ValidationError({"expected_date": _("The expected date cannot be before the order date.")})
    tax_rate = Decimal(str(product.tax_rate))
    unit_price = money_unit_price(unit_price)
    net, tax = pricing.line_amounts(quantity=qty, unit_price=unit_price, tax_rate=tax_rate)
    if net + tax >= MAX_AMOUNT:
        raise ValidationError({"quantity": _("This line's amount is too large.")})
    return PurchaseOrderLine(
        order=order,
        product=product,
        supplier_product=sp,
        unit=unit,
        quantity=qty,
        base_quantity=base,
        unit_price=unit_price,
        tax_rate=tax_rate,
        net_amount=net,
        tax_amount=tax,
        expected_date=expected_date,
        demand=demand or "",
    )


@atomic_with_retry
def purchase_order_line_add(
    *, order: PurchaseOrder, user, checked_by_caller: bool = False, **line
) -> PurchaseOrderLine:
    """Add a line: ``product``, ``quantity`` (in ``unit``; default the supplier's unit),
    ``unit_price`` (default: the supplier's price for the quantity on the order date),
    ``expected_date`` (default: order date + lead time), ``demand`` (purchase to order)."""
    if not checked_by_caller:
        _check_act(user, order)
    locked = _lock(order, EDITABLE_STATES, _("Only a draft purchase order can be changed."))
    if PurchaseOrderLine.objects.filter(order_id=order.pk).count() >= MAX_LINES:
        raise ValidationError(
            {"lines": _("A purchase order has at most %(count)s lines.") % {"count": MAX_LINES}}
        )
    order.order_date, order.supplier_id = locked.order_date, locked.supplier_id
    built = _build_line(order, **line)
    built.save(force_insert=True)
    _totals(order)
    _edited(order, locked, user)
    _event(
        order,
        "line_added",
        gettext_noop("Line added: %(product)s × %(quantity)s"),
        user,
        {"product": built.product.sku, "quantity": f"{built.quantity.normalize():f}"},
    )
    order_incoming_sync(order)
    return built


@atomic_with_retry
def purchase_order_line_update(
    *, line: PurchaseOrderLine, user, quantity=None, unit_price=None, expected_date=None
):
    """Change a line's quantity, price or expected date (the others stay); a new quantity
    without a price takes the supplier's price for it."""
    order = line.order
    _check_act(user, order)
    locked = _lock(order, EDITABLE_STATES, _("Only a draft purchase order can be changed."))
    current = PurchaseOrderLine.objects.select_related("product", "unit").get(pk=line.pk, order_id=order.pk)
    order.order_date, order.supplier_id = locked.order_date, locked.supplier_id
    built = _build_line(
        order,
        product=current.product,
        unit=current.unit,
        quantity=current.quantity if quantity in (None, "") else quantity,
        unit_price=(current.unit_price if quantity in (None, "") else None)
        if unit_price in (None, "")
        else unit_price,
        expected_date=current.expected_date if expected_date in (None, "") else expected_date,
        demand=current.demand,
    )
    fields = ["quantity", "base_quantity", "unit_price", "net_amount", "tax_amount", "expected_date"]
    for name in fields:
        setattr(current, name, getattr(built, name))
    current.save(update_fields=fields)
    _totals(order)
    _edited(order, locked, user)
    _event(
        order,
        "line_changed",
        gettext_noop("Line changed: %(product)s"),
        user,
        {"product": current.product.sku},
    )
    order_incoming_sync(order)
    return current


@atomic_with_retry
def purchase_order_line_remove(*, line: PurchaseOrderLine, user) -> None:
    order = line.order
    _check_act(user, order)
    locked = _lock(order, EDITABLE_STATES, _("Only a draft purchase order can be changed."))
    sku = line.product.sku
    PurchaseOrderLine.objects.filter(pk=line.pk, order_id=order.pk).delete()
    _totals(order)
    _edited(order, locked, user)
    _event(order, "line_removed", gettext_noop("Line removed: %(product)s"), user, {"product": sku})
    order_incoming_sync(order)


# --- state ------------------------------------------------------------------------------------


def _managers() -> list[int]:
    from django.contrib.auth import get_user_model

    from core.roles import MANAGER

    return list(
        get_user_model()
        .objects.filter(groups__name=MANAGER, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


@atomic_with_retry
def purchase_order_submit(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """A draft with lines is submitted: above the approval threshold
    (``PurchasingSettings.approval_threshold``) it waits for a manager, who is told; at or below
    it, it is approved at once."""
    from django.urls import reverse

    from core.events.services import notify

    _check_act(user, order)
    locked = _lock(order, {P.DRAFT}, _("Only a draft purchase order can be submitted."))
    if not PurchaseOrderLine.objects.filter(order_id=order.pk).exists():
        raise ValidationError({"lines": _("Add at least one line before submitting.")})
    threshold = PurchasingSettings.current().approval_threshold
    if locked.total > threshold:
        _set(order, locked, state=P.TO_APPROVE)
        _event(order, "submitted", gettext_noop("Submitted for approval"), user)
        notify(
            users=_managers(),
            title=gettext_noop("Purchase order %(number)s waits for your approval"),
            body=gettext_noop("%(supplier)s, total %(total)s %(currency)s."),
            params={
                "number": locked.number,
                "supplier": order.supplier.name,
                "total": f"{locked.total:,.2f}",
                "currency": locked.currency,
            },
            url=reverse("purchasing:order_detail", args=[order.pk]),
            kind="po_to_approve",
            key=f"po-to-approve:{order.pk}:{timezone.now().isoformat()}",
        )
    else:
        _set(order, locked, state=P.APPROVED, approved_at=timezone.now(), approved_by=None)
        _event(order, "approved", gettext_noop("Approved (within the approval threshold)"), user)
    audit(
        "purchasing.po.submit", actor=user, obj=order, data={"state": order.state, "total": str(locked.total)}
    )
    order_incoming_sync(order)
    return order


@atomic_with_retry
def purchase_order_approve(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """A manager approves an order waiting for approval (audited: who and when)."""
    _check_approver(user)
    locked = _lock(order, {P.TO_APPROVE}, _("Only an order waiting for approval can be approved."))
    now = timezone.now()
    _set(order, locked, state=P.APPROVED, approved_by=user, approved_at=now)
    _event(order, "approved", gettext_noop("Approved"), user)
    audit("purchasing.po.approve", actor=user, obj=order, data={"total": str(locked.total)})
    order_incoming_sync(order)
    return order


@atomic_with_retry
def purchase_order_reject(*, order: PurchaseOrder, user, reason: str = "") -> PurchaseOrder:
    """A manager sends an order waiting for approval back to draft, with the reason."""
    _check_approver(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the order is rejected.")})
    locked = _lock(order, {P.TO_APPROVE}, _("Only an order waiting for approval can be rejected."))
    _set(order, locked, state=P.DRAFT)
    _event(order, "rejected", gettext_noop("Rejected: %(reason)s"), user, {"reason": reason[:200]})
    audit("purchasing.po.reject", actor=user, obj=order, data={"reason": reason})
    order_incoming_sync(order)
    return order


@atomic_with_retry
def purchase_order_send(*, order: PurchaseOrder, user, recipient: str | None = None) -> PurchaseOrder:
    """An approved order goes to the supplier: the order is sent (``sent_at``) and its PDF is
    e-mailed to the supplier's primary contact through the outbox (``purchase_order.email_due``,
    one ``PurchaseOrderEmail`` per sending). An order already sent may be e-mailed again."""
    from scm.purchasing.order_email import email_queue

    _check_act(user, order)
    locked = _lock(order, {P.APPROVED, P.SENT}, _("Only an approved purchase order can be sent."))
    if locked.state == P.APPROVED:
        _set(order, locked, state=P.SENT, sent_at=timezone.now())
        _event(order, "sent", gettext_noop("Sent to the supplier"), user)
    else:
        _set(order, locked)
    to = email_queue(order=order, recipient=recipient)
    if to:
        _event(order, "emailed", gettext_noop("E-mail to %(email)s queued"), user, {"email": to})
    audit("purchasing.po.send", actor=user, obj=order, data={"recipient": to})
    order_incoming_sync(order)
    return order


@atomic_with_retry
def purchase_order_cancel(*, order: PurchaseOrder, user, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing has been received against (reason required); its incoming
    supply is withdrawn."""
    _check_act(user, order)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    locked = _lock(
        order,
        {P.DRAFT, P.TO_APPROVE, P.APPROVED, P.SENT},
        _("Only an order nothing was received against can be cancelled."),
    )
    if PurchaseOrderLine.objects.filter(order_id=order.pk, received_quantity__gt=0).exists() or (
        order.receipts.exclude(state="cancelled").exists()
    ):
        raise ValidationError({"state": _("Goods were received against this order: close it instead.")})
    _set(order, locked, state=P.CANCELLED, cancel_reason=reason[:300])
    _event(order, "cancelled", gettext_noop("Cancelled: %(reason)s"), user, {"reason": reason[:200]})
    audit("purchasing.po.cancel", actor=user, obj=order, data={"reason": reason})
    order_incoming_sync(order)
    return order


@atomic_with_retry
def purchase_order_close(*, order: PurchaseOrder, user, reason: str = "") -> PurchaseOrder:
    """Close an order received in full or in part: the buyer accepts that the rest will not
    come; what was still expected is withdrawn from incoming supply."""
    _check_act(user, order)
    locked = _lock(
        order,
        {P.SENT, P.PARTLY_RECEIVED, P.RECEIVED},
        _("Only a sent or (partly) received purchase order can be closed."),
    )
    if (
        locked.state == P.SENT
        and not PurchaseOrderLine.objects.filter(order_id=order.pk, received_quantity__gt=0).exists()
    ):
        raise ValidationError({"state": _("Nothing was received against this order: cancel it instead.")})
    _set(order, locked, state=P.CLOSED, closed_at=timezone.now())
    reason = (reason or "").strip()
    _event(order, "closed", gettext_noop("Closed: %(reason)s"), user, {"reason": reason[:200] or "-"})
    audit("purchasing.po.close", actor=user, obj=order, data={"reason": reason})
    order_incoming_sync(order)
    return order
