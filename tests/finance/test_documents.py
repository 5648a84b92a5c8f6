"""Invoice and statement PDFs carry their Chinese text in an embedded font.

The text of an embedded TrueType subset is written as glyph codes; the font's ToUnicode map says
which character each code is, so the characters a PDF can show are read from those maps."""

import base64
import re
import zlib
from datetime import date

import pytest
from django.utils import translation

from finance import documents, selectors, services
from tests.company_profile import TAX_ID, company_profile_saved
from tests.finance.factories import CustomerFactory, line
from tests.pdf_text import pdf_text, stream_bytes

pytestmark = pytest.mark.django_db

BUYER_TAX_ID = "91350100M000100Y43"


def pdf_characters(pdf: bytes) -> set[str]:
    chars = set()
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        head, data = match.group(1), stream_bytes(match)
        if b"ASCII85Decode" in head:
            data = base64.a85decode(data.removeprefix(b"<~").removesuffix(b"~>"))
        if b"FlateDecode" in head:
            data = zlib.decompress(data)
        for code in re.findall(rb"<[0-9A-F]{2}> <([0-9A-F]{4})>", data):
            chars.add(chr(int(code, 16)))
    return chars


def test_invoice_pdf_embeds_the_chinese_text():
    customer = CustomerFactory(name="北京华联商贸有限公司", address="北京市朝阳区建国路88号")
    invoice = services.invoice_create(
        customer=customer, lines=[line("48.00", description="矿泉水 550ml 整箱")], issue_date=date(2026, 3, 1)
    )
    pdf = documents.invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf
    assert set("北京华联商贸有限公司矿泉水整箱") <= pdf_characters(pdf)


def test_statement_pdf_embeds_the_chinese_text():
    customer = CustomerFactory(name="广州南方食品有限公司")
    invoice = services.invoice_create(customer=customer, lines=[line("100.00")], issue_date=date(2026, 3, 1))
    services.credit_note_create(
        invoice=invoice, lines=[line("10.00")], reason="包装破损", issue_date=date(2026, 3, 5)
    )
    statement = selectors.customer_statement(customer.pk, date(2026, 3, 1), date(2026, 3, 31))
    pdf = documents.statement_pdf(customer, statement)
    assert set("广州南方食品有限公司包装破损") <= pdf_characters(pdf)


def test_markup_in_customer_text_does_not_break_the_pdf():
    customer = CustomerFactory(name="A & B <公司>")
    invoice = services.invoice_create(customer=customer, lines=[line("1.00", description="<b>x</b> & y")])
    assert documents.invoice_pdf(invoice).startswith(b"%PDF")


# --- the company's profile, the buyer's invoicing details, amounts in capitals ---------------


def _invoice_text(customer, **line_kwargs) -> str:
    invoice = services.invoice_create(
        customer=customer, lines=[line(**line_kwargs)], issue_date=date(2026, 3, 1)
    )
    with translation.override("en"):
        return pdf_text(documents.invoice_pdf(invoice))


def test_invoice_pdf_writes_its_total_in_chinese_capitals():
    text = _invoice_text(CustomerFactory(), amount="1000.00", tax_rate="0.13")  # 1,130.00 with tax
    assert "Amount in words\n壹仟壹佰叁拾元整" in text


def test_invoice_pdf_carries_the_buyers_invoicing_details():
    customer = CustomerFactory(
        name="华联",
        invoice_title="北京华联商贸有限公司",
        invoice_tax_id=BUYER_TAX_ID,
        invoice_address_phone="北京市朝阳区建国路88号 010-65001234",
        invoice_bank_account="中国工商银行北京朝阳支行 0200001234567890",
    )
    text = _invoice_text(customer)
    buyer = text.split("Customer\n", 1)[1]
    assert buyer.startswith("北京华联商贸有限公司\n")
    assert f"Taxpayer id: {BUYER_TAX_ID}" in buyer
    assert "Address and phone: 北京市朝阳区建国路88号 010-65001234" in buyer
    assert "Bank and account: 中国工商银行北京朝阳支行 0200001234567890" in buyer


def test_invoice_pdf_names_the_customer_plainly_when_it_has_no_invoicing_details():
    customer = CustomerFactory(name="广州南方食品有限公司", address="广州市天河路1号")
    buyer = _invoice_text(customer).split("Customer\n", 1)[1]
    assert buyer.startswith("广州南方食品有限公司\n广州市天河路1号\n") and "Taxpayer id" not in buyer


def test_invoice_pdf_names_the_seller_with_its_tax_id_and_bank():
    company_profile_saved()
    seller = _invoice_text(CustomerFactory()).split("Seller\n", 1)[1].split("Customer\n")[0]
    assert seller.startswith("北京同行商贸有限公司\n")
    assert f"Taxpayer id: {TAX_ID}" in seller and "招商银行北京分行 110908652310802" in seller


def test_statement_pdf_writes_the_closing_balance_in_chinese_capitals():
    customer = CustomerFactory()
    services.invoice_create(customer=customer, lines=[line("250.40")], issue_date=date(2026, 3, 1))
    statement = selectors.customer_statement(customer.pk, date(2026, 3, 1), date(2026, 3, 31))
    with translation.override("en"):
        text = pdf_text(documents.statement_pdf(customer, statement))
    assert "Amount in words\n贰佰伍拾元肆角整" in text


def test_statement_pdf_is_headed_by_the_company_and_names_it_as_seller(settings):
    settings.COMPANY_NAME = "上海申华贸易有限公司"  # before set-up: the setting names the company
    customer = CustomerFactory()
    statement = selectors.customer_statement(customer.pk, date(2026, 3, 1), date(2026, 3, 31))
    with translation.override("en"):
        text = pdf_text(documents.statement_pdf(customer, statement))
    assert text.startswith("上海申华贸易有限公司\n") and "Seller\n上海申华贸易有限公司\n" in text
