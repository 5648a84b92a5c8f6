"""Numbers from input have one parser (core.money.decimal_input): what it takes, what it refuses."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.money import decimal_input


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", "12.50"),
        (" 7 ", "7"),
        ("1,234.5", "1234.5"),
        (3, "3"),
        (Decimal("0.001"), "0.001"),
        (2.5, "2.5"),
    ],
)
def test_numbers_are_read_as_decimals(value, expected):
    assert decimal_input(value, field="amount") == Decimal(expected)


@pytest.mark.parametrize(
    "value", ["abc", "NaN", "sNaN", "Infinity", "-inf", "1e999999999", "", None, True, "²"]
)
def test_what_is_no_finite_number_is_a_field_error(value):
    with pytest.raises(ValidationError) as err:
        decimal_input(value, field="amount")
    assert list(err.value.message_dict) == ["amount"]


def test_blank_input_may_have_a_default():
    assert decimal_input("  ", field="amount", blank="0") == 0
