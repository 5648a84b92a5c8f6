from core.pdf import render_document


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
