"""Bin labels: an A4 sheet of labels to stick on a warehouse's shelves, one per bin, in the order
pickers walk them (``sequence``, then ``code``).

Each label carries the bin's code in large type, a Code 128 barcode of its ``barcode`` (what the
tablet's scan field looks up, ``bin_scan.scanned_bin``) with that value printed small under the
bars, and small lines naming its zone / aisle / shelf / bin and its warehouse. The barcode is
drawn with reportlab's own Code 128 (``reportlab.graphics.barcode``): reportlab already draws the
project's documents, so labels need no other library.

Code 128 holds ASCII only. A bin whose barcode is empty or holds other characters (a Chinese
barcode typed by hand), or is so long that its bars would be too thin to scan, gets a barcode of
its code instead, which the scan field also accepts in its warehouse; a code that is not ASCII
either gets no bars, and the label says so. A code too long for one line is set on two.

The sheet is 3 × 8 labels of 70 × 36 mm, the common 24-up A4 label sheet, with a faint outline
around each label for cutting plain paper. Which bins: ``label_bins`` (one warehouse's active
bins, one zone's, or one bin), at most ``MAX_LABELS`` per PDF; ``bin_labels_pdf`` draws them.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from core.pdf import cjk_font
from core.sql import id_input
from scm.inventory import locations_admin
from scm.inventory.models import Location, Warehouse

# One PDF at most: 84 sheets. A larger warehouse prints zone by zone.
MAX_LABELS = 2000
ZONE_LENGTH = Location._meta.get_field("zone").max_length

COLUMNS, ROWS = 3, 8
LABEL_WIDTH, LABEL_HEIGHT = 70 * mm, 36 * mm
# The sheet's margins: the labels centred on the page (4.5 mm above and below on A4).
LEFT = (A4[0] - COLUMNS * LABEL_WIDTH) / 2
TOP = (A4[1] - ROWS * LABEL_HEIGHT) / 2
# Inside a label: 5 mm at the sides keeps the outer columns clear of a printer's unprintable edge.
PAD_X, PAD_TOP, PAD_BOTTOM = 5 * mm, 3 * mm, 2.5 * mm
# The code on one line from 20 pt down to 10 pt; a longer one on two lines of at most 10 pt.
CODE_SIZE, CODE_ONE_LINE, CODE_MIN_SIZE = 20, 10, 6
SMALL_SIZE, SMALL_MIN_SIZE = 7, 5
BARS_HEIGHT = 12 * mm
# The narrowest bar (the module): as wide as the label allows, at most this; the quiet zone at
# each side is ten modules, as Code 128 asks.
MAX_MODULE = 0.45 * mm
# Under this (7.5 mil, Code 128's smallest) a long barcode is hard to scan: its bin's shorter
# code is drawn instead when that one fits wider.
MIN_MODULE = 0.19 * mm
QUIET_MODULES = 10
BOLD = "Helvetica-Bold"
OUTLINE = colors.HexColor("#ced4da")


@dataclass(frozen=True)
class LabelChoice:
    """The bins to label, in walk order, and what was asked: a warehouse, a zone of it (or ""),
    or one bin (``location``)."""

    warehouse: Warehouse
    zone: str
    location: Location | None
    locations: list[Location]

    @property
    def file_name(self) -> str:
        if self.location is not None:
            return f"bin-label-{self.warehouse.code}-{self.location.code}.pdf"
        return "-".join(["bin-labels", self.warehouse.code, *([self.zone] if self.zone else [])]) + ".pdf"


def label_bins(*, warehouse=None, zone=None, location=None) -> LabelChoice:
    """The bins to label: ``location`` (an id) alone, that bin whether active or not; else the
    active bins of ``warehouse`` (an id), of its ``zone`` when one is given. Walk order
    (``sequence``, then ``code``). Input as sent (query strings, form fields): a bad id, an
    unknown warehouse or bin, a zone too long or without bins, a warehouse without bins, more
    than ``MAX_LABELS`` bins are a ``ValidationError`` naming the field. Two queries whatever
    the number of bins (one for one bin)."""
    location_id = id_input(location, field="location", required=False)
    warehouse_id = id_input(warehouse, field="warehouse", required=location_id is None)
    # A zone as the bins keep it (upper case, ``locations_admin.code_text``).
    zone = locations_admin.code_text(zone, "zone", max_length=ZONE_LENGTH)
    if location_id is not None:
        found = Location.objects.select_related("warehouse").filter(pk=location_id).first()
        if found is None:
            raise ValidationError({"location": _("Not found.")})
        if warehouse_id is not None and found.warehouse_id != warehouse_id:
            raise ValidationError({"location": _("This bin is in another warehouse.")})
        if zone and found.zone != zone:
            raise ValidationError({"location": _("This bin is in another zone.")})
        return LabelChoice(found.warehouse, found.zone, found, [found])

    chosen = Warehouse.objects.filter(pk=warehouse_id).first()
    if chosen is None:
        raise ValidationError({"warehouse": _("Not found.")})
    bins = Location.objects.filter(warehouse_id=chosen.pk, is_active=True)
    if zone:
        bins = bins.filter(zone=zone)
    bins = list(bins.order_by("sequence", "code", "pk")[: MAX_LABELS + 1])
    field = "zone" if zone else "warehouse"
    names = {"warehouse": chosen.name, "zone": zone, "n": f"{MAX_LABELS:,}"}
    if not bins:
        if zone:
            message = _("Zone %(zone)s of %(warehouse)s has no active bins to label.") % names
        else:
            message = (
                _(
                    "%(warehouse)s has no active bins to label: it keeps its stock in one place. "
                    "Make a zone's bins first."
                )
                % names
            )
        raise ValidationError({field: message})
    if len(bins) > MAX_LABELS:
        if zone:
            message = _("Zone %(zone)s has more than %(n)s bins: at most %(n)s labels in one PDF.") % names
        else:
            message = (
                _(
                    "%(warehouse)s has more than %(n)s bins: at most %(n)s labels in one PDF. "
                    "Print one zone at a time."
                )
                % names
            )
        raise ValidationError({field: message})
    for found in bins:
        found.warehouse = chosen
    return LabelChoice(chosen, zone, None, bins)


def encodable(value: str) -> bool:
    """Whether Code 128 holds ``value`` as it is: printable ASCII, nothing else."""
    return bool(value) and all(32 <= ord(ch) < 127 for ch in value)


def barcode_value(location: Location, width: float = LABEL_WIDTH - 2 * PAD_X) -> str:
    """What a bin's label encodes: its barcode; else (empty, not ASCII, or so long that its
    bars would be under ``MIN_MODULE`` in ``width``) its code when that can be drawn, wider;
    else ""."""
    values = [value for value in (location.barcode, location.code) if encodable(value or "")]
    for value in values:
        if _module(value, width) >= MIN_MODULE:
            return value
    return values[0] if values else ""


def bin_labels_pdf(choice: LabelChoice) -> bytes:
    """The labels of ``choice``'s bins as a PDF of A4 sheets, 3 × 8 a sheet, in walk order
    (left to right, then down)."""
    buffer = io.BytesIO()
    title = _("Bin labels")
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{title} {choice.warehouse.code} {choice.zone}".strip())
    canvas.setAuthor(choice.warehouse.name)
    font = cjk_font()
    per_page = COLUMNS * ROWS
    for index, location in enumerate(choice.locations):
        if index and index % per_page == 0:
            canvas.showPage()
        row, column = divmod(index % per_page, COLUMNS)
        x = LEFT + column * LABEL_WIDTH
        y = A4[1] - TOP - (row + 1) * LABEL_HEIGHT
        _draw_label(canvas, location, choice.warehouse, x, y, font)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _parts(location: Location) -> str:
    names = ((_("Zone"), location.zone), (_("Aisle"), location.aisle), (_("Shelf"), location.shelf))
    names += ((_("Bin"), location.bin),)
    return "  ·  ".join(f"{name} {value}" for name, value in names if value)


def _fit(text: str, font: str, size: float, min_size: float, width: float) -> tuple[str, float]:
    """``text`` at the largest size from ``size`` down to ``min_size`` that fits ``width``; at
    the smallest, cut with an ellipsis."""
    while size > min_size and stringWidth(text, font, size) > width:
        size -= 0.5
    if stringWidth(text, font, size) > width:
        while text and stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        text += "…"
    return text, size


def _code_lines(code: str, font: str, width: float) -> tuple[list[str], float]:
    """The code on one line as large as fits, down to ``CODE_ONE_LINE``; smaller than that, on
    two lines split at the separator nearest the middle (else the middle)."""
    line, size = _fit(code, font, CODE_SIZE, CODE_ONE_LINE, width)
    if line == code:
        return [code], size
    cuts = [i + 1 for i, ch in enumerate(code[:-1]) if ch in "-_./ "] or [len(code) // 2]
    cut = min(cuts, key=lambda i: abs(i - len(code) / 2))
    halves = [code[:cut], code[cut:]]
    fitted = [_fit(half, font, CODE_ONE_LINE, CODE_MIN_SIZE, width) for half in halves]
    size = min(fitted_size for _line, fitted_size in fitted)
    return [_fit(half, font, size, size, width)[0] for half in halves], size


def _text_font(text: str, fallback: str) -> str:
    """Helvetica Bold for ASCII (sharp and heavy at a distance), else the CJK font."""
    return BOLD if text.isascii() else fallback


def _draw_label(canvas: Canvas, location: Location, warehouse: Warehouse, x, y, font: str) -> None:
    canvas.saveState()
    canvas.setStrokeColor(OUTLINE)
    canvas.setLineWidth(0.3)
    canvas.rect(x, y, LABEL_WIDTH, LABEL_HEIGHT, stroke=1, fill=0)
    canvas.restoreState()

    width = LABEL_WIDTH - 2 * PAD_X
    left, top = x + PAD_X, y + LABEL_HEIGHT - PAD_TOP

    # The bin's code, large, as a picker reads it from the aisle.
    code_font = _text_font(location.code, font)
    lines, size = _code_lines(location.code, code_font, width)
    canvas.setFont(code_font, size)
    baseline = top - size * 0.76
    for line in lines:
        canvas.drawString(left, baseline, line)
        baseline -= size * 1.05

    # The barcode, the width of the label, its value small under the bars; a code on two lines
    # pushes it down a little (there is room above the foot).
    bars_top = top - CODE_SIZE * 0.76 - 2.2 * mm
    if len(lines) > 1:
        bars_top = min(bars_top, baseline + size * 1.05 - size * 0.25 - 1.5 * mm)
    value = barcode_value(location, width)
    small = y + PAD_BOTTOM
    if value:
        bars = _bars(value, width)
        bars.drawOn(canvas, left + (width - bars.width) / 2, bars_top - BARS_HEIGHT)
        text, text_size = _fit(value, "Helvetica", 6.5, SMALL_MIN_SIZE, width)
        canvas.setFont("Helvetica", text_size)
        canvas.drawCentredString(left + width / 2, bars_top - BARS_HEIGHT - 2.6 * mm, text)
    else:
        note = _("No barcode: the code is not ASCII.")
        note, note_size = _fit(note, font, SMALL_SIZE, SMALL_MIN_SIZE, width)
        canvas.setFont(font, note_size)
        canvas.drawString(left, bars_top - BARS_HEIGHT / 2, note)

    # Zone / aisle / shelf / bin and the warehouse, small, at the foot.
    where, where_size = _fit(_parts(location), font, SMALL_SIZE, SMALL_MIN_SIZE, width)
    house, house_size = _fit(f"{warehouse.code} {warehouse.name}", font, SMALL_SIZE, SMALL_MIN_SIZE, width)
    canvas.setFillColor(colors.HexColor("#343a40"))
    canvas.setFont(font, where_size)
    canvas.drawString(left, small + SMALL_SIZE + 1.5, where)
    canvas.setFont(font, house_size)
    canvas.drawString(left, small, house)
    canvas.setFillColor(colors.black)


def _module(value: str, width: float) -> float:
    """The widest module at which ``value``'s Code 128 and its quiet zones fit ``width``."""
    modules = Code128(value, barWidth=1, quiet=0, barHeight=BARS_HEIGHT).width
    return min(MAX_MODULE, width / (modules + 2 * QUIET_MODULES))


def _bars(value: str, width: float) -> Code128:
    """``value`` as Code 128 at the widest module that fits ``width`` with its quiet zones."""
    module = _module(value, width)
    quiet = QUIET_MODULES * module
    return Code128(value, barWidth=module, barHeight=BARS_HEIGHT, quiet=1, lquiet=quiet, rquiet=quiet)
