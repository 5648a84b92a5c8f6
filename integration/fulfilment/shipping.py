"""Shipping and returns.

Pick lists are opened in ``picking`` and scanned in ``scanning`` (both names are offered here
too). Shipping consumes the reservation (stock moves with lots, from the bins the lines name),
records the parcel and publishes ``shipment.shipped``. Locks: the order row first, then the
shipment row.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.db import atomic_with_retry
from core.events import names
from core.events.services import publish
from core.money import decimal_input
from core.numbers import document_number
from core.sql import as_id
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from integration.fulfilment import carriers
from integration.fulfilment.models import Carrier, Return, Shipment, ShipmentLine
from integration.fulfilment.picking import (  # noqa: F401 - offered here as before
    SHIPPABLE_STATES,
    batch_settle,
    pick_lists_add,
    refuse_held,
    shipment_start,
)
from integration.fulfilment.scanning import ScanResult, shipment_scan  # noqa: F401 - as before
from integration.fulfilment.services import _lock_order
from integration.fulfilment.walk import ZERO
from scm.inventory import reservations
from scm.inventory import services as stock
from scm.inventory.models import StockMove


def shipment_ship(
    *,
    shipment: Shipment,
    carrier,
    tracking_number: str,
    user=None,
    quantities: dict[int, Decimal] | None = None,
) -> Shipment:
    """Ship what was picked (or ``quantities`` per shipment line id, from the API). Stock moves
    are written with the lots; what was not picked stays reserved for the next pick list.

    ``carrier`` is a ``Carrier`` of the active list or its name (a name that is on no list is
    kept as text only). With a carrier from the list, the shipment is linked to it and expected
    on the day it left (local date) plus the carrier's transit days to the customer's region, in
    calendar days (``carriers.expected_delivery``)."""
    if isinstance(carrier, Carrier):
        if not carrier.is_active:
            raise ValidationError(
                {"carrier": _("%(name)s is no longer used as a carrier.") % {"name": carrier.name}}
            )
        carrier = carrier.name
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    errors = {}
    if not carrier:
        errors["carrier"] = _("Enter the carrier.")
    if not tracking_number:
        errors["tracking_number"] = _("Enter the tracking number.")
    if errors:
        raise ValidationError(errors)
    shipment = _ship(
        shipment_id=shipment.pk,
        order_id=shipment.order_id,
        carrier=carrier,
        tracking_number=tracking_number,
        user=user,
        quantities=quantities,
    )
    shipment.refresh_from_db()
    return shipment


@atomic_with_retry
def _ship(*, shipment_id, order_id, carrier, tracking_number, user, quantities) -> Shipment:
    """``shipment_ship``'s transaction, run again on a deadlock or serialization failure (as the
    stock services are): the picker's tap ships, it is not answered "try again"."""
    order = _lock_order(order_id)
    shipment = (
        Shipment.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=shipment_id)
    )
    if shipment.state != Shipment.State.PICKING:
        raise ValidationError({"shipment": _("This shipment has already been shipped or cancelled.")})
    carrier_ref = carriers.carrier_for_name(carrier)
    lines = list(shipment.lines.select_related("order_line", "lot", "product", "location"))
    if quantities is not None:
        _set_picked(lines, quantities)
    shipped = [line for line in lines if line.picked_quantity > 0]
    if not shipped:
        raise ValidationError({"lines": _("Nothing has been picked yet.")})
    for line in shipped:
        refuse_held(line.lot, "lines")
    _consume(shipment, shipped, user)
    # Lines with nothing picked go (they stay reserved for the next pick list), but not those
    # that record a short pick.
    ShipmentLine.objects.filter(shipment=shipment, picked_quantity=0, short_picks__isnull=True).delete()
    now = timezone.now()
    expected = None
    if carrier_ref is not None:
        carrier = carrier_ref.name
        expected = carriers.expected_delivery(
            carrier=carrier_ref,
            region_id=order.customer.region_id,
            shipped_on=timezone.localdate(now),
        )
    Shipment.objects.filter(pk=shipment.pk).update(
        state=Shipment.State.SHIPPED,
        carrier=carrier,
        carrier_ref=carrier_ref,
        expected_delivery_on=expected,
        tracking_number=tracking_number,
        shipped_by=user,
        shipped_at=now,
    )
    batch_settle(batch_id=shipment.batch_id)
    order_states.order_refresh_state(order_id=order.pk)
    order_services.order_add_event(
        order=order,
        kind="shipped",
        text=gettext_noop("Shipment %(number)s shipped with %(carrier)s, tracking %(tracking)s"),
        params={"number": shipment.number, "carrier": carrier, "tracking": tracking_number},
        user=user,
    )
    publish(names.SHIPMENT_SHIPPED, {"shipment_id": shipment.pk, "order_id": order.pk})
    return shipment


