"""Setting a warehouse's bins up: adding, changing, deactivating and deleting locations, and
making a zone's bins at once (``location_zone_create``). What bins hold and how stock moves
between them is in ``locations``.

A location's code is its zone, aisle, shelf and bin joined (``A-01-02-03``) unless one is given;
it is unique in its warehouse. Its barcode is unique across all warehouses (so a bin scanned in
the wrong warehouse is recognised as such) and is never a product's or a unit's barcode (a scan
names one thing); without one given it is the warehouse's code and the location's
(``BJ-A-01-02-03``). A location holding stock can be neither deactivated nor deleted: the row is
locked, then what it holds is read under lock, so a put-away running at the same moment is
waited for rather than missed.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.money import decimal_input
from scm.inventory.models import Location, LocationStock, Product, ProductUnit, Warehouse

EDITABLE = ("code", "zone", "aisle", "shelf", "bin", "sequence", "barcode", "is_active")
PARTS = ("zone", "aisle", "shelf", "bin")
MAX_SEQUENCE = 2_000_000_000
# A zone made at once: at most this many bins (99 aisles × 99 shelves × 99 bins would be a
# million rows written by one click).
MAX_ZONE_BINS = 5000
MAX_PART = 99
SEQUENCE_STEP = 10


def _text(value, field: str, *, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationError({field: _("Enter text.")})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_length}})
    return value


def code_text(value, field: str, *, max_length: int) -> str:
    """A code part or a code: upper case, no spaces inside (a label is read by a scanner)."""
    value = _text(value, field, max_length=max_length).upper()
    if any(ch.isspace() for ch in value):
        raise ValidationError({field: _("No spaces inside a code.")})
    return value


def _whole(value, field: str, *, low: int, high: int) -> int:
    number = decimal_input(value, field=field)
    if number != number.to_integral_value() or not low <= number <= high:
        raise ValidationError(
            {field: _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return int(number)


def location_code(*, zone: str, aisle: str = "", shelf: str = "", bin: str = "") -> str:
    """The code of a bin from its parts: ``A-01-02-03`` (empty parts left out)."""
    return "-".join(part for part in (zone, aisle, shelf, bin) if part)


def default_barcode(*, warehouse: Warehouse, code: str) -> str:
    """The barcode a bin gets when none is given: unique across warehouses."""
    return f"{warehouse.code}-{code}"


def _check_warehouse(warehouse) -> None:
    if warehouse is None:
        raise ValidationError({"warehouse": _("Choose the warehouse.")})
    if not warehouse.is_active:
        raise ValidationError({"warehouse": _("This warehouse is inactive.")})
    if warehouse.is_quarantine:
        raise ValidationError({"warehouse": _("A quarantine area has no bins.")})


def _barcodes_taken(codes, *, location_id=None) -> set[str]:
    """Of ``codes``, those another bin (any warehouse), a product or a unit already has."""
    codes = {c for c in codes if c}
    if not codes:
        return set()
    taken = set(
        Location.objects.filter(barcode__in=codes).exclude(pk=location_id).values_list("barcode", flat=True)
    )
    taken |= set(Product.objects.filter(barcode__in=codes).values_list("barcode", flat=True))
    taken |= set(ProductUnit.objects.filter(barcode__in=codes).values_list("barcode", flat=True))
    return taken


def _barcode_error(code: str) -> ValidationError:
    return ValidationError(
        {"barcode": _("The barcode “%(code)s” already names another bin or a product.") % {"code": code}}
    )


def _code_error(code: str) -> ValidationError:
    return ValidationError({"code": _("This warehouse already has a location “%(code)s”.") % {"code": code}})


def _next_sequence(warehouse_id: int) -> int:
    top = Location.objects.filter(warehouse_id=warehouse_id).aggregate(m=Max("sequence"))["m"]
    return 0 if top is None else top + SEQUENCE_STEP


def _holds_stock(location: Location) -> bool:
    """Whether the (locked) location holds anything: its stock rows are locked too, so a
    put-away or pick changing them right now is waited for and then seen."""
    rows = LocationStock.objects.select_for_update().filter(location_id=location.pk).order_by("pk")
    return any(on_hand > 0 for on_hand in rows.values_list("on_hand", flat=True))


def _locked(location: Location) -> Location:
    return Location.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=location.pk)


def _holding_error(field: str) -> ValidationError:
    return ValidationError({field: _("This location still holds stock: move it to another bin first.")})


@atomic_with_retry
def location_save(*, location: Location | None = None, warehouse: Warehouse | None = None, actor, **fields):
    """Add a location to ``warehouse`` (``location`` None) or change one: ``code``, ``zone``,
    ``aisle``, ``shelf``, ``bin``, ``sequence``, ``barcode``, ``is_active`` (other keys are
    ignored). A new location without a ``code`` gets its parts joined, without a ``sequence``
    the next after the warehouse's last, without a ``barcode`` ``default_barcode``. A bad value
    is a ``ValidationError`` naming its field and nothing is written; audited."""
    creating = location is None
    if creating:
        _check_warehouse(warehouse)
        target = Location(warehouse=warehouse)
    else:
        target = _locked(location)
        warehouse = target.warehouse
    given = {key: value for key, value in fields.items() if key in EDITABLE}
    cleaned = {}
    for key in PARTS:
        if key in given:
            cleaned[key] = code_text(given[key], key, max_length=20)
    if "code" in given:
        cleaned["code"] = code_text(given["code"], "code", max_length=40)
    if "barcode" in given:
        cleaned["barcode"] = _text(given["barcode"], "barcode", max_length=64)
    if "sequence" in given and given["sequence"] not in (None, ""):
        cleaned["sequence"] = _whole(given["sequence"], "sequence", low=0, high=MAX_SEQUENCE)
    if "is_active" in given:
        if not isinstance(given["is_active"], bool):
            raise ValidationError({"is_active": _("Choose yes or no.")})
        cleaned["is_active"] = given["is_active"]
    zone = cleaned.get("zone", target.zone)
    if not zone:
        raise ValidationError({"zone": _("Give the zone.")})
    if creating:
        if not cleaned.get("code"):
            parts = {key: cleaned.get(key, "") for key in PARTS}
            cleaned["code"] = location_code(**parts)
            if len(cleaned["code"]) > 40:
                raise ValidationError({"code": _("At most %(n)s characters.") % {"n": 40}})
        if "sequence" not in cleaned:
            cleaned["sequence"] = _next_sequence(warehouse.pk)
        if not cleaned.get("barcode"):
            cleaned["barcode"] = default_barcode(warehouse=warehouse, code=cleaned["code"])
    elif "code" in cleaned and not cleaned["code"]:
        raise ValidationError({"code": _("Give the code.")})
    changed = {key: value for key, value in cleaned.items() if creating or getattr(target, key) != value}
    if not creating and not changed:
        return target
    if "code" in changed:
        clash = Location.objects.filter(warehouse_id=warehouse.pk, code__iexact=changed["code"])
        if not creating:
            clash = clash.exclude(pk=target.pk)
        if clash.exists():
            raise _code_error(changed["code"])
    if changed.get("barcode") and _barcodes_taken([changed["barcode"]], location_id=target.pk):
        raise _barcode_error(changed["barcode"])
    if not creating and changed.get("is_active") is False and _holds_stock(target):
        raise _holding_error("is_active")
    for key, value in changed.items():
        setattr(target, key, value)
    try:
        with transaction.atomic():
            if creating:
                target.save()
            else:
                target.save(update_fields=list(changed))
    except IntegrityError:
        # Another save took the code or the barcode between the check and this one.
        if Location.objects.filter(barcode=target.barcode).exclude(pk=target.pk).exists():
            raise _barcode_error(target.barcode) from None
        raise _code_error(target.code) from None
    audit(
        "inventory.location_created" if creating else "inventory.location_changed",
        actor=actor,
        obj=target,
        data={key: str(value) for key, value in changed.items()},
    )
    return target


@atomic_with_retry
def location_deactivate(*, location: Location, actor) -> Location:
    """No more stock goes into this bin and pickers are not sent there; refused while it holds
    stock."""
    return location_save(location=location, actor=actor, is_active=False)


@atomic_with_retry
def location_delete(*, location: Location, actor) -> None:
    """Delete a location set up by mistake. Refused while it holds stock, and for a location
    stock has ever moved through (the ledger names it: deactivate it instead)."""
    target = _locked(location)
    if _holds_stock(target):
        raise _holding_error("location")
    code = target.code
    try:
        with transaction.atomic():
            LocationStock.objects.filter(location_id=target.pk, on_hand=0).delete()
            target.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(
            {"location": _("Stock has moved through this location: deactivate it instead of deleting it.")}
        ) from None
    audit(
        "inventory.location_deleted",
        actor=actor,
        obj=None,
        data={"location": location.pk, "code": code, "warehouse": target.warehouse.code},
    )


def _range(value, field: str) -> tuple[int, int]:
    """(first, last) from a pair or one number (1 → 1..1)."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValidationError({field: _("Give the first and the last number.")})
        first = _whole(value[0], field, low=1, high=MAX_PART)
        last = _whole(value[1], field, low=1, high=MAX_PART)
    else:
        first, last = 1, _whole(value, field, low=1, high=MAX_PART)
    if last < first:
        raise ValidationError({field: _("The last number comes before the first.")})
    return first, last


