"""Documents as PDF: Chinese text in an embedded font, markup-safe values, local dates, and the
company's header, amounts in Chinese capitals and the seal (each document reads the company's
profile, hence the database)."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from PIL import Image

from core.pdf import render_document
from tests.company_profile import TAX_ID, company_profile_saved
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def test_document_pdf_embeds_a_font_and_renders_chinese_lines():
    pdf = render_document(
        title="发票",
        number="INV-2026-000001",
        parties=[("客户", "北京华联商贸有限公司")],
        meta=[("日期", "2026-11-25")],
        columns=["产品", "数量", "金额"],
        rows=[["矿泉水 550ml", "24", "¥48.00"]],
        numeric_columns=[1, 2],
        totals=[("合计", "¥48.00")],
    )
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf or b"STSong-Light" in pdf


def test_documents_write_a_moment_in_local_time_not_utc():
    from datetime import UTC, date, datetime

    from core.pdf import local_format

    evening_utc = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)  # 02:30 the next day in Shanghai
    assert local_format(evening_utc, "Y-m-d H:i") == "2026-03-02 02:30"
    assert local_format(date(2026, 3, 1), "Y-m-d") == "2026-03-01"


def test_markup_characters_in_values_are_text_not_markup():
    # A customer named "A&B <Trading>" must neither break the document nor be read as markup.
    pdf = render_document(
        title="Invoice",
        number="INV-2026-00001",
        parties=[("Customer", "A&B <Trading> Co.\nRoom 5 & 6")],
        columns=["Product", "Amount"],
        rows=[["<b>unclosed & more", "¥1.00"], ['<img src="/etc/passwd"/>', "¥2.00"]],
        notes="Pay < 30 days & thanks",
    )
    assert pdf.startswith(b"%PDF")


# --- the company's profile, capitals and seal -----------------------------------------------


def _document(**kwargs) -> bytes:
    return render_document(
        title="发票",
        number="INV-2026-000001",
        columns=["产品", "金额"],
        rows=[["矿泉水", "¥48.00"]],
        **kwargs,
    )


def _png(color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (60, 60), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "company").mkdir()
    return tmp_path


def test_every_document_is_headed_by_the_company_profile():
    company_profile_saved()
    text = pdf_text(_document())
    assert text.startswith("北京同行商贸有限公司\n")
    for part in (TAX_ID, "北京市朝阳区建国路88号", "010-85886688", "招商银行北京分行", "110908652310802"):
        assert part in text.split("发票")[0], part


def test_the_header_names_the_short_name_when_there_is_no_legal_name():
    company_profile_saved(legal_name="")
    assert pdf_text(_document()).startswith("同行商贸\n")


def test_before_set_up_the_header_names_the_setting_then_tandem(settings):
    settings.COMPANY_NAME = "上海申华贸易有限公司"
    assert pdf_text(_document()).startswith("上海申华贸易有限公司\n")
    settings.COMPANY_NAME = ""
    assert pdf_text(_document()).startswith("Tandem\n")


def test_the_profile_is_read_once_per_document(django_assert_num_queries):
    company_profile_saved()
    with django_assert_num_queries(1):
        _document(sealed=True, amount_in_words=Decimal("48"))


def test_the_amount_in_words_is_written_in_chinese_capitals_in_both_languages():
    for language, label in (("en", "Amount in words"), ("zh-hans", None)):
        with translation.override(language):
            text = pdf_text(_document(totals=[("Total", "¥1,004.50")], amount_in_words=Decimal("1004.50")))
        assert "\n壹仟零肆元伍角整" in text
        if label:
            assert label in text


def test_an_amount_in_another_currency_is_not_written_in_yuan():
    text = pdf_text(_document(amount_in_words=Decimal("1004.50"), currency="USD"))
    assert "壹仟" not in text


def test_a_readable_logo_and_seal_are_drawn(media):
    (media / "company" / "logo.png").write_bytes(_png("blue"))
    (media / "company" / "seal.png").write_bytes(_png("red"))
    company_profile_saved(logo="company/logo.png", seal="company/seal.png")
    logo_only = _document().count(b"/Subtype /Image")
    assert logo_only >= 1
    assert _document(sealed=True).count(b"/Subtype /Image") > logo_only


@pytest.mark.parametrize("content", [None, b"not an image", _png()[:40], b"GIF89a" + b"\0" * 20])
def test_a_missing_or_broken_logo_or_seal_is_left_off_and_the_document_still_renders(media, content):
    if content is not None:
        (media / "company" / "broken.png").write_bytes(content)
    company_profile_saved(logo="company/broken.png", seal="company/broken.png")
    pdf = _document(sealed=True, amount_in_words=Decimal("48"))
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" not in pdf
    assert "北京同行商贸有限公司" in pdf_text(pdf)


def test_a_picture_that_unpacks_to_too_many_pixels_is_left_off(media):
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG")  # some kilobytes, 36 million pixels
    (media / "company" / "huge.png").write_bytes(out.getvalue())
    company_profile_saved(logo="company/huge.png")
    assert b"/Subtype /Image" not in _document()


def test_a_sealed_document_has_a_signature_block_for_the_company():
    company_profile_saved()
    with translation.override("en"):
        assert "北京同行商贸有限公司 (seal)" in pdf_text(_document(sealed=True))
        assert "(seal)" not in pdf_text(_document())


def test_before_set_up_a_sealed_document_has_no_signature_block_for_tandem(settings):
    settings.COMPANY_NAME = ""
    with translation.override("en"):
        assert "(seal)" not in pdf_text(_document(sealed=True))
