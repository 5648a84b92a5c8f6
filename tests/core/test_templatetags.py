from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.tandem import money, qty


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_has_thousands_separators_and_two_decimals(language):
    with translation.override(language):
        assert money(Decimal("1234567.5")) == "¥1,234,567.50"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_negative_money_puts_the_sign_before_the_symbol(language):
    with translation.override(language):
        assert money(Decimal("-1234")) == "-¥1,234.00"


def test_money_in_another_currency_uses_its_symbol():
    with translation.override("zh-hans"):
        assert money("99.999", "USD") == "$100.00"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_quantity_keeps_needed_decimals_and_groups_thousands(language):
    with translation.override(language):
        assert qty(Decimal("12345.2500")) == "12,345.25"
        assert qty(Decimal("24.000")) == "24"


def test_money_filter_in_a_chinese_template():
    with translation.override("zh-hans"):
        html = Template("{{ amount|money }}").render(Context({"amount": Decimal("8800000")}))
    assert html == "¥8,800,000.00"
