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


def decimal_input(value, *, field: str, blank=None, limit: Decimal = MAX_AMOUNT) -> Decimal:
    """A number as a user or client sent it — text (spaces and thousands separators allowed),
    an int, a Decimal, a float through its text — as a finite ``Decimal`` whose size is below
    ``limit`` (by default ``MAX_AMOUNT``, well inside every amount and quantity column);
    anything else (``abc``, ``²``, ``NaN``, ``Infinity``, ``1e30``, ``1e16``) is a
    ``ValidationError`` naming ``field``. Empty input gives ``blank`` when it is given, else the
    same error. The one parser of numbers from input: forms, API (``core.api_fields``), imports
    and services all call it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank is not None:
            return Decimal(blank)
        raise ValidationError({field: _("Enter a number.")})
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValidationError({field: _("Enter a number.")})
    text = value if isinstance(value, Decimal) else str(value).strip().replace(",", "")
    # Longer text is no number a column holds: not parsed at all. (Full-width digits, as a
    # Chinese input method may type them, are digits to Decimal; ² is not.)
    if isinstance(text, str) and len(text) > 64:
        raise ValidationError({field: _("Enter a number.")})
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")})
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    # Of a size the columns hold (an exponent of a billion is no amount), and with no more
    # decimals than a column could ever keep.
    if number.adjusted() > 30 or abs(number) >= limit:
        raise ValidationError(
            {field: _("Enter a number smaller than %(limit)s.") % {"limit": f"{limit:,.0f}"}}
        )
    if number.as_tuple().exponent < -12:
        number = number.quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)
    return number


def tax_rate_input(value, *, field: str = "tax_rate") -> Decimal:
    """A tax rate as a fraction (0.13 for 13%): the one rule for tax rates, 0 ≤ rate ≤ 1, used by
    products, invoice lines and credit notes (models, forms and API)."""
    rate = decimal_input(value, field=field)
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValidationError({field: _("A tax rate is a fraction between 0 and 1 (0.13 for 13%).")})
    return rate


def validate_tax_rate(value) -> None:
    """Model and form validator of a tax rate (``tax_rate_input``'s rule)."""
    try:
        tax_rate_input(value, field="tax_rate")
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["tax_rate"]) from None


def money(value) -> Decimal:
    """Quantise to cents (half up). Accepts Decimal, int or str; never a float."""
    if isinstance(value, float):
        raise TypeError("money() does not take floats")
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def unit_price(value) -> Decimal:
    """A unit price as stored (four places), rounded half up like every amount."""
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


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


_CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_PLACES = ("", "拾", "佰", "仟")
_CN_SECTIONS = ("", "万", "亿", "万亿")


def _cn_group(number: int) -> str:
    """A number below 10,000 in capitals; zeros inside read as one 零, trailing ones not at all."""
    text, zero = "", False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _CN_DIGITS[digit] + _CN_PLACES[place]
    return text


def amount_in_chinese(value) -> str:
    """An amount in Chinese capitals as cheques and invoices write it (金额大写):
    1,004.50 → 壹仟零肆元伍角整, 0.05 → 伍分, 100,010 → 壹拾万零壹拾元整. Negative amounts
    start with 负. The amount is rounded to cents first (``money``)."""
    amount = money(value)
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan == 0 and jiao == 0 and fen == 0:
        return "零元整"
    groups = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text, skipped = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            skipped = bool(text)
            continue
        if text and (skipped or group < 1000):
            text += "零"
        text += _cn_group(group) + _CN_SECTIONS[index]
        skipped = False
    if yuan:
        text += "元"
    if jiao:
        text += _CN_DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += _CN_DIGITS[fen] + "分"
    else:
        text += "整"
    return sign + text
