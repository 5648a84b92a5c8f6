"""The bins import kind (inventory import page): per row a warehouse (code or name), a zone and
optionally aisle, shelf and bin, a code (empty: the parts joined), a pick sequence (empty:
after the last) and a barcode (empty: the warehouse's code and the bin's). Rows are written by
``locations_admin.location_save``, which checks again what it owns (codes unique in a warehouse,
barcodes across warehouses and products) inside the import's one transaction.

``prepare`` loads the warehouses and the codes and barcodes the file names that are taken, in a
few queries, so checking a file costs no query per row."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import WAREHOUSE
from core.tabular import ImportSpec
from scm.inventory import locations_admin, setup_services
from scm.inventory.importers import GROUP, chunks, merge, text
from scm.inventory.models import Location, Product, ProductUnit, Warehouse

COLUMNS = ["warehouse", "zone", "aisle", "shelf", "bin", "code", "sequence", "barcode"]
LABELS = {
    "warehouse": "仓库",
    "zone": "库区",
    "aisle": "巷道",
    "shelf": "货架",
    "bin": "货位",
    "code": "库位编码",
    "sequence": "拣货顺序",
    "barcode": "库位条码",
}
ALIASES = {"仓库编码": "warehouse", "区": "zone", "排": "aisle", "列": "shelf", "层": "bin", "库位": "code"}
EXAMPLE_WAREHOUSE = ("WH01", "主仓库")
EXAMPLE = {
    "warehouse": EXAMPLE_WAREHOUSE[0],
    "zone": "A",
    "aisle": "01",
    "shelf": "02",
    "bin": "03",
    "code": "",
    "sequence": 10,
    "barcode": "",
}
NOTES = {
    "warehouse": gettext_lazy("The warehouse's code or name."),
    "code": gettext_lazy("Empty: zone, aisle, shelf and bin joined (A-01-02-03)."),
    "sequence": gettext_lazy("Pickers walk the bins in this order; empty: after the last bin."),
    "barcode": gettext_lazy("Empty: the warehouse's code and the bin's (WH01-A-01-02-03)."),
}
PARTS = ("zone", "aisle", "shelf", "bin")


def prepare(rows: list[dict], context: dict) -> None:
    keys = {text(r.get("warehouse")) for r in rows} - {""}
    by_key: dict[str, Warehouse] = {}
    for chunk in chunks(keys):
        for wh in Warehouse.objects.filter(Q(code__in=chunk) | Q(name__in=chunk)):
            by_key.setdefault(wh.code, wh)
            by_key.setdefault(wh.name, wh)
    codes = {_code_of(r) for r in rows} - {""}
    taken_codes: set[tuple[int, str]] = set()
    for chunk in chunks(codes):
        taken_codes.update(
            (wh, code.upper())
            for wh, code in Location.objects.filter(code__in=chunk).values_list("warehouse_id", "code")
        )
    barcodes = {text(r.get("barcode")) for r in rows} - {""}
    taken_barcodes: set[str] = set()
    for chunk in chunks(barcodes):
        taken_barcodes.update(Location.objects.filter(barcode__in=chunk).values_list("barcode", flat=True))
        taken_barcodes.update(Product.objects.filter(barcode__in=chunk).values_list("barcode", flat=True))
        taken_barcodes.update(ProductUnit.objects.filter(barcode__in=chunk).values_list("barcode", flat=True))
    context.update(
        by_key=by_key,
        taken_codes=taken_codes,
        taken_barcodes=taken_barcodes,
        codes_seen=set(),
        barcodes_seen=set(),
    )


def _code_of(row: dict) -> str:
    given = text(row.get("code")).upper()
    if given:
        return given
    return locations_admin.location_code(**{part: text(row.get(part)).upper() for part in PARTS})


def clean(values: dict, context: dict) -> dict:
    errors: dict[str, list] = {}
    warehouse = context["by_key"].get(text(values.get("warehouse")))
    if warehouse is None:
        errors.setdefault("warehouse", []).append(_("No warehouse with this code or name."))
    fields = {part: text(values.get(part)) for part in PARTS}
    if not fields["zone"]:
        errors.setdefault("zone", []).append(_("Give the zone."))
    code, barcode = _code_of(values), text(values.get("barcode"))
    if warehouse is not None and code:
        key = (warehouse.pk, code)
        if key in context["taken_codes"] or key in context["codes_seen"]:
            errors.setdefault("code", []).append(
                _("This warehouse already has a location “%(code)s”.") % {"code": code}
            )
        context["codes_seen"].add(key)
    if barcode:
        if barcode in context["taken_barcodes"] or barcode in context["barcodes_seen"]:
            errors.setdefault("barcode", []).append(
                _("The barcode “%(code)s” already names another bin or a product.") % {"code": barcode}
            )
        context["barcodes_seen"].add(barcode)
    if errors:
        raise ValidationError(errors)
    if text(values.get("code")):
        fields["code"] = text(values.get("code"))
    if barcode:
        fields["barcode"] = barcode
    if text(values.get("sequence")):
        fields["sequence"] = text(values.get("sequence"))
    return {"warehouse": warehouse, "fields": fields}


def write(data: dict, actor) -> Location:
    try:
        return locations_admin.location_save(warehouse=data["warehouse"], actor=actor, **data["fields"])
    except ValidationError as exc:
        errors: dict[str, list] = {}
        merge(errors, exc)
        raise ValidationError(errors) from None


def example_setup(actor) -> None:
    code, name = EXAMPLE_WAREHOUSE
    setup_services.warehouse_ensure(code=code, name=name, actor=actor)


LOCATIONS = ImportSpec(
    kind="locations",
    columns=COLUMNS,
    required=["warehouse", "zone"],
    clean=clean,
    write=write,
    aliases=ALIASES,
    prepare=prepare,
    group=GROUP,
    label=gettext_lazy("Bins"),
    labels=LABELS,
    example=EXAMPLE,
    example_setup=example_setup,
    notes=NOTES,
    # Those who set bins up on their pages (``views.STOCK_WRITE``).
    roles=(WAREHOUSE,),
)
