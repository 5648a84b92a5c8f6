"""Which lot stock comes into or goes out of, checked against the product's tracking (none,
lot with expiry, serial number: a lot of one). For the stock services (``services``,
``transfers``, ``counts``)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scm.inventory.models import Lot, Product, StockLevel, StockMove, Transfer, TransferLine


def serial_place(lot: Lot) -> str | None:
    """Where a serial-numbered unit is now (a warehouse code, or a transfer in transit)."""
    level = StockLevel.objects.filter(lot=lot, on_hand__gt=0).select_related("warehouse").first()
    if level is not None:
        return level.warehouse.code
    line = (
        TransferLine.objects.filter(lot=lot, transfer__state=Transfer.State.IN_TRANSIT)
        .select_related("transfer")
        .first()
    )
    return line.transfer.number if line is not None else None


def lot_for_incoming(
    *,
    product: Product,
    lot: Lot | None = None,
    lot_number: str = "",
    expiry_date: date | None = None,
    reference: str = "",
    kind: str = StockMove.Kind.RECEIPT,
    allow_expired: bool = False,
    supplier_reference: str = "",
) -> Lot | None:
    """The lot stock comes into: found or created, validated for the product's tracking.

    A serial-numbered unit is a lot of one: its row is locked, and it is refused while it is in
    stock or in transit anywhere, and (for a purchase receipt) when it was ever received before.
    """
    if lot is not None:
        if lot.product_id != product.pk:
            raise ValidationError({"lot": _("This lot belongs to another product.")})
        lot_number, expiry_date = lot.number, lot.expiry_date
    lot_number = _checked_number(lot_number)
    if product.tracking == Product.Tracking.NONE:
        if lot_number:
            raise ValidationError({"lot_number": _("This product is not tracked by lot or serial number.")})
        return None
    if not lot_number:
        raise ValidationError({"lot_number": _("A lot or serial number is required for this product.")})
    existing = (
        Lot.objects.select_for_update().filter(product=product, number=lot_number).order_by("pk").first()
    )
    if product.tracking == Product.Tracking.LOT:
        expiry_date = _checked_expiry(existing, expiry_date, allow_expired=allow_expired)
    if existing is None:
        try:
            with transaction.atomic():
                return Lot.objects.create(
                    product=product,
                    number=lot_number,
                    expiry_date=expiry_date,
                    source_reference=reference,
                    supplier_reference=supplier_reference[:100],
                )
        except IntegrityError:
            existing = Lot.objects.select_for_update().order_by("pk").get(product=product, number=lot_number)
    if product.tracking == Product.Tracking.SERIAL:
        _check_serial_free(existing, kind=kind)
    return existing


def lot_incoming_check(
    *,
    product: Product,
    lot_number: str = "",
    expiry_date: date | None = None,
    counted_expiry: date | None = None,
) -> date | None:
    """The checks ``lot_for_incoming`` makes of a lot or serial number for the product's
    tracking, without writing anything: for a document that records lots before its stock
    moves (a receipt being counted). ``counted_expiry``: the expiry date the lot number already
    has on that document (counted twice), held to as a known lot's. Returns the lot's expiry
    date (a known lot's when none is given)."""
    lot_number = _checked_number(lot_number)
    if product.tracking == Product.Tracking.NONE:
        if lot_number:
            raise ValidationError({"lot_number": _("This product is not tracked by lot or serial number.")})
        return None
    if not lot_number:
        raise ValidationError({"lot_number": _("A lot or serial number is required for this product.")})
    existing = Lot.objects.filter(product=product, number=lot_number).first()
    if product.tracking == Product.Tracking.LOT:
        if existing is None and counted_expiry is not None:
            existing = Lot(product=product, number=lot_number, expiry_date=counted_expiry)
        return _checked_expiry(existing, expiry_date, allow_expired=False)
    if existing is not None:
        _check_serial_free(existing, kind=StockMove.Kind.RECEIPT)
    return None


def _checked_number(lot_number: str) -> str:
    """A lot or serial number as stored: stripped, and no longer than its column."""
    lot_number = (lot_number or "").strip()
    limit = Lot._meta.get_field("number").max_length
    if len(lot_number) > limit:
        raise ValidationError({"lot_number": _("At most %(n)s characters.") % {"n": limit}})
    return lot_number


def _checked_expiry(existing: Lot | None, expiry_date: date | None, *, allow_expired: bool) -> date:
    """A lot's expiry date: given, or the known lot's; required, not past (unless allowed) and
    the same as the known lot's."""
    if existing is not None and expiry_date is None:
        expiry_date = existing.expiry_date
    if expiry_date is None:
        raise ValidationError({"expiry_date": _("An expiry date is required for this lot.")})
    if expiry_date < timezone.localdate() and not allow_expired:
        raise ValidationError({"expiry_date": _("This lot has already expired.")})
    if existing is not None and existing.expiry_date != expiry_date:
        raise ValidationError({"expiry_date": _("This lot is already known with another expiry date.")})
    return expiry_date


def _check_serial_free(lot: Lot, *, kind: str) -> None:
    """A known serial number may come in only when it is nowhere now, and a purchase receipt only
    when it was never received before."""
    place = serial_place(lot)
    if place is not None:
        raise ValidationError(
            {
                "lot_number": _("Serial number %(serial)s is already in %(place)s.")
                % {"serial": lot.number, "place": place}
            }
        )
    if kind == StockMove.Kind.RECEIPT and lot.moves.filter(kind=StockMove.Kind.RECEIPT).exists():
        raise ValidationError(
            {"lot_number": _("Serial number %(serial)s was already received.") % {"serial": lot.number}}
        )


def lot_for_outgoing(*, product: Product, lot: Lot | None, field: str = "lot") -> Lot | None:
    if product.tracking == Product.Tracking.NONE:
        if lot is not None:
            raise ValidationError({field: _("This product is not tracked by lot or serial number.")})
        return None
    if lot is None:
        raise ValidationError({field: _("Choose the lot or serial number.")})
    if lot.product_id != product.pk:
        raise ValidationError({field: _("This lot belongs to another product.")})
    return lot
