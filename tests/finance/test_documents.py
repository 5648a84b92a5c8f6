"""Invoice and statement PDFs carry their Chinese text in an embedded font.

The text of an embedded TrueType subset is written as glyph codes; the font's ToUnicode map says
which character each code is, so the characters a PDF can show are read from those maps."""

import base64
import re
import zlib
from datetime import date

import pytest

from finance import documents, selectors, services
from tests.finance.factories import CustomerFactory, line

pytestmark = pytest.mark.django_db


def pdf_characters(pdf: bytes) -> set[str]:
    chars = set()
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        head, data = match.group(1), match.group(2).strip()
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
