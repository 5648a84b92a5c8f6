"""The opening-stock import kind (inventory import page): per row a product (SKU), a warehouse
(code or name), a lot or serial number with its expiry date, a quantity (in the base unit or
another unit of the product) and a unit cost. Each row is posted by ``opening.stock_opening``
(one ledger move, the average cost, the lot, the stock level), and the whole file is announced
once per warehouse (``stock.available``) when the last row is written.

The import is for opening balances, once: a product × warehouse × lot that already has an
opening balance (an earlier import) is refused with its row, and so is one named twice in the
file; stock found later is an adjustment or a count.

The rows are checked against what ``prepare`` loads in a few queries (products and their units,
warehouses, the lots the file names, the serial numbers in stock, earlier opening balances);
``stock_opening`` checks the same rules again when it writes (``lots.lot_for_incoming``).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import optional_date_input
from core.money import MAX_QUANTITY, decimal_input
from core.roles import WAREHOUSE
from core.tabular import ImportSpec
from scm.inventory import opening, setup_services
from scm.inventory.importers import GROUP, PRODUCT_EXAMPLE, PRODUCTS, chunks, merge, text
from scm.inventory.models import (
    Lot,
    Product,
    ProductUnit,
    StockLevel,
    StockMove,
    Transfer,
    TransferLine,
    Warehouse,
)
from scm.inventory.services import to_base_quantity

COLUMNS = ["sku", "warehouse", "lot", "expiry_date", "quantity", "unit", "unit_cost"]
LABELS = {
    "sku": "产品编码",
    "warehouse": "仓库",
    "lot": "批号/序列号",
    "expiry_date": "有效期至",
    "quantity": "数量",
    "unit": "单位",
    "unit_cost": "单位成本",
}
ALIASES = {
    # Older templates' headers: their files still import.
    "商品编码": "sku",
    "批次/序列号": "lot",
    "编码": "sku",
    "物料编码": "sku",
    "仓库编码": "warehouse",
    "批号": "lot",
    "批次": "lot",
    "序列号": "lot",
    "有效期": "expiry_date",
    "失效日期": "expiry_date",
    "到期日": "expiry_date",
    "期初数量": "quantity",
    "成本": "unit_cost",
    "成本价": "unit_cost",
}
EXAMPLE_WAREHOUSE = ("WH01", "主仓库")
EXAMPLE = {
    "sku": PRODUCT_EXAMPLE["sku"],
    "warehouse": EXAMPLE_WAREHOUSE[0],
    "lot": "L20260301",
    "expiry_date": "2027-03-01",
    "quantity": 10,
    "unit": PRODUCT_EXAMPLE["unit2"],
    "unit_cost": "67.20",
}
NOTES = {
    "warehouse": gettext_lazy("The warehouse's code or name."),
    "lot": gettext_lazy(
        "Lot-tracked products: the lot number; serial-numbered: one row per serial, quantity 1; "
        "others: empty."
    ),
    "expiry_date": gettext_lazy("YYYY-MM-DD; required for a new lot of a lot-tracked product."),
    "quantity": gettext_lazy("More than 0, in the unit given (empty unit: the base unit)."),
    "unit": gettext_lazy("Empty, the base unit, or another unit of the product (箱)."),
    "unit_cost": gettext_lazy("Cost of one of the unit given; empty: the product's cost."),
}


def prepare(rows: list[dict], context: dict) -> None:
    """Everything the rows refer to, in a few queries whatever the file's length."""
    skus = {text(r.get("sku")) for r in rows} - {""}
    products: dict[str, Product] = {}
    for chunk in chunks(skus):
        products.update({p.sku: p for p in Product.objects.filter(sku__in=chunk)})
    ids = [p.pk for p in products.values()]
    product_units: dict[int, dict[str, ProductUnit]] = {}
    lots: dict[tuple[int, str], Lot] = {}
    openings: set[tuple[int, int, str]] = set()
    numbers = {text(r.get("lot")) for r in rows} - {""}
    for chunk in chunks(ids):
        for unit in ProductUnit.objects.filter(product_id__in=chunk):
            product_units.setdefault(unit.product_id, {})[unit.name.lower()] = unit
        for product_id, warehouse_id, number in StockMove.objects.filter(
            kind=StockMove.Kind.OPENING, product_id__in=chunk
        ).values_list("product_id", "warehouse_id", "lot__number"):
            openings.add((product_id, warehouse_id, number or ""))
        for lot_chunk in chunks(numbers):
            for lot in Lot.objects.filter(product_id__in=chunk, number__in=lot_chunk):
                lots[(lot.product_id, lot.number)] = lot
    lot_ids = [lot.pk for lot in lots.values()]
    placed: dict[int, str] = {}
    for chunk in chunks(lot_ids):
        # Where each known serial number is now: in a warehouse, or on a transfer in transit.
        in_stock = StockLevel.objects.filter(lot_id__in=chunk, on_hand__gt=0, serial=True)
        for lot_id, code in in_stock.values_list("lot_id", "warehouse__code"):
            placed[lot_id] = code
        for lot_id, number in TransferLine.objects.filter(
            lot_id__in=chunk, transfer__state=Transfer.State.IN_TRANSIT
        ).values_list("lot_id", "transfer__number"):
            placed.setdefault(lot_id, number)
    by_code: dict[str, Warehouse] = {}
    by_name: dict[str, list[Warehouse]] = {}
    keys = {text(r.get("warehouse")) for r in rows} - {""}
    for chunk in chunks(keys):
        for wh in Warehouse.objects.filter(Q(code__in=chunk) | Q(name__in=chunk)):
            by_code[wh.code] = wh
            by_name.setdefault(wh.name, []).append(wh)
    context.update(
        products=products,
        product_units=product_units,
        lots=lots,
        placed=placed,
        openings=openings,
        by_code=by_code,
        by_name=by_name,
        keys_seen=set(),
        serials_seen=set(),
        expiry_seen={},
    )


