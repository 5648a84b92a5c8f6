"""Import kinds of the inventory import page (group ``"inventory"``, see ``core.tabular`` and
``core.imports``): products (with their units, barcodes, categories and prices) here, opening
stock in ``opening_import``. The app's ``ready`` registers the kinds.

A products file is checked without a query per row: ``prepare`` loads the SKUs and barcodes the
file names that are taken already, and the company's units and their usual conversions, in a
few queries (a 500-row file checks in well under a second). Rows are written through the
catalogue's services (``catalogue.product_create``, ``product_unit_save``,
``category_path_ensure``, ``brand_ensure``), which check again what they own (barcodes unique
across products and units) inside the import's one transaction.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import MAX_AMOUNT, MAX_QUANTITY, decimal_input, tax_rate_input
from core.preferences import UNIT_CONVERSIONS, preference
from core.roles import MANAGER, PURCHASING
from core.tabular import ImportSpec
from scm.inventory import catalogue, units
from scm.inventory.models import Product, ProductUnit

GROUP = "inventory"
_CHUNK = 500
_YES = {"1", "yes", "y", "true", "是", "可", "可以", "能"}
_NO = {"0", "no", "n", "false", "否", "不", "不可", "不能"}
# Tracking as a file may say it (the English and Chinese words; the choices' labels too).
_TRACKING = {
    "none": Product.Tracking.NONE,
    "无": Product.Tracking.NONE,
    "不追踪": Product.Tracking.NONE,
    "lot": Product.Tracking.LOT,
    "batch": Product.Tracking.LOT,
    "批次": Product.Tracking.LOT,
    "批号": Product.Tracking.LOT,
    "serial": Product.Tracking.SERIAL,
    "序列号": Product.Tracking.SERIAL,
    "sn": Product.Tracking.SERIAL,
}
# Units 2 and 3: another unit of the product (箱 of 24), its factor and its own barcode.
EXTRA_UNITS = (2, 3)
MAX_WARRANTY_MONTHS = 1200

PRODUCT_COLUMNS = [
    "sku",
    "name",
    "category",
    "brand",
    "base_unit",
    "base_unit_divisible",
    "barcode",
    "tracking",
    "unit2",
    "unit2_factor",
    "unit2_barcode",
    "unit3",
    "unit3_factor",
    "unit3_barcode",
    "list_price",
    "cost",
    "tax_rate",
    "warranty_months",
]
PRODUCT_LABELS = {
    "sku": "产品编码",
    "name": "产品名称",
    "category": "类目",
    "brand": "品牌",
    "base_unit": "基本单位",
    "base_unit_divisible": "基本单位可拆分",
    "barcode": "条码",
    "tracking": "追踪方式",
    "unit2": "单位2",
    "unit2_factor": "单位2换算",
    "unit2_barcode": "单位2条码",
    "unit3": "单位3",
    "unit3_factor": "单位3换算",
    "unit3_barcode": "单位3条码",
    "list_price": "标准售价",
    "cost": "成本价",
    "tax_rate": "税率",
    "warranty_months": "保修月数",
}
PRODUCT_ALIASES = {
    # The headers of older templates (商品…, 分类): their files still import.
    "商品编码": "sku",
    "商品名称": "name",
    "分类": "category",
    "编码": "sku",
    "物料编码": "sku",
    "货号": "sku",
    "名称": "name",
    "品名": "name",
    "商品分类": "category",
    "类别": "category",
    "单位": "base_unit",
    "可拆分": "base_unit_divisible",
    "条形码": "barcode",
    "追踪": "tracking",
    "售价": "list_price",
    "成本": "cost",
    "保修期": "warranty_months",
}
PRODUCT_EXAMPLE = {
    "sku": "SP-0001",
    "name": "茉莉花茶饮料 500ml",
    "category": "饮料/茶饮",
    "brand": "清泉",
    "base_unit": "个",
    "base_unit_divisible": "否",
    "barcode": "6901234567892",
    "tracking": "批次",
    "unit2": "箱",
    "unit2_factor": 24,
    "unit2_barcode": "16901234567899",
    "list_price": "4.50",
    "cost": "2.80",
    "tax_rate": "13%",
    "warranty_months": 0,
}
PRODUCT_NOTES = {
    "sku": gettext_lazy("Unique; a SKU that exists already is an error."),
    "category": gettext_lazy("A path such as 饮料/茶饮; missing categories are created."),
    "brand": gettext_lazy("Created when missing."),
    "base_unit": gettext_lazy("The unit stock is counted in: one of the company's units (个, 箱, kg…)."),
    "base_unit_divisible": gettext_lazy("是/否: whether the base unit can be split (kg yes, 个 no)."),
    "barcode": gettext_lazy("Unique across products and units."),
    "tracking": gettext_lazy("无 (none), 批次 (lot with expiry) or 序列号 (serial number)."),
    "unit2": gettext_lazy("Another unit (箱, 包), with how many base units it holds."),
    "unit2_factor": gettext_lazy("Base units in one; empty: the company's usual conversion."),
    "tax_rate": gettext_lazy("13% or 0.13; empty: 13%."),
    "warranty_months": gettext_lazy("Months of warranty from shipping (0: none)."),
}


def text(value) -> str:
    """A cell as text: a whole number that a spreadsheet made a float (1001.0) as ``1001``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