def _set_picked(lines: list[ShipmentLine], quantities: dict) -> None:
    """What was picked of each line, as the API says (line id → quantity), checked against what
    the line holds."""
    by_id = {line.pk: line for line in lines}
    for line_id, qty in quantities.items():
        line = by_id.get(as_id(line_id))
        if line is None:
            raise ValidationError({"lines": _("Line %(id)s is not on this shipment.") % {"id": line_id}})
        qty = decimal_input(qty, field="quantity")
        if qty < 0:
            raise ValidationError({"quantity": _("The quantity cannot be negative.")})
        if qty > line.quantity:
            raise ValidationError({"quantity": _("That is more than is reserved for this order.")})
        line.picked_quantity = qty
        ShipmentLine.objects.filter(pk=line.pk).update(picked_quantity=qty)


def _consume(shipment: Shipment, shipped: list[ShipmentLine], user) -> None:
    """The picked quantities leave stock (their reservations consumed, moves written with the
    lots) and move from reserved to shipped on the order lines."""
    for line in shipped:
        reservations.stock_consume(
            demand=line.order_line.demand,
            warehouse=shipment.warehouse,
            quantity=line.picked_quantity,
            lot=line.lot,
            reference=shipment.number,
            user=user,
            location=line.location,
        )
        order_services.order_line_progress(
            line_id=line.order_line_id, reserved=-line.picked_quantity, shipped=line.picked_quantity
        )


def return_create(
    *, shipment_line: ShipmentLine, quantity, disposition: str, reason: str, user=None
) -> Return:
    """Goods come back against one shipped line and lot: back into the same lot in the same
    warehouse (a return move) or scrapped (nothing re-enters stock); the invoice is credited and
    ``return.recorded`` published (either way)."""

    qty = decimal_input(quantity, field="quantity")
    if qty <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    if disposition not in Return.Disposition.values:
        raise ValidationError({"disposition": _("Choose back into stock or scrap.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the goods came back.")})
    with transaction.atomic():
        order = _lock_order(shipment_line.shipment.order_id)
        line = (
            ShipmentLine.objects.select_for_update(of=("self",))
            .select_related("shipment__warehouse", "lot", "product", "order_line")
            .get(pk=shipment_line.pk)
        )
        shipment = line.shipment
        if shipment.state != Shipment.State.SHIPPED:
            raise ValidationError({"shipment_line": _("Only shipped goods can be returned.")})
        if shipment.invoice_id is None:
            raise ValidationError({"shipment_line": _("This shipment has not been invoiced yet.")})
        updated = ShipmentLine.objects.filter(
            pk=line.pk, returned_quantity__lte=F("picked_quantity") - qty
        ).update(returned_quantity=F("returned_quantity") + qty)
        if not updated:
            raise ValidationError({"quantity": _("That is more than was shipped on this line.")})
        ret = Return.objects.create(
            number=document_number(prefix="RT", digits=5),
            shipment_line=line,
            quantity=qty,
            disposition=disposition,
            reason=reason.strip(),
            created_by=user,
        )
        if disposition == Return.Disposition.RESTOCK:
            _restock(line, qty, ret, user)
        order_services.order_line_progress(line_id=line.order_line_id, returned=qty)
        credit = _credit_returned(line, qty, reason.strip(), user)
        Return.objects.filter(pk=ret.pk).update(credit_note_id=credit.pk)
        ret.credit_note_id = credit.pk
        order_services.order_add_event(
            order=order,
            kind="returned",
            text=gettext_noop("Return %(number)s: %(qty)s × %(product)s (%(disposition)s)"),
            params={
                "number": ret.number,
                "qty": f"{qty.normalize():f}",
                "product": line.product.name,
                "disposition": Return.Disposition(disposition).label,
            },
            user=user,
        )
        audit(
            "fulfilment.return", actor=user, obj=ret, data={"quantity": str(qty), "disposition": disposition}
        )
        publish(
            names.RETURN_RECORDED,
            {
                "return_id": ret.pk,
                "order_id": order.pk,
                "product_id": line.product_id,
                "disposition": disposition,
            },
        )
    return ret


