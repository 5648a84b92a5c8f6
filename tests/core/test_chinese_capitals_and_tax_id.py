from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core import taxid
from core.money import amount_in_chinese


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("1.05", "壹元零伍分"),
        ("10.50", "壹拾元伍角整"),
        ("1004.50", "壹仟零肆元伍角整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("100010", "壹拾万零壹拾元整"),
        ("12001000", "壹仟贰佰万壹仟元整"),
        ("12000100", "壹仟贰佰万零壹佰元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("100000001", "壹亿零壹元整"),
        ("-5", "负伍元整"),
    ],
)
def test_an_amount_reads_in_chinese_capitals_as_invoices_write_it(amount, capitals):
    assert amount_in_chinese(Decimal(amount)) == capitals


def test_an_amount_is_rounded_to_cents_before_it_is_written_in_capitals():
    assert amount_in_chinese(Decimal("0.125")) == "壹角叁分"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", " 91350100m000100y43 "])
def test_a_valid_unified_social_credit_code_is_accepted(code):
    assert taxid.tax_id_input(code) == code.strip().upper()


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y4", "18"),
        ("91350100M000100Y44", "check character"),
        ("91350100M000100YI3", "“I”"),
    ],
)
def test_an_invalid_tax_id_is_refused_with_the_reason(code, says):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        taxid.tax_id_input(code)
    assert says in exc.value.message_dict["tax_id"][0]


def test_a_blank_tax_id_is_allowed():
    assert taxid.tax_id_input("  ") == ""
