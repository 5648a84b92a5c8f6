"""Business documents (quote, delivery note, invoice) as PDF, readable in Chinese.

The CJK font is a TrueType file embedded in the PDF (subset to the characters used):
``PDF_CJK_FONT`` (setting) if given, else Noto Sans SC from the npm package
``@expo-google-fonts/noto-sans-sc`` (installed with the other front-end packages by ``make
install`` and the Docker build), else Debian's WenQuanYi Zen Hei. Without any of them, reportlab's
built-in CID font STSong-Light is used (not embedded: viewers supply it).
"""

import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_CANDIDATES = [
    str(settings.NODE_MODULES / "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf"),
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
_registered: str | None = None


def cjk_font() -> str:
    """Register the CJK font once and return its name."""
    global _registered
    if _registered:
        return _registered
    paths = [getattr(settings, "PDF_CJK_FONT", "")] + FONT_CANDIDATES
    for path in paths:
        if path and Path(path).exists():
            pdfmetrics.registerFont(TTFont("TandemCJK", path, subfontIndex=0))
            _registered = "TandemCJK"
            return _registered
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _registered = "STSong-Light"
    return _registered


def local_format(value: date | datetime, format: str) -> str:
    """A date or a moment written on a document as the pages show it: a moment (stored in UTC)
    in the current time zone (``TIME_ZONE``), as the templates' ``date`` filter does. Every
    document formats its dates here."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, format)


def render_document(
    *,
    title: str,
    number: str,
    parties: Sequence[tuple[str, str]] = (),
    meta: Sequence[tuple[str, str]] = (),
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric_columns: Sequence[int] = (),
    totals: Sequence[tuple[str, str]] = (),
    notes: str = "",
) -> bytes:
    """A one-table business document: title and number, parties (seller, customer…), meta
    (dates, terms), the lines, totals and notes. All values are already formatted strings, shown
    as written (``&`` or ``<`` in a customer's name is text, not markup)."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {number}",
    )
    story = [Paragraph(f"{_text(title)} &nbsp; {_text(number)}", styles["heading"])]
    if parties or meta:
        story += [_info_table([*parties, *meta], styles), Spacer(1, 6 * mm)]
    story.append(_lines_table(columns, rows, numeric_columns, styles))
    if totals:
        story += [Spacer(1, 4 * mm), _totals_table(totals, styles)]
    if notes:
        story += [Spacer(1, 6 * mm), Paragraph(_text(notes), styles["base"])]
    doc.build(story)
    return buffer.getvalue()


def _text(value) -> str:
    """A value as paragraph text: markup characters escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=cjk_font(), fontSize=9.5, leading=13)
    return {
        "base": base,
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "heading": ParagraphStyle("heading", parent=base, fontSize=18, leading=24, spaceAfter=4),
    }


def _info_table(pairs, styles) -> Table:
    """Labels and values (parties, dates, terms) above the lines."""
    base = styles["base"]
    table = Table(
        [
            [Paragraph(f"<b>{_text(label)}</b>", base), Paragraph(_text(value), base)]
            for label, value in pairs
        ],
        colWidths=[35 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _lines_table(columns, rows, numeric_columns, styles) -> Table:
    """The document's lines, numbers right-aligned, the header repeated on every page."""

    def cell_style(index):
        return styles["right"] if index in numeric_columns else styles["base"]

    data = [[Paragraph(f"<b>{_text(c)}</b>", cell_style(i)) for i, c in enumerate(columns)]]
    for row in rows:
        data.append([Paragraph(_text(cell), cell_style(i)) for i, cell in enumerate(row)])
    lines = Table(data, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), styles["base"].fontName),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    style += [("ALIGN", (index, 0), (index, -1), "RIGHT") for index in numeric_columns]
    lines.setStyle(TableStyle(style))
    return lines


def _totals_table(totals, styles) -> Table:
    table = Table(
        [
            [Paragraph(f"<b>{_text(label)}</b>", styles["base"]), Paragraph(_text(value), styles["right"])]
            for label, value in totals
        ],
        colWidths=[40 * mm, 40 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    return table
