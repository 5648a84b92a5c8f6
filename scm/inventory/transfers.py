"""Transfer services: stock moves between warehouses in two steps.

``transfer_ship`` takes the lines' stock out of the source (transfer-out moves, conditional
UPDATEs on unreserved stock); while the transfer is in transit its lines are the stock's only
place. ``transfer_receive`` puts it into the destination (transfer-in moves). Each step is one
transaction; the state changes by compare-and-set, so a transfer is never shipped or received
twice.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.numbers import document_number
from scm.inventory import lots, services
from scm.inventory.models import Lot, Product, ProductUnit, StockMove, Transfer, TransferLine, Warehouse


def _check_pair(source: Warehouse, destination: Warehouse) -> None:
    services._check_warehouse(source, "source")
    services._check_warehouse(destination, "destination")
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("Choose a warehouse other than the source.")})


def _set_state(transfer: Transfer, old: str, new: str, **fields) -> None:
    if not Transfer.objects.filter(pk=transfer.pk, state=old).update(state=new, **fields):
        raise ValidationError(
            {"state": _("This transfer is no longer %(state)s.") % {"state": Transfer.State(old).label}}
        )
    transfer.state = new
    for key, value in fields.items():
        setattr(transfer, key, value)


@atomic_with_retry
def transfer_create(
    *, source: Warehouse, destination: Warehouse, lines: list[dict] | tuple = (), note: str = "", user=None
) -> Transfer:
    """A draft transfer; ``lines`` are dicts of ``transfer_add_line`` arguments."""
    _check_pair(source, destination)
    transfer = Transfer.objects.create(
        number=document_number(prefix="TR"),
        source=source,
        destination=destination,
        note=note,
        created_by=user,
    )
    for line in lines:
        transfer_add_line(transfer=transfer, user=user, **line)
    audit("inventory.transfer_created", actor=user, obj=transfer, data={"number": transfer.number})
    return transfer


@atomic_with_retry
def transfer_add_line(
    *,
    transfer: Transfer,
    product: Product,
    quantity,
    unit: ProductUnit | None = None,
    lot: Lot | None = None,
    user=None,
) -> TransferLine:
    """Add stock to a draft transfer (the same product and lot add up on one line)."""
    if transfer.state != Transfer.State.DRAFT:
        raise ValidationError({"state": _("Only a draft transfer can be changed.")})
    services._check_product(product)
    base = services.to_base_quantity(product=product, quantity=quantity, unit=unit)
    lot = lots.lot_for_outgoing(product=product, lot=lot)
    if product.tracking == Product.Tracking.SERIAL and (
        base != 1 or TransferLine.objects.filter(transfer=transfer, lot=lot).exists()
    ):
        raise ValidationError({"lot": _("A serial number moves as one unit, once.")})
    if lot is not None and lot.expiry_date and lot.expiry_date < timezone.localdate():
        raise ValidationError({"lot": _("This lot has expired; scrap it instead of moving it.")})
    line = TransferLine.objects.filter(transfer=transfer, product=product, lot=lot).first()
    if line is not None:
        TransferLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + base)
        line.refresh_from_db()
    else:
        line = TransferLine.objects.create(
            transfer=transfer, product=product, lot=lot, quantity=base, unit=unit
        )
    return line


@atomic_with_retry
def transfer_ship(*, transfer: Transfer, user=None) -> Transfer:
    """Take every line's stock out of the source: all lines or none."""
    _check_pair(transfer.source, transfer.destination)
    lines = list(transfer.lines.select_related("product").order_by("pk"))
    if not lines:
        raise ValidationError({"lines": _("Add at least one line before shipping.")})
    _set_state(transfer, Transfer.State.DRAFT, Transfer.State.IN_TRANSIT, shipped_at=timezone.now())
    for line in lines:
        try:
            services._remove_stock(
                product_id=line.product_id,
                warehouse_id=transfer.source_id,
                lot_id=line.lot_id,
                base=line.quantity,
            )
        except ValidationError as exc:
            raise ValidationError({"lines": f"{line.product.sku}: {' '.join(exc.messages)}"}) from exc
        services._write_move(
            kind=StockMove.Kind.TRANSFER_OUT,
            product_id=line.product_id,
            warehouse_id=transfer.source_id,
            lot_id=line.lot_id,
            quantity=-line.quantity,
            unit_cost=line.product.cost,
            reference=transfer.number,
            user=user,
        )
    for line in lines:
        services._signal_low_stock(line.product, line.quantity)
    audit("stock.transfer_out", actor=user, obj=transfer, data={"lines": len(lines)})
    return transfer


@atomic_with_retry
def transfer_receive(*, transfer: Transfer, user=None) -> Transfer:
    """Put an in-transit transfer's stock into the destination."""
    lines = list(transfer.lines.select_related("product", "lot").order_by("pk"))
    _set_state(transfer, Transfer.State.IN_TRANSIT, Transfer.State.RECEIVED, received_at=timezone.now())
    for line in lines:
        services._add_stock(
            product=line.product, warehouse=transfer.destination, lot=line.lot, base=line.quantity
        )
        services._write_move(
            kind=StockMove.Kind.TRANSFER_IN,
            product_id=line.product_id,
            warehouse_id=transfer.destination_id,
            lot_id=line.lot_id,
            quantity=line.quantity,
            unit_cost=line.product.cost,
            reference=transfer.number,
            user=user,
        )
    services.stock_available_publish(
        product_ids=[line.product_id for line in lines],
        warehouse_id=transfer.destination_id,
        reason=StockMove.Kind.TRANSFER_IN,
        reference=transfer.number,
    )
    audit("stock.transfer_in", actor=user, obj=transfer, data={"lines": len(lines)})
    return transfer


@atomic_with_retry
def transfer_cancel(*, transfer: Transfer, user=None) -> Transfer:
    """Cancel a draft (nothing has moved yet)."""
    _set_state(transfer, Transfer.State.DRAFT, Transfer.State.CANCELLED)
    audit("inventory.transfer_cancelled", actor=user, obj=transfer)
    return transfer


def stock_transfer(
    *,
    product: Product,
    source: Warehouse,
    destination: Warehouse,
    quantity,
    unit: ProductUnit | None = None,
    lot: Lot | None = None,
    user=None,
) -> Transfer:
    """One line shipped at once: create and ship in one transaction (it stays in transit)."""

    @atomic_with_retry
    def run():
        transfer = transfer_create(
            source=source,
            destination=destination,
            lines=[{"product": product, "quantity": quantity, "unit": unit, "lot": lot}],
            user=user,
        )
        return transfer_ship(transfer=transfer, user=user)

    return run()


ZERO = Decimal(0)
