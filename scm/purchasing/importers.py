"""Import kinds of the purchasing import page (group ``"purchasing"``, see ``core.tabular`` and
``core.imports``): suppliers, and supplier prices (a supplier by code or name, a product by SKU;
the supplier's product is added when the supplier did not sell it yet).

Rows are written through the same services as the pages, under the same rule (purchasing and
managers). A cell holding a formula (``=…``) is refused by ``core.tabular``, for every kind.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import imports
from core.dates import optional_date_input
from core.money import MAX_QUANTITY, decimal_input
from core.people import people_by_name
from core.tabular import ImportSpec
from scm.purchasing import services
from scm.purchasing.models import Supplier, SupplierPrice, SupplierProduct
from scm.purchasing.selectors import SUPPLIER_EDIT_ROLES

GROUP = "purchasing"
_CHUNK = 500

SUPPLIER_COLUMNS = [
    "code",
    "name",
    "tax_id",
    "address",
    "phone",
    "email",
    "bank_name",
    "bank_account",
    "payment_terms_days",
    "payment_terms_month_end",
    "currency",
    "buyer",
    "notes",
]
PRICE_COLUMNS = ["supplier", "sku", "supplier_code", "min_quantity", "unit_price", "valid_from", "valid_to"]
ALIASES = {
    "编码": "code",
    "供应商编码": "code",
    "名称": "name",
    "供应商名称": "name",
    "税号": "tax_id",
    "地址": "address",
    "电话": "phone",
    "邮箱": "email",
    "开户行": "bank_name",
    "银行账号": "bank_account",
    "账期": "payment_terms_days",
    "月结": "payment_terms_month_end",
    "币种": "currency",
    "采购员": "buyer",
    "备注": "notes",
    "供应商": "supplier",
    "物料编码": "sku",
    "供应商料号": "supplier_code",
    "起订量": "min_quantity",
    "数量起": "min_quantity",
    "单价": "unit_price",
    "生效日期": "valid_from",
    "失效日期": "valid_to",
}
_YES = {"1", "yes", "true", "是", "y"}


def _merge(errors: dict, exc: ValidationError) -> None:
    for k, v in exc.message_dict.items():
        errors.setdefault(k, []).extend(v)


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# --- suppliers ------------------------------------------------------------------------------


def prepare_suppliers(rows: list[dict], context: dict) -> None:
    codes = {str(r.get("code", "")).strip() for r in rows} - {""}
    taken: set[str] = set()
    for chunk in _chunks(codes):
        taken.update(Supplier.objects.filter(code__in=chunk).values_list("code", flat=True))
    context["taken_codes"] = taken
    context["codes"] = set()
    context["users"] = people_by_name(get_user_model().objects.filter(is_active=True))


def clean_supplier(values: dict, context: dict) -> dict:
    errors: dict[str, list] = {}
    out: dict = {}
    for key in ("code", "name", "tax_id", "address", "phone", "email", "bank_name", "bank_account", "notes"):
        if key in values:
            out[key] = str(values[key]).strip()
    if not out.get("name"):
        errors.setdefault("name", []).append(_("This field is required."))
    code = out.get("code", "")
    if code:
        if code in context["codes"] or code in context["taken_codes"]:
            errors.setdefault("code", []).append(_("A supplier with this code already exists."))
        context["codes"].add(code)
    if str(values.get("currency", "")).strip():
        out["currency"] = str(values["currency"]).strip().upper()
    if str(values.get("payment_terms_days", "")).strip():
        try:
            days = decimal_input(values["payment_terms_days"], field="payment_terms_days")
            if days < 0 or days > 3650 or days != days.to_integral_value():
                raise ValueError
            out["payment_terms_days"] = int(days)
        except (ValueError, ValidationError):
            errors.setdefault("payment_terms_days", []).append(_("Enter a whole number of days."))
    if "payment_terms_month_end" in values:
        out["payment_terms_month_end"] = str(values["payment_terms_month_end"]).strip().lower() in _YES
    buyer = str(values.get("buyer", "") or "").strip()
    if buyer:
        out["buyer"] = context["users"].get(buyer.lower())
        if out["buyer"] is None:
            errors.setdefault("buyer", []).append(_("“%(value)s” was not found.") % {"value": buyer})
    probe = Supplier(**{k: v for k, v in out.items() if k not in errors})
    try:
        probe.full_clean(
            exclude=["code", "buyer", "default_warehouse", *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    return out


def write_supplier(data: dict, actor) -> None:
    services.supplier_create(actor=actor, **data)


# --- supplier prices ------------------------------------------------------------------------


def prepare_prices(rows: list[dict], context: dict) -> None:
    """The suppliers (by code or name) and products (by SKU) the file names, and the prices
    already in force for them, in a few queries."""
    from scm.inventory.models import Product

    keys = {str(r.get("supplier", "") or "").strip() for r in rows} - {""}
    skus = {str(r.get("sku", "") or "").strip() for r in rows} - {""}
    by_code: dict[str, Supplier] = {}
    by_name: dict[str, list[Supplier]] = {}
    for chunk in _chunks(keys):
        for s in Supplier.objects.filter(Q(code__in=chunk) | Q(name__in=chunk)):
            by_code[s.code] = s
            by_name.setdefault(s.name, []).append(s)
    products = {}
    for chunk in _chunks(skus):
        products.update({p.sku: p for p in Product.objects.filter(sku__in=chunk)})
    items = {}
    prices: dict[tuple, list] = {}
    supplier_ids = {s.pk for s in by_code.values()}
    product_ids = {p.pk for p in products.values()}
    if supplier_ids and product_ids:
        for item in SupplierProduct.objects.filter(supplier_id__in=supplier_ids, product_id__in=product_ids):
            items[(item.supplier_id, item.product_id)] = item
        for price in SupplierPrice.objects.filter(supplier_product__in=list(items.values())).select_related(
            "supplier_product"
        ):
            key = (price.supplier_product.supplier_id, price.supplier_product.product_id, price.min_quantity)
            prices.setdefault(key, []).append((price.valid_from, price.valid_to))
    context.update(by_code=by_code, by_name=by_name, products=products, items=items, prices=prices)


def _overlaps(periods, start, end) -> bool:
    for other_start, other_end in periods:
        if (end is None or other_start is None or other_start <= end) and (
            start is None or other_end is None or other_end >= start
        ):
            return True
    return False


def _supplier_of(key: str, context: dict, errors: dict) -> Supplier | None:
    if not key:
        errors.setdefault("supplier", []).append(_("This field is required."))
        return None
    if key in context["by_code"]:
        return context["by_code"][key]
    named = context["by_name"].get(key, [])
    if len(named) > 1:
        errors.setdefault("supplier", []).append(
            _("Several suppliers are named “%(value)s”; give the code.") % {"value": key}
        )
    elif not named:
        errors.setdefault("supplier", []).append(
            _("No supplier with the code or name “%(value)s”.") % {"value": key}
        )
    return named[0] if len(named) == 1 else None


def clean_price(values: dict, context: dict) -> dict:
    errors: dict[str, list] = {}
    supplier = _supplier_of(str(values.get("supplier", "") or "").strip(), context, errors)
    sku = str(values.get("sku", "") or "").strip()
    product = context["products"].get(sku)
    if product is None:
        errors.setdefault("sku", []).append(_("No product with the SKU “%(value)s”.") % {"value": sku})
    out = {
        "supplier": supplier,
        "product": product,
        "supplier_code": str(values.get("supplier_code", "")).strip(),
    }
    for key, parse in (
        ("min_quantity", lambda v: decimal_input(v, field="min_quantity", blank=0, limit=MAX_QUANTITY)),
        ("unit_price", lambda v: decimal_input(v, field="unit_price")),
        ("valid_from", lambda v: optional_date_input(v, field="valid_from")),
        ("valid_to", lambda v: optional_date_input(v, field="valid_to")),
    ):
        if key in errors:
            continue
        try:
            out[key] = parse(values.get(key, ""))
        except ValidationError as exc:
            _merge(errors, exc)
    if "unit_price" in out and out["unit_price"] <= 0:
        errors.setdefault("unit_price", []).append(_("The price must be more than 0."))
    if out.get("min_quantity") is not None and out["min_quantity"] < 0:
        errors.setdefault("min_quantity", []).append(_("Enter a number of 0 or more."))
    start, end = out.get("valid_from"), out.get("valid_to")
    if start and end and end < start:
        errors.setdefault("valid_to", []).append(_("The end of validity is before its start."))
    if not errors:
        key = (supplier.pk, product.pk, out["min_quantity"])
        periods = context["prices"].setdefault(key, [])
        if _overlaps(periods, start, end):
            errors.setdefault("valid_from", []).append(
                _("Another price for this quantity is valid at the same time.")
            )
        periods.append((start, end))
    if errors:
        raise ValidationError(errors)
    return out


def write_price(data: dict, actor) -> None:
    supplier, product = data.pop("supplier"), data.pop("product")
    supplier_code = data.pop("supplier_code")
    item = SupplierProduct.objects.filter(supplier=supplier, product=product).first()
    if item is None:
        item = services.supplier_product_create(
            supplier=supplier, product=product, actor=actor, supplier_code=supplier_code
        )
    elif supplier_code and supplier_code != item.supplier_code:
        item = services.supplier_product_update(item=item, actor=actor, supplier_code=supplier_code)
    services.supplier_price_create(supplier_product=item, actor=actor, **data)


SUPPLIER_EXAMPLE = {
    "code": "GYS0001",
    "name": "宁波顺达包装材料有限公司",
    "tax_id": "91440300MA5G2Y1K1E",
    "address": "浙江省宁波市北仑区新碶街道明州路88号",
    "phone": "057486880001",
    "email": "sales@shunda.example.cn",
    "bank_name": "中国银行宁波北仑支行",
    "bank_account": "3560 1234 5678 0001",
    "payment_terms_days": 60,
    "payment_terms_month_end": "是",
    "currency": "CNY",
    "notes": "月结60天，满5000元包邮",
}
# The product the supplier prices template's example names.
EXAMPLE_SKU = "CP0001"


def prices_example_setup(actor) -> None:
    """The supplier (the suppliers template's example) and the product the prices template's
    example names."""
    from scm.inventory.catalogue import product_create
    from scm.inventory.models import Product

    if not Supplier.objects.filter(code=SUPPLIER_EXAMPLE["code"]).exists():
        services.supplier_create(actor=actor, code=SUPPLIER_EXAMPLE["code"], name=SUPPLIER_EXAMPLE["name"])
    if not Product.objects.filter(sku=EXAMPLE_SKU).exists():
        product_create(user=actor, sku=EXAMPLE_SKU, name="瓦楞纸箱 40×30×30cm")


SUPPLIERS = ImportSpec(
    kind="suppliers",
    columns=SUPPLIER_COLUMNS,
    required=["name"],
    clean=clean_supplier,
    write=write_supplier,
    aliases=ALIASES,
    prepare=prepare_suppliers,
    group=GROUP,
    label=gettext_lazy("Suppliers"),
    labels={
        "code": "供应商编码",
        "name": "供应商名称",
        "tax_id": "纳税人识别号",
        "address": "地址",
        "phone": "电话",
        "email": "邮箱",
        "bank_name": "开户行",
        "bank_account": "银行账号",
        "payment_terms_days": "账期（天）",
        "payment_terms_month_end": "月结",
        "currency": "币种",
        "buyer": "采购员",
        "notes": "备注",
    },
    example=SUPPLIER_EXAMPLE,
    notes={
        "code": gettext_lazy("Left blank: numbered automatically. A code in use is an error."),
        "payment_terms_days": gettext_lazy("Whole days"),
        "payment_terms_month_end": gettext_lazy("是 or 否 (yes or no): terms counted from the month's end"),
        "currency": gettext_lazy("CNY, USD or EUR"),
        "buyer": gettext_lazy("A user name"),
    },
    roles=SUPPLIER_EDIT_ROLES,
)
SUPPLIER_PRICES = ImportSpec(
    kind="supplier_prices",
    columns=PRICE_COLUMNS,
    required=["supplier", "sku", "unit_price"],
    clean=clean_price,
    write=write_price,
    aliases=ALIASES,
    prepare=prepare_prices,
    group=GROUP,
    label=gettext_lazy("Supplier prices"),
    labels={
        "supplier": "供应商",
        "sku": "物料编码",
        "supplier_code": "供应商料号",
        "min_quantity": "起订量",
        "unit_price": "单价",
        "valid_from": "生效日期",
        "valid_to": "失效日期",
    },
    example={
        "supplier": SUPPLIER_EXAMPLE["code"],
        "sku": EXAMPLE_SKU,
        "supplier_code": "SD-4030",
        "min_quantity": 100,
        "unit_price": Decimal("3.85"),
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    },
    notes={
        "supplier": gettext_lazy("A supplier's code or name"),
        "sku": gettext_lazy("A product's SKU"),
        "min_quantity": gettext_lazy("The price holds from this quantity up (base unit); blank: 0"),
        "unit_price": gettext_lazy("Per base unit, in the supplier's currency"),
        "valid_from": "YYYY-MM-DD",
        "valid_to": "YYYY-MM-DD",
    },
    roles=SUPPLIER_EDIT_ROLES,
    example_setup=prices_example_setup,
)


def install() -> None:
    imports.register(SUPPLIERS)
    imports.register(SUPPLIER_PRICES)
