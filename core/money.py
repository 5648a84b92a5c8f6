"""Money and quantities: ``Decimal`` everywhere, one precision, quantised in one place."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

MONEY_PLACES = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.001")
# The largest quantity and amount input may ask for: well inside the columns (18 digits), so that
# a line's amount (quantity × price) and an order's total still fit.
MAX_QUANTITY = Decimal("1e9")
MAX_AMOUNT = Decimal("1e12")


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
