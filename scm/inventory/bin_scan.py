"""One scan field for products and bins on the warehouse's tablet screens (receive, purchase
receipts, put-away, counts).

A warehouse without bins works as before: every scan is a product (``direct``). In a warehouse
with bins the picker scans the bin before or after the product:
- a bin first is *held*: the products scanned next go into it, until another bin is scanned;
- a product first is *pending*: the screen shows the suggested bin (``putaway``) and the next
  scan, a bin, places it (another product instead replaces it).
The screen keeps the held bin's and the pending product's codes in hidden fields and sends them
back with the next scan; ``bin_scan_step`` says what that scan means.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from scm.inventory.locations import has_locations, location_for_scan
from scm.inventory.models import Location, Lot, Warehouse
from scm.inventory.putaway import put_away_suggestion
from scm.inventory.selectors import Scan, scan_lookup

DIRECT, HOLD, PENDING, PLACE = "direct", "hold", "pending", "place"


@dataclass(frozen=True)
class BinStep:
    """What a scan means: ``kind`` one of ``DIRECT`` (no bins: act on ``scan`` now), ``HOLD``
    (``location`` scanned first), ``PENDING`` (``scan`` waits for its bin; ``suggestion``) or
    ``PLACE`` (act on ``scan`` into ``location`` now). ``code`` is the product's code as
    scanned (what the screen keeps while it is pending)."""

    kind: str
    location: Location | None = None
    scan: Scan | None = None
    code: str = ""
    suggestion: Location | None = None


def scanned_bin(*, warehouse: Warehouse, code: str, field: str = "code") -> Location | None:
    """The bin ``code`` names (its barcode, or its code in ``warehouse``), checked for
    ``warehouse`` (``location_for_scan``: another warehouse's bin or an inactive one is an error
    naming ``field``); None when the code names no bin."""
    code = (code or "").strip()
    if not code:
        return None
    if not Location.objects.filter(Q(barcode=code) | Q(warehouse=warehouse, code__iexact=code)).exists():
        return None
    return location_for_scan(warehouse=warehouse, code=code, field=field)


def _product(warehouse: Warehouse, code: str, *, expecting_bin: bool) -> Scan:
    """The product ``code`` names. Naming neither a product nor a bin: when a bin was expected
    (or the code is a bin's code elsewhere) the bin rule's message, else the product's."""
    try:
        return scan_lookup(code=code, field="code")
    except ValidationError:
        if expecting_bin or Location.objects.filter(code__iexact=code).exists():
            location_for_scan(warehouse=warehouse, code=code, field="code")
        raise


def bin_scan_step(
    *, warehouse: Warehouse, code: str, held: str = "", pending: str = "", lot: Lot | None = None
) -> BinStep:
    """What scanning ``code`` means on a tablet screen of ``warehouse`` with ``held`` (the
    bin scanned before, or "") and ``pending`` (the product waiting for its bin, or "").
    ``lot``: the lot the screen will receive, for the suggestion. A bad scan is a
    ``ValidationError`` naming ``code``."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Scan or type a barcode.")})
    if not has_locations(warehouse.pk):
        return BinStep(DIRECT, scan=scan_lookup(code=code, field="code"), code=code)
    location = scanned_bin(warehouse=warehouse, code=code)
    if location is not None:
        if pending:
            return BinStep(
                PLACE, location=location, scan=scan_lookup(code=pending, field="code"), code=pending
            )
        return BinStep(HOLD, location=location)
    scan = _product(warehouse, code, expecting_bin=bool(pending))
    if held:
        return BinStep(
            PLACE,
            location=location_for_scan(warehouse=warehouse, code=held, field="code"),
            scan=scan,
            code=code,
        )
    suggestion = put_away_suggestion(warehouse=warehouse, product=scan.product, lot=scan.lot or lot)
    return BinStep(PENDING, scan=scan, code=code, suggestion=suggestion)