def yes_no(value, *, field: str) -> bool | None:
    """是/否, yes/no, 1/0 (None when empty)."""
    word = text(value).lower()
    if not word:
        return None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError({field: _("Enter 是 or 否 (yes or no).")})


def merge(errors: dict, exc: ValidationError, rename: dict | None = None) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault((rename or {}).get(key, key), []).extend(messages)


def chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def tax_rate_cell(value, *, field: str = "tax_rate") -> Decimal:
    """A tax rate as a file gives it: ``13%`` or ``0.13`` (``tax_rate_input``'s rule)."""
    raw = text(value)
    if raw.endswith(("%", "％")):
        number = decimal_input(raw[:-1], field=field)
        return tax_rate_input(number / 100, field=field)
    return tax_rate_input(raw, field=field)


def _tracking(value) -> str:
    word = text(value).lower()
    if not word:
        return Product.Tracking.NONE
    if word in _TRACKING:
        return _TRACKING[word]
    for key, label in Product.Tracking.choices:
        if word == str(label).lower():
            return key
    raise ValidationError({"tracking": _("Enter 无, 批次 or 序列号 (none, lot or serial).")})


# --- products -------------------------------------------------------------------------------


_BARCODE_COLUMNS = ("barcode", "unit2_barcode", "unit3_barcode")


def first_rows(rows: list[dict], columns) -> dict[str, int]:
    """Each value of ``columns`` → the file row it is first on (row 1 is the header)."""
    first: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        for column in columns:
            value = text(row.get(column))
            if value:
                first.setdefault(value, number)
    return first


def prepare_products(rows: list[dict], context: dict) -> None:
    """The SKUs and barcodes of the file that are taken already, and the company's units and
    conversions: a few queries for the whole file."""
    sku_rows, code_rows = first_rows(rows, ("sku",)), first_rows(rows, _BARCODE_COLUMNS)
    skus, codes = set(sku_rows), set(code_rows)
    taken_skus: set[str] = set()
    for chunk in chunks(skus):
        taken_skus.update(Product.objects.filter(sku__in=chunk).values_list("sku", flat=True))
    taken_codes: set[str] = set()
    for chunk in chunks(codes):
        taken_codes.update(Product.objects.filter(barcode__in=chunk).values_list("barcode", flat=True))
        taken_codes.update(ProductUnit.objects.filter(barcode__in=chunk).values_list("barcode", flat=True))
    context.update(
        taken_skus=taken_skus,
        taken_codes=taken_codes,
        sku_rows=sku_rows,
        code_rows=code_rows,
        skus_seen=set(),
        codes_seen=set(),
        units=units.units_offered(),
        conversions=preference(UNIT_CONVERSIONS),
    )


def _barcode(value, column: str, ctx: dict, errors: dict) -> str:
    code = text(value)
    if not code:
        return ""
    if code in ctx["taken_codes"]:
        errors.setdefault(column, []).append(_("Another product or unit already has this barcode."))
    elif code in ctx["codes_seen"]:
        errors.setdefault(column, []).append(
            _("This barcode is also on row %(row)s.") % {"row": ctx["code_rows"][code]}
        )
    else:
        ctx["codes_seen"].add(code)
    return code


def _number(values, column, errors, *, limit=MAX_AMOUNT, blank=None) -> Decimal | None:
    try:
        number = decimal_input(values.get(column, ""), field=column, blank=blank, limit=limit)
    except ValidationError as exc:
        merge(errors, exc)
        return None
    if number < 0:
        errors.setdefault(column, []).append(_("Enter a number of 0 or more."))
        return None
    return number


