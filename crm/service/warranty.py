"""Warranty: a unit is under warranty until the day it was shipped plus its product's warranty
months (``Product.warranty_months``); the day it was shipped comes from the ticket, or from the
serial as shipped to the customer (``hooks.shipped_lot``, filled by the module that ships)."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from crm.service import hooks


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, a day past the new month's end clamped to it
    (31 August + 6 months is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_end(*, shipped_on: date | None, months: int | None) -> date | None:
    """The last day of the warranty, or None when there is none (no ship date, 0 months)."""
    if shipped_on is None or not months:
        return None
    return add_months(shipped_on, int(months))


@dataclass(frozen=True)
class Warranty:
    """What is known of a unit's warranty: shipped on, months, the last day (None: no warranty)."""

    shipped_on: date | None
    months: int
    until: date | None

    def covers(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.until is not None and day <= self.until


NONE = Warranty(None, 0, None)


def serial_warranty(*, customer, lot) -> Warranty:
    """The warranty of one serial (or lot) as shipped to ``customer``: from the day it was shipped
    to them and its product's warranty months. A serial never shipped to this customer has none."""
    if lot is None or customer is None:
        return NONE
    shipped = hooks.shipped_lot(customer_id=customer.pk, lot_id=lot.pk)
    if shipped is None:
        return NONE
    months = lot.product.warranty_months
    return Warranty(shipped.shipped_on, months, warranty_end(shipped_on=shipped.shipped_on, months=months))


def ticket_warranty(ticket) -> Warranty:
    """The warranty of what ``ticket`` is about: its ship date (or the serial's, looked up) and the
    product's (or the serial's product's) warranty months. No serial and no ship date, or a
    product without warranty months: none."""
    product = ticket.product if ticket.product_id else (ticket.lot.product if ticket.lot_id else None)
    if ticket.shipped_on is not None and product is not None:
        months = product.warranty_months
        return Warranty(ticket.shipped_on, months, warranty_end(shipped_on=ticket.shipped_on, months=months))
    if ticket.lot_id:
        return serial_warranty(customer=ticket.customer, lot=ticket.lot)
    return NONE


def warranty_until(ticket) -> date | None:
    """The last day ``ticket``'s unit is under warranty, or None when it has none."""
    return ticket_warranty(ticket).until


def under_warranty(ticket, on: date | None = None) -> bool:
    """Is ``ticket``'s unit under warranty on ``on`` (today by default)?"""
    return ticket_warranty(ticket).covers(on)