def _warehouse(key: str, ctx: dict, errors: dict) -> Warehouse | None:
    if not key:
        errors.setdefault("warehouse", []).append(_("This field is required."))
        return None
    found = ctx["by_code"].get(key)
    if found is None:
        named = ctx["by_name"].get(key, [])
        if len(named) > 1:
            errors.setdefault("warehouse", []).append(
                _("Several warehouses are named “%(value)s”; give the code.") % {"value": key}
            )
            return None
        found = named[0] if named else None
    if found is None:
        errors.setdefault("warehouse", []).append(
            _("No warehouse with the code or name “%(value)s”.") % {"value": key}
        )
    elif not found.is_active:
        errors.setdefault("warehouse", []).append(_("This warehouse is inactive."))
        return None
    return found


def _product(sku: str, ctx: dict, errors: dict) -> Product | None:
    if not sku:
        errors.setdefault("sku", []).append(_("This field is required."))
        return None
    product = ctx["products"].get(sku)
    if product is None:
        errors.setdefault("sku", []).append(_("No product with the SKU “%(value)s”.") % {"value": sku})
    elif product.is_template:
        errors.setdefault("sku", []).append(_("Choose a variant: a template product holds no stock."))
    elif not product.is_active:
        errors.setdefault("sku", []).append(_("This product is inactive."))
    else:
        return product
    return None


def _unit(product: Product, name: str, ctx: dict, errors: dict) -> tuple[bool, ProductUnit | None]:
    """(found, unit): the product's unit named ``name`` (None: its base unit)."""
    if not name or name.lower() == product.base_unit.lower():
        return True, None
    unit = ctx["product_units"].get(product.pk, {}).get(name.lower())
    if unit is None:
        known = [product.base_unit, *(u.name for u in ctx["product_units"].get(product.pk, {}).values())]
        errors.setdefault("unit", []).append(
            _("“%(unit)s” is not a unit of %(sku)s (%(units)s).")
            % {"unit": name, "sku": product.sku, "units": "、".join(known)}
        )
        return False, None
    return True, unit


def _lot(product: Product, number: str, expiry: date | None, ctx: dict, errors: dict) -> None:
    """The rules of ``lots.lot_for_incoming`` for the row's lot or serial number, checked
    against what ``prepare`` loaded."""
    limit = Lot._meta.get_field("number").max_length
    if len(number) > limit:
        errors.setdefault("lot", []).append(_("At most %(n)s characters.") % {"n": limit})
        return
    if product.tracking == Product.Tracking.NONE:
        if number:
            errors.setdefault("lot", []).append(_("This product is not tracked by lot or serial number."))
        if expiry is not None:
            errors.setdefault("expiry_date", []).append(
                _("This product is not tracked by lot: leave the expiry date empty.")
            )
        return
    if not number:
        errors.setdefault("lot", []).append(_("A lot or serial number is required for this product."))
        return
    known = ctx["lots"].get((product.pk, number))
    if product.tracking == Product.Tracking.LOT and "expiry_date" not in errors:
        before = known.expiry_date if known is not None else ctx["expiry_seen"].get((product.pk, number))
        if expiry is None and before is None:
            errors.setdefault("expiry_date", []).append(_("An expiry date is required for this lot."))
        elif expiry is not None and before is not None and expiry != before:
            errors.setdefault("expiry_date", []).append(
                _("This lot is already known with another expiry date.")
            )
        elif expiry is not None:
            ctx["expiry_seen"][(product.pk, number)] = expiry
        return
    if product.tracking == Product.Tracking.LOT:
        return
    if known is not None and known.pk in ctx["placed"]:
        errors.setdefault("lot", []).append(
            _("Serial number %(serial)s is already in %(place)s.")
            % {"serial": number, "place": ctx["placed"][known.pk]}
        )
    elif (product.pk, number) in ctx["serials_seen"]:
        errors.setdefault("lot", []).append(_("This serial number is on another row of the file."))
    ctx["serials_seen"].add((product.pk, number))


