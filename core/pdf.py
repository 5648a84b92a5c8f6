"""Business documents (quote, order, delivery note, invoice, statements, purchase order) as PDF,
readable in Chinese, each headed by the company's profile (``core.company``): logo, legal name,
unified social credit code, address, phone, bank and account; amounts also in Chinese capitals
(金额大写) and the company's seal (公章) where the document carries them.

The CJK font is a TrueType file embedded in the PDF (subset to the characters used):
``PDF_CJK_FONT`` (setting) if given, else Noto Sans SC from the npm package
``@expo-google-fonts/noto-sans-sc`` (installed with the other front-end packages by ``make
install`` and the Docker build), else Debian's WenQuanYi Zen Hei. Without any of them, reportlab's
built-in CID font STSong-Light is used (not embedded: viewers supply it).
"""

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.company import company_name, company_profile
from core.models import CompanyProfile
from core.money import amount_in_chinese

logger = logging.getLogger(__name__)

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
    amount_in_words: Decimal | None = None,
    currency: str = "",
    sealed: bool = False,
    notes: str = "",
    profile: CompanyProfile | None = None,
) -> bytes:
    """A one-table business document: the company's header, title and number, parties (seller,
    customer…), meta (dates, terms), the lines, totals and notes. All values are already
    formatted strings, shown as written (``&`` or ``<`` in a customer's name is text, not markup).

    ``amount_in_words``: the amount written below the totals in Chinese capitals (金额大写), in
    Chinese whatever the language, as Chinese documents carry it; only for an amount in yuan
    (``currency``, default ``DEFAULT_CURRENCY``): capitals name 元, 角 and 分. ``sealed``: the company's seal
    (公章), when it has one, is stamped on the signature block below the totals. ``profile``: the
    company profile when the caller has read it already (else it is read here, once)."""
    profile = profile if profile is not None else company_profile()
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {number}",
        author=company_name(profile),
    )
    story = [
        *_company_header(profile, styles),
        Paragraph(f"{_text(title)} &nbsp; {_text(number)}", styles["heading"]),
    ]
    if parties or meta:
        story += [_info_table([*parties, *meta], styles), Spacer(1, 6 * mm)]
    story.append(_lines_table(columns, rows, numeric_columns, styles))
    if totals:
        story += [Spacer(1, 4 * mm), _totals_table(totals, styles)]
    if amount_in_words is not None and (currency or settings.DEFAULT_CURRENCY) == "CNY":
        story += [Spacer(1, 2 * mm), _words_table(amount_in_words, styles)]
    if notes:
        story += [Spacer(1, 6 * mm), Paragraph(_text(notes), styles["base"])]
    if sealed and (profile.legal_name or profile.short_name or profile.seal):
        # Before set-up there is no one to sign for: no "Tandem (seal)" block.
        story += [
            Spacer(1, 4 * mm),
            _SignatureBlock(company_name(profile), _image(profile.seal, SEAL_SIZE), styles),
        ]
    doc.build(story)
    return buffer.getvalue()


# The largest image file read for a document (a logo or a seal is some kilobytes) and the size
# it is drawn at (points): a logo fits a box in the header, a seal is a 4 cm round stamp.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
LOGO_BOX = (42 * mm, 20 * mm)
SEAL_SIZE = (40 * mm, 40 * mm)


@dataclass
class _Picture:
    """An image ready for reportlab: PNG bytes and the size it is drawn at."""

    data: bytes
    width: float
    height: float

    def reader(self) -> ImageReader:
        return ImageReader(io.BytesIO(self.data))


def _image(field, box: tuple[float, float]) -> _Picture | None:
    """The image of an ``ImageField`` scaled to fit ``box`` (aspect kept), or None when there is
    none or it cannot be read: a missing, truncated or non-image file leaves the document without
    it (and logs why) rather than failing the document. It is decoded here, in full, and written
    again as PNG, so reportlab only ever sees a sound image; large images are shrunk first."""
    name = getattr(field, "name", "")
    if not name:
        return None
    try:
        with field.storage.open(name, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ValueError(f"larger than {MAX_IMAGE_BYTES} bytes")
        with PILImage.open(io.BytesIO(data)) as image:
            # A small file can unpack to a huge picture: its size is read before its pixels.
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValueError(f"{image.width}×{image.height} pixels")
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((800, 800))
            out = io.BytesIO()
            image.save(out, format="PNG")
            width, height = image.size
    except Exception as exc:  # noqa: BLE001 - a broken image must never fail a document
        logger.warning("Company image %s left off the document: %s", name, exc)
        return None
    scale = min(box[0] / width, box[1] / height)
    return _Picture(out.getvalue(), width * scale, height * scale)


def _company_header(profile: CompanyProfile, styles) -> list:
    """The company's logo (when it has a readable one), legal name, tax id, address, phone, bank
    and account, above a rule: what identifies the issuer of every document."""
    lines = [Paragraph(f"<b>{_text(company_name(profile))}</b>", styles["company"])]
    if profile.tax_id:
        lines.append(
            Paragraph(
                _text(_("Unified social credit code: %(code)s") % {"code": profile.tax_id}), styles["small"]
            )
        )
    contact = "   ".join(
        part
        for part in (
            _("Address: %(address)s") % {"address": profile.address} if profile.address else "",
            _("Phone: %(phone)s") % {"phone": profile.phone} if profile.phone else "",
        )
        if part
    )
    if contact:
        lines.append(Paragraph(_text(contact), styles["small"]))
    bank = "   ".join(
        part
        for part in (
            _("Bank: %(bank)s") % {"bank": profile.bank_name} if profile.bank_name else "",
            _("Account: %(account)s") % {"account": profile.bank_account} if profile.bank_account else "",
        )
        if part
    )
    if bank:
        lines.append(Paragraph(_text(bank), styles["small"]))
    logo = _image(profile.logo, LOGO_BOX)
    if logo is None:
        head = Table([[lines]], colWidths=[None], hAlign="LEFT")
    else:
        picture = Image(io.BytesIO(logo.data), width=logo.width, height=logo.height, mask="auto")
        head = Table([[picture, lines]], colWidths=[LOGO_BOX[0] + 4 * mm, None], hAlign="LEFT")
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        head,
        HRFlowable(
            width="100%",
            thickness=0.6,
            color=colors.HexColor("#495057"),
            spaceBefore=3 * mm,
            spaceAfter=4 * mm,
        ),
    ]


