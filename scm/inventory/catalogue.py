"""Catalogue services: creating and changing products (not their stock)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit
from scm.inventory.models import Brand, Category, Product
from scm.inventory.units import unit_input, usual_factor

EDITABLE = (
    "sku",
    "name",
    "category",
    "brand",
    "barcode",
    "tracking",
    "base_unit",
    "base_unit_divisible",
    "list_price",
    "tax_rate",
    "is_active",
    "reorder_point",
    "reorder_quantity",
    "warranty_months",
    "template",
    "is_template",
    "attributes",
)


def _validate(product: Product) -> None:
    product.full_clean()
    before = None
    if product.pk:
        before = Product.objects.filter(pk=product.pk).values("tracking", "base_unit").first()
    _check_base_unit(product, before)
    if product.barcode and _barcode_taken(product.barcode, product_id=product.pk):
        raise ValidationError({"barcode": _("Another product already has this barcode.")})
    if (
        before is not None
        and product.tracking != before["tracking"]
        and product.stock_levels.exclude(on_hand=0).exists()
    ):
        raise ValidationError({"tracking": _("Tracking cannot change while the product is in stock.")})


def _check_base_unit(product: Product, before: dict | None) -> None:
    """A new or changed base unit is one of the company's units (``units.unit_input``); a unit
    set before the company named its units stays valid while it is not changed, and a variant
    keeps its template's."""
    unchanged = before is not None and before["base_unit"] == product.base_unit
    inherited = product.template is not None and product.template.base_unit == product.base_unit
    if not (unchanged or inherited):
        product.base_unit = unit_input(product.base_unit, field="base_unit")


@transaction.atomic
def product_create(*, user=None, cost=None, **fields) -> Product:
    """A new product. ``cost`` is its average cost until stock comes in (what an imported
    catalogue states); afterwards only receipts move it, so it is not among ``EDITABLE``."""
    product = Product(**{k: v for k, v in fields.items() if k in EDITABLE})
    if cost is not None:
        product.cost = cost
    _validate(product)
    product.save()
    audit("inventory.product_created", actor=user, obj=product, data={"sku": product.sku})
    return product


@transaction.atomic
def product_update(*, product: Product, user=None, **fields) -> Product:
    changed = {}
    for key, value in fields.items():
        if key in EDITABLE and getattr(product, key) != value:
            changed[key] = str(value)
            setattr(product, key, value)
    _validate(product)
    product.save()
    if changed:
        audit("inventory.product_changed", actor=user, obj=product, data=changed)
    return product


@transaction.atomic
def product_list_prices_set(
    *, prices: dict[int, Decimal], expected: dict[int, Decimal], user=None, data=None
) -> int:
    """Set several products' list prices at once (a bulk price change, ``crm.sales``): product id →
    new price, each written only if the product's price is still ``expected[id]`` (the products
    are locked first, in id order). A price that changed meanwhile, or a negative new price,
    raises ``ValidationError`` and writes nothing. One audit entry (``data`` and every change:
    ``[id, old, new]``). Returns how many prices changed."""
    ids = sorted(int(pk) for pk in prices)
    locked = {
        row["pk"]: row["list_price"]
        for row in Product.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values("pk", "list_price")
    }
    if set(locked) != set(ids) or any(locked[pk] != Decimal(str(expected[pk])) for pk in ids):
        raise ValidationError(
            {"prices": _("Prices changed meanwhile: look at them again before changing them.")}
        )
    if any(Decimal(str(prices[pk])) < 0 for pk in ids):
        raise ValidationError({"prices": _("A list price cannot be negative.")})
    changed = [
        Product(pk=pk, list_price=Decimal(str(prices[pk])))
        for pk in ids
        if Decimal(str(prices[pk])) != locked[pk]
    ]
    Product.objects.bulk_update(changed, ["list_price"], batch_size=500)
    audit(
        "inventory.list_prices_changed",
        actor=user,
        data={**(data or {}), "changes": [[pk, str(locked[pk]), str(prices[pk])] for pk in ids]},
    )
    return len(changed)


MAX_LEAD_TIME_DAYS = 3650


@transaction.atomic
def product_lead_time_set(*, product_id: int, days: int | None) -> bool:
    """A product's lead time (days from ordering to receiving at its usual supplier; None:
    unknown), which the promise date falls back on (``promise``). Purchasing calls it whenever
    what it knows of the product's suppliers changes. One UPDATE, written only when the value
    differs; returns whether it changed. Not a whole number of days from 0 to 3650 raises
    ``ValidationError`` on ``lead_time_days``."""
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_LEAD_TIME_DAYS
    ):
        raise ValidationError({"lead_time_days": _("Enter a whole number of days.")})
    if days is None:
        changed = Product.objects.filter(pk=product_id, lead_time_days__isnull=False)
    else:
        changed = Product.objects.filter(pk=product_id).exclude(lead_time_days=days)
    return bool(changed.update(lead_time_days=days))


