"""Money and quantities: ``Decimal`` everywhere, one precision, quantised in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

MONEY_PLACES = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.001")
# The largest quantity and amount input may ask for: well inside the columns (18 digits), so that
# a line's amount (quantity × price) and an order's total still fit.
MAX_QUANTITY = Decimal("1e9")
MAX_AMOUNT = Decimal("1e12")


def decimal_input(value, *, field: str, blank=None) -> Decimal:
    """A number as a user or client sent it — text (spaces and thousands separators allowed),
    an int, a Decimal, a float through its text — as a finite ``Decimal``; anything else (``abc``,
    ``NaN``, ``Infinity``, ``1e999999999``) is a ``ValidationError`` naming ``field``. Empty input
    gives ``blank`` when it is given, else the same error. The one parser of numbers from input:
    forms, API, imports and services all call it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank is not None:
            return Decimal(blank)
        raise ValidationError({field: _("Enter a number.")})
    if isinstance(value, bool):
        raise ValidationError({field: _("Enter a number.")})
    text = value if isinstance(value, Decimal) else str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")})
    # Finite, and of a size a column can hold (an exponent of a billion is no amount).
    if not number.is_finite() or number.adjusted() > 30:
        raise ValidationError({field: _("Enter a number.")})
    return number


def money(value) -> Decimal:
    """Quantise to cents (half up). Accepts Decimal, int or str; never a float."""
    if isinstance(value, float):
        raise TypeError("money() does not take floats")
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def quantity(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("quantity() does not take floats")
    return Decimal(value).quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class QuantityField(models.DecimalField):
    """Quantities in a product's base unit (three decimals, for kilograms and metres)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(*args, **kwargs)