def clean(values: dict, context: dict) -> dict:
    ctx = context
    errors: dict[str, list] = {}
    product = _product(text(values.get("sku")), ctx, errors)
    warehouse = _warehouse(text(values.get("warehouse")), ctx, errors)
    number = text(values.get("lot"))
    try:
        expiry = optional_date_input(text(values.get("expiry_date")), field="expiry_date")
    except ValidationError as exc:
        merge(errors, exc)
        expiry = None
    quantity = unit = cost = None
    try:
        quantity = decimal_input(values.get("quantity", ""), field="quantity", limit=MAX_QUANTITY)
        if quantity <= 0:
            raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    except ValidationError as exc:
        merge(errors, exc)
        quantity = None
    if text(values.get("unit_cost")):
        try:
            cost = decimal_input(values.get("unit_cost"), field="unit_cost")
            if cost < 0:
                raise ValidationError({"unit_cost": _("The cost cannot be negative.")})
        except ValidationError as exc:
            merge(errors, exc)
    if product is not None:
        found, unit = _unit(product, text(values.get("unit")), ctx, errors)
        if found and quantity is not None:
            try:
                base = to_base_quantity(product=product, quantity=quantity, unit=unit)
                if product.tracking == Product.Tracking.SERIAL and base != 1:
                    message = _("Serial-numbered products take one row per serial number, quantity 1.")
                    raise ValidationError({"quantity": message})
            except ValidationError as exc:
                merge(errors, exc)
        _lot(product, number, expiry, ctx, errors)
    if product is not None and warehouse is not None and "lot" not in errors:
        key = (product.pk, warehouse.pk, number)
        column = "lot" if number else "sku"
        if key in ctx["openings"]:
            errors.setdefault(column, []).append(
                _("%(sku)s already has an opening balance in %(warehouse)s.")
                % {"sku": product.sku, "warehouse": warehouse.code}
            )
        elif key in ctx["keys_seen"]:
            errors.setdefault(column, []).append(
                _("%(sku)s is on another row for %(warehouse)s: give one row per product, warehouse and lot.")
                % {"sku": product.sku, "warehouse": warehouse.code}
            )
        ctx["keys_seen"].add(key)
    if errors:
        raise ValidationError(errors)
    return {
        "line": opening.OpeningLine(
            product=product,
            warehouse=warehouse,
            quantity=quantity,
            unit=unit,
            unit_cost=cost,
            lot_number=number,
            expiry_date=expiry,
        )
    }


# The service's field names as the file's columns, for an error found only while writing.
_COLUMN_OF = {"lot_number": "lot", "product": "sku", "lot": "lot"}


def write(data: dict, actor) -> list[StockMove]:
    try:
        return opening.stock_opening(lines=[data["line"]], user=actor, announce=False)
    except ValidationError as exc:
        errors: dict[str, list] = {}
        merge(errors, exc, _COLUMN_OF)
        raise ValidationError(errors) from None


def finish(written: list[list[StockMove]], actor) -> None:
    opening.stock_opening_announce(moves=[move for moves in written for move in moves])


def example_setup(actor) -> None:
    """What the example row refers to: the products example's product and a warehouse."""
    code, name = EXAMPLE_WAREHOUSE
    setup_services.warehouse_ensure(code=code, name=name, actor=actor)
    if not Product.objects.filter(sku=PRODUCT_EXAMPLE["sku"]).exists():
        context: dict = {"user": actor}
        PRODUCTS.prepare([PRODUCT_EXAMPLE], context)
        PRODUCTS.write(PRODUCTS.clean(dict(PRODUCT_EXAMPLE), context), actor)


OPENING_STOCK = ImportSpec(
    kind="opening_stock",
    columns=COLUMNS,
    required=["sku", "warehouse", "quantity"],
    clean=clean,
    write=write,
    aliases=ALIASES,
    prepare=prepare,
    group=GROUP,
    label=gettext_lazy("Opening stock"),
    labels=LABELS,
    example=EXAMPLE,
    example_setup=example_setup,
    notes=NOTES,
    # Those who change stock on its pages (``views.STOCK_WRITE``).
    roles=(WAREHOUSE,),
    finish=finish,
)
