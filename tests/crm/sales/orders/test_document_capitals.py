"""The quote and the order confirmation: headed by the company, the total in Chinese capitals,
the company's signature block for its seal."""

import pytest
from django.utils import translation

from core.money import amount_in_chinese
from crm.sales.orders import quote_services
from crm.sales.orders.pdf import order_confirmation_pdf
from crm.sales.orders.quote_pdf import quote_pdf
from tests.company_profile import TAX_ID, company_profile_saved
from tests.crm.sales.orders.test_quotes import make_quote
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def test_quote_pdf_writes_its_total_in_chinese_capitals_under_the_company_header():
    company_profile_saved()
    quote = make_quote()
    with translation.override("en"):
        text = pdf_text(quote_pdf(quote))
    assert text.startswith("北京同行商贸有限公司\n") and TAX_ID in text
    assert f"Amount in words\n{amount_in_chinese(quote.total)}\n" in text
    assert "北京同行商贸有限公司 (seal)" in text


def test_order_confirmation_pdf_writes_its_total_in_chinese_capitals():
    quote = make_quote()
    order = quote_services.quote_accept(quote=quote, user=quote.owner)
    order.refresh_from_db()
    assert order.total > 0
    with translation.override("en"):
        text = pdf_text(order_confirmation_pdf(order))
    assert f"Amount in words\n{amount_in_chinese(order.total)}\n" in text
