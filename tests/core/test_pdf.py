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