@transaction.atomic
def product_variants_create(
    *, template: Product, attributes: dict[str, list[str]], user=None
) -> list[Product]:
    """The stocked SKUs of a template: one variant per combination of attribute values
    (colour × size), each with its own SKU (template SKU + values), barcode and stock.
    Combinations that already exist are kept, not duplicated."""
    from itertools import product as combinations

    if not template.is_template:
        raise ValidationError({"template": _("Only a template product has variants.")})
    names = [n for n in attributes if attributes[n]]
    if not names:
        raise ValidationError({"attributes": _("Give at least one attribute with values.")})
    existing = {tuple(sorted(v.attributes.items())) for v in template.variants.all()}
    created = []
    for values in combinations(*[attributes[n] for n in names]):
        attrs = dict(zip(names, [str(v) for v in values], strict=True))
        if tuple(sorted(attrs.items())) in existing:
            continue
        suffix = "-".join(str(v).upper().replace(" ", "") for v in values)
        variant = Product(
            sku=f"{template.sku}-{suffix}"[:50],
            name=f"{template.name} {' '.join(attrs.values())}",
            category=template.category,
            brand=template.brand,
            tracking=template.tracking,
            base_unit=template.base_unit,
            base_unit_divisible=template.base_unit_divisible,
            list_price=template.list_price,
            cost=template.cost,
            tax_rate=template.tax_rate,
            template=template,
            attributes=attrs,
        )
        _validate(variant)
        variant.save()
        created.append(variant)
    audit("inventory.variants_created", actor=user, obj=template, data={"count": len(created)})
    return created


def _barcode_taken(code: str, *, product_id=None, unit_id=None) -> bool:
    from scm.inventory.models import ProductUnit

    if not code:
        return False
    return (
        Product.objects.filter(barcode=code).exclude(pk=product_id).exists()
        or ProductUnit.objects.filter(barcode=code).exclude(pk=unit_id).exists()
    )


@transaction.atomic
def product_unit_save(*, product: Product, unit=None, user=None, **fields):
    """Create or change another unit of a product (a box of 24). Its barcode must be unique
    among products and units: scanning it must mean one thing. A new or renamed unit is one of
    the company's units (``units.unit_input``); without a ``factor`` it holds the company's
    usual number of base units (``units.usual_factor``: 箱 → 24 个), and without one of those
    the factor is required."""
    from scm.inventory.models import ProductUnit

    before = unit.name if unit is not None and unit.pk else None
    unit = unit or ProductUnit(product=product)
    for key in ("name", "factor", "barcode", "divisible"):
        if key in fields:
            setattr(unit, key, fields[key])
    unit.product = product
    if unit.name != before:
        unit.name = unit_input(unit.name, field="name")
    if unit.factor is None:
        unit.factor = usual_factor(unit.name, product.base_unit)
        if unit.factor is None:
            raise ValidationError(
                {
                    "factor": _(
                        "Enter how many %(base)s one %(unit)s holds: the company has no usual conversion."
                    )
                    % {"base": product.base_unit, "unit": unit.name}
                }
            )
    if _barcode_taken(unit.barcode, unit_id=unit.pk):
        raise ValidationError({"barcode": _("Another product or unit already has this barcode.")})
    unit.full_clean()
    unit.save()
    audit(
        "inventory.unit_saved",
        actor=user,
        obj=unit,
        data={"product": product.sku, "factor": str(unit.factor)},
    )
    return unit


@transaction.atomic
def product_unit_delete(*, unit, user=None) -> None:
    audit("inventory.unit_deleted", actor=user, obj=unit, data={"name": unit.name})
    unit.delete()


# Separators of a category path: 饮料/茶饮, 饮料／茶饮 (full width) or 饮料 > 茶饮.
_PATH_SEPARATORS = ("／", ">", "＞")


def category_path_parts(path, *, field: str = "category") -> list[str]:
    """The names of a category path (``饮料/茶饮`` → ``["饮料", "茶饮"]``), top first; an empty
    path is no category (``[]``). A part that is empty or too long is a ``ValidationError``
    naming ``field``."""
    text = str(path or "").strip()
    for sep in _PATH_SEPARATORS:
        text = text.replace(sep, "/")
    if not text:
        return []
    parts = [part.strip() for part in text.split("/")]
    limit = Category._meta.get_field("name").max_length
    if any(not part for part in parts):
        raise ValidationError({field: _("A category path has a name between each “/”.")})
    if any(len(part) > limit for part in parts):
        raise ValidationError({field: _("A category name has at most %(n)s characters.") % {"n": limit}})
    return parts


@transaction.atomic
def category_path_ensure(*, path, user=None) -> Category | None:
    """The category at ``path`` (``饮料/茶饮``), creating the parts that are missing; None for
    an empty path. Categories that exist are never renamed or moved."""
    category = None
    for name in category_path_parts(path):
        found = Category.objects.filter(parent=category, name=name).first()
        if found is None:
            found = Category.objects.create(parent=category, name=name)
            audit("inventory.category_created", actor=user, obj=found, data={"path": str(path)})
        category = found
    return category


@transaction.atomic
def brand_ensure(*, name: str, user=None) -> Brand | None:
    """The brand called ``name`` (matched without regard to case), created when missing; None
    for an empty name."""
    name = str(name or "").strip()
    if not name:
        return None
    brand = Brand.objects.filter(name__iexact=name).first()
    if brand is None:
        brand = Brand(name=name)
        brand.full_clean()
        brand.save()
        audit("inventory.brand_created", actor=user, obj=brand, data={"name": name})
    return brand