def _restock(line: ShipmentLine, qty: Decimal, ret: Return, user) -> None:
    """Returned goods back into the lot and warehouse they left (a return move)."""
    stock.stock_receive(
        product=line.product,
        warehouse=line.shipment.warehouse,
        quantity=qty,
        lot_number=line.lot.number if line.lot else "",
        expiry_date=line.lot.expiry_date if line.lot else None,
        unit_cost=line.product.cost,
        reference=ret.number,
        kind=StockMove.Kind.RETURN,
        user=user,
    )


def _credit_returned(line: ShipmentLine, qty: Decimal, reason: str, user):
    """The credit note for returned goods, on the shipment's invoice, at the order line's price."""
    from finance import services as finance_services
    from finance.models import Invoice

    order_line = line.order_line
    return finance_services.credit_note_create(
        invoice=Invoice.objects.get(pk=line.shipment.invoice_id),
        lines=[
            {
                "description": f"{line.product.sku} {line.product.name}",
                "quantity": qty,
                "unit_price": base_unit_price(order_line),
                "tax_rate": order_line.tax_rate,
                "product": line.product,
                "sales_order_line_id": order_line.pk,
            }
        ],
        reason=reason,
        user=user,
    )


def base_unit_price(order_line) -> Decimal:
    """Net price of one base unit of an order line (after discount), for invoices and credits."""
    if not order_line.base_quantity:
        return ZERO
    return (order_line.net_amount / order_line.base_quantity).quantize(Decimal("0.0001"))


def shipment_invoice(*, order, shipment, issue_date=None, user=None):
    """Raise the AR invoice for a shipment's picked lines (source reference = shipment number,
    so finance returns the same invoice if asked again), link it to the shipment, move the
    order lines' invoiced figures and record it on the order's timeline. The caller holds the
    order and shipment locks."""
    from finance import services as finance_services

    lines = list(shipment.lines.select_related("product", "order_line").filter(picked_quantity__gt=0))
    invoice = finance_services.invoice_create(
        customer=order.customer,
        lines=[
            {
                "description": f"{line.product.sku} {line.product.name}",
                "quantity": line.picked_quantity,
                "unit_price": base_unit_price(line.order_line),
                "tax_rate": line.order_line.tax_rate,
                "product": line.product,
                "sales_order_line_id": line.order_line_id,
            }
            for line in lines
        ],
        source_reference=shipment.number,
        sales_order=order,
        issue_date=issue_date,
        user=user,
    )
    Shipment.objects.filter(pk=shipment.pk).update(invoice_id=invoice.pk)
    for line in lines:
        order_services.order_line_progress(line_id=line.order_line_id, invoiced=line.picked_quantity)
    order_states.order_refresh_state(order_id=order.pk)
    order_services.order_add_event(
        order=order,
        kind="invoiced",
        text=gettext_noop("Invoice %(number)s raised for shipment %(shipment)s"),
        params={"number": invoice.number, "shipment": shipment.number},
    )
    return invoice