def zone_walk(*, aisles: tuple[int, int], shelves: tuple[int, int], bins: tuple[int, int]):
    """(aisle, shelf, bin) in walking order: up the first aisle's shelves, down the next one's
    (a snake, so the picker never walks an aisle back empty-handed), bins in order on a shelf."""
    for n, aisle in enumerate(range(aisles[0], aisles[1] + 1)):
        shelf_order = range(shelves[0], shelves[1] + 1)
        if n % 2:
            shelf_order = reversed(shelf_order)
        for shelf in shelf_order:
            for bin_ in range(bins[0], bins[1] + 1):
                yield aisle, shelf, bin_


@atomic_with_retry
def location_zone_create(*, warehouse: Warehouse, zone, aisles, shelves, bins, actor) -> list[Location]:
    """Make a zone's bins at once: ``aisles``, ``shelves`` and ``bins`` each a count (1..n) or a
    (first, last) pair; codes ``A-01-02-03`` and barcodes ``default_barcode``, walk sequence
    after the warehouse's last location, snaking aisle by aisle (``zone_walk``). All or
    nothing: a code or barcode already taken refuses the whole zone."""
    _check_warehouse(warehouse)
    zone = code_text(zone, "zone", max_length=20)
    if not zone:
        raise ValidationError({"zone": _("Give the zone.")})
    ranges = {
        "aisles": _range(aisles, "aisles"),
        "shelves": _range(shelves, "shelves"),
        "bins": _range(bins, "bins"),
    }
    size = 1
    for first, last in ranges.values():
        size *= last - first + 1
    if size > MAX_ZONE_BINS:
        raise ValidationError({"bins": _("At most %(n)s bins at once.") % {"n": MAX_ZONE_BINS}})
    start = _next_sequence(warehouse.pk)
    rows = []
    for n, (aisle, shelf, bin_) in enumerate(zone_walk(**ranges)):
        parts = {"zone": zone, "aisle": f"{aisle:02d}", "shelf": f"{shelf:02d}", "bin": f"{bin_:02d}"}
        code = location_code(**parts)
        rows.append(
            Location(
                warehouse=warehouse,
                code=code,
                sequence=start + n * SEQUENCE_STEP,
                barcode=default_barcode(warehouse=warehouse, code=code),
                **parts,
            )
        )
    codes = [row.code for row in rows]
    taken = sorted(
        Location.objects.filter(warehouse=warehouse, code__in=codes).values_list("code", flat=True)
    )
    if taken:
        raise ValidationError(
            {"zone": _("Locations already there: %(codes)s.") % {"codes": ", ".join(taken[:5])}}
        )
    barcodes = _barcodes_taken(row.barcode for row in rows)
    if barcodes:
        raise _barcode_error(sorted(barcodes)[0])
    try:
        with transaction.atomic():
            made = Location.objects.bulk_create(rows)
    except IntegrityError:
        raise ValidationError({"zone": _("Another person made some of these locations just now.")}) from None
    audit(
        "inventory.location_zone_created",
        actor=actor,
        obj=warehouse,
        data={"zone": zone, "bins": len(made), **{k: list(v) for k, v in ranges.items()}},
    )
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; read them back otherwise.
    if made and made[0].pk is None:
        made = list(Location.objects.filter(warehouse=warehouse, code__in=codes).order_by("sequence"))
    return made