def _extra_unit(n: int, values: dict, base: str | None, taken_names: set, ctx: dict, errors: dict):
    """Unit ``n`` of the row (``unit2``…) as ``product_unit_save``'s fields, or None."""
    col, factor_col, barcode_col = f"unit{n}", f"unit{n}_factor", f"unit{n}_barcode"
    raw_name = text(values.get(col))
    if not raw_name:
        if text(values.get(factor_col)) or text(values.get(barcode_col)):
            errors.setdefault(col, []).append(_("Enter a unit."))
        return None
    try:
        name = units.unit_input(raw_name, field=col, units=ctx["units"])
    except ValidationError as exc:
        merge(errors, exc)
        return None
    if name.lower() in taken_names:
        errors.setdefault(col, []).append(_("The product already has the unit “%(unit)s”.") % {"unit": name})
        return None
    taken_names.add(name.lower())
    if text(values.get(factor_col)):
        factor = _number(values, factor_col, errors, limit=MAX_QUANTITY)
        if factor is not None and factor <= 0:
            errors.setdefault(factor_col, []).append(_("Enter a number greater than 0."))
            factor = None
    elif base is not None:
        factor = units.usual_factor(name, base, conversions=ctx["conversions"])
        if factor is None:
            errors.setdefault(factor_col, []).append(
                _("Enter how many %(base)s one %(unit)s holds: the company has no usual conversion.")
                % {"base": base, "unit": name}
            )
    else:
        factor = None
    fields = {
        "name": name,
        "factor": factor,
        "barcode": _barcode(values.get(barcode_col), barcode_col, ctx, errors),
        "divisible": units.unit_divisible(name, units=ctx["units"]),
    }
    if factor is not None:
        probe = ProductUnit(**fields)
        try:
            probe.full_clean(exclude=["product"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            merge(errors, exc, {"name": col, "factor": factor_col, "barcode": barcode_col})
    return fields


def clean_product(values: dict, context: dict) -> dict:
    ctx = context
    errors: dict[str, list] = {}
    sku, name = text(values.get("sku")), text(values.get("name"))
    for column, value in (("sku", sku), ("name", name)):
        if not value:
            errors.setdefault(column, []).append(_("This field is required."))
    if sku and sku in ctx["taken_skus"]:
        errors.setdefault("sku", []).append(_("A product with this SKU already exists."))
    elif sku and sku in ctx["skus_seen"]:
        errors.setdefault("sku", []).append(
            _("This SKU is also on row %(row)s.") % {"row": ctx["sku_rows"][sku]}
        )
    elif sku:
        ctx["skus_seen"].add(sku)
    fields: dict = {"sku": sku, "name": name}
    try:
        category = "/".join(catalogue.category_path_parts(values.get("category")))
    except ValidationError as exc:
        merge(errors, exc)
        category = ""
    base = None
    try:
        base = units.unit_input(values.get("base_unit"), field="base_unit", units=ctx["units"])
        fields["base_unit"] = base
        divisible = yes_no(values.get("base_unit_divisible"), field="base_unit_divisible")
        fields["base_unit_divisible"] = (
            units.unit_divisible(base, units=ctx["units"]) if divisible is None else divisible
        )
    except ValidationError as exc:
        merge(errors, exc)
    fields["barcode"] = _barcode(values.get("barcode"), "barcode", ctx, errors)
    try:
        fields["tracking"] = _tracking(values.get("tracking"))
    except ValidationError as exc:
        merge(errors, exc)
    taken_names = {base.lower()} if base else set()
    extra = [_extra_unit(n, values, base, taken_names, ctx, errors) for n in EXTRA_UNITS]
    fields["list_price"] = _number(values, "list_price", errors, blank=0)
    cost = _number(values, "cost", errors, blank=0)
    if text(values.get("tax_rate")):
        try:
            fields["tax_rate"] = tax_rate_cell(values.get("tax_rate"))
        except ValidationError as exc:
            merge(errors, exc)
    months = _number(values, "warranty_months", errors, blank=0, limit=Decimal(10**6))
    if months is not None and (months != months.to_integral_value() or months > MAX_WARRANTY_MONTHS):
        errors.setdefault("warranty_months", []).append(
            _("Enter a whole number of months from 0 to %(n)s.") % {"n": MAX_WARRANTY_MONTHS}
        )
    elif months is not None:
        fields["warranty_months"] = int(months)
    probe = Product(**{k: v for k, v in fields.items() if v is not None}, cost=cost or 0)
    try:
        # Lengths, decimal places and the tax rate's range: no query (uniqueness was checked
        # against what ``prepare`` loaded).
        probe.full_clean(
            exclude=["category", "brand", "template", *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    return {
        "fields": fields,
        "cost": cost,
        "category": category,
        "brand": text(values.get("brand")),
        "units": [u for u in extra if u is not None],
    }


def write_product(data: dict, actor) -> Product:
    category = catalogue.category_path_ensure(path=data["category"], user=actor)
    brand = catalogue.brand_ensure(name=data["brand"], user=actor)
    product = catalogue.product_create(
        user=actor, category=category, brand=brand, cost=data["cost"], **data["fields"]
    )
    for unit in data["units"]:
        catalogue.product_unit_save(product=product, user=actor, **unit)
    return product


PRODUCTS = ImportSpec(
    kind="products",
    columns=PRODUCT_COLUMNS,
    required=["sku", "name", "base_unit"],
    clean=clean_product,
    write=write_product,
    aliases=PRODUCT_ALIASES,
    prepare=prepare_products,
    group=GROUP,
    label=gettext_lazy("Products"),
    labels=PRODUCT_LABELS,
    example=PRODUCT_EXAMPLE,
    notes=PRODUCT_NOTES,
    # Those who edit the catalogue on its pages (``views.CATALOGUE_WRITE``).
    roles=(PURCHASING, MANAGER),
)