def company_block(profile: CompanyProfile) -> str:
    """The company as the seller (or buyer) on a document: its name and, when it has them, its
    tax id, address and phone, bank and account, one per line, as an invoice names its parties."""
    return party_block(
        name=company_name(profile),
        tax_id=profile.tax_id,
        address_phone=" ".join(part for part in (profile.address, profile.phone) if part),
        bank_account=" ".join(part for part in (profile.bank_name, profile.bank_account) if part),
    )


def party_block(*, name: str, tax_id: str = "", address_phone: str = "", bank_account: str = "") -> str:
    """A party's invoicing details (开票信息), one labelled line each, blank ones left out."""
    lines = [name]
    if tax_id:
        lines.append(_("Taxpayer id: %(value)s") % {"value": tax_id})
    if address_phone:
        lines.append(_("Address and phone: %(value)s") % {"value": address_phone})
    if bank_account:
        lines.append(_("Bank and account: %(value)s") % {"value": bank_account})
    return "\n".join(lines)


class _SignatureBlock(Flowable):
    """The issuer's signature block at the right: the company's name and a line for the date,
    with the seal (when the company has one) stamped over the name, as a seal is on paper."""

    def __init__(self, name: str, seal: _Picture | None, styles):
        super().__init__()
        self.seal = seal
        self.label = Paragraph(_text(_("%(company)s (seal)") % {"company": name}), styles["center"])
        self.date = Paragraph(_text(_("Date:")), styles["small"])
        self.block_width = 75 * mm
        self.block_height = (seal.height if seal else 12 * mm) + 4 * mm

    def wrap(self, avail_width, avail_height):
        self.avail_width = avail_width
        return avail_width, self.block_height

    def draw(self):
        left = self.avail_width - self.block_width
        _w, label_height = self.label.wrap(self.block_width, self.block_height)
        label_y = self.block_height / 2
        self.label.drawOn(self.canv, left, label_y)
        self.canv.setStrokeColor(colors.HexColor("#adb5bd"))
        self.canv.setLineWidth(0.5)
        self.canv.line(left, label_y - 2 * mm, self.avail_width, label_y - 2 * mm)
        self.date.wrap(self.block_width, self.block_height)
        self.date.drawOn(self.canv, left, label_y - 7 * mm)
        if self.seal is not None:
            # Centred on the name, drawn after it: the stamp lies over the text.
            x = left + (self.block_width - self.seal.width) / 2
            y = label_y + label_height / 2 - self.seal.height / 2
            # A little see-through, as ink on paper: the name under it stays legible.
            self.canv.saveState()
            self.canv.setFillAlpha(0.85)
            self.canv.drawImage(self.seal.reader(), x, y, self.seal.width, self.seal.height, mask="auto")
            self.canv.restoreState()


def _text(value) -> str:
    """A value as paragraph text: markup characters escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=cjk_font(), fontSize=9.5, leading=13)
    return {
        "base": base,
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "center": ParagraphStyle("center", parent=base, alignment=1),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=11.5, textColor=colors.HexColor("#343a40")
        ),
        "company": ParagraphStyle("company", parent=base, fontSize=14, leading=19, spaceAfter=1),
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


def _words_table(amount: Decimal, styles) -> Table:
    """The amount in Chinese capitals on a line of its own, the full width of the page (a large
    amount in capitals is longer than the totals' column)."""
    table = Table(
        [
            [
                Paragraph("<b>" + _text(_("Amount in words")) + "</b>", styles["base"]),
                Paragraph(_text(amount_in_chinese(amount)), styles["base"]),
            ]
        ],
        colWidths=[35 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#adb5bd")),
                ("BACKGROUND", (0, 0), (0, 0), colors.HexColor("#e9ecef")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table
