"""The products picker (``core.pickers``): type-ahead over SKU, name, pinyin and initials, and
scans: a product's barcode, a unit's barcode (a box) or the SKU, typed or scanned in full, comes
first and is marked ``exact`` (with the ``unit`` for a unit barcode), so that Enter picks it.
Only products that can be sold or bought: active, not templates."""

from django.db.models import Q

from core.pickers import PICKER_LIMIT, picker_widget, secondary
from core.search import search_filter, search_ordered
from scm.inventory.models import Product, ProductUnit

URL_NAME = "inventory-product-picker"
_FIELDS = ("id", "sku", "name", "barcode", "base_unit")


def pickable_products():
    return Product.objects.filter(is_active=True, is_template=False)


def product_row(product: Product, *, unit: ProductUnit | None = None, exact: bool = False) -> dict:
    row = {"id": product.pk, "text": product.name, "secondary": secondary(product.sku, product.barcode)}
    if unit is not None:
        row["unit"] = {"id": unit.pk, "name": unit.name, "factor": f"{unit.factor.normalize():f}"}
        row["secondary"] = secondary(product.sku, unit.barcode, f"{unit.name} ×{row['unit']['factor']}")
    if exact:
        row["exact"] = True
    return row


def _is_exact(product: Product, query: str) -> bool:
    return product.barcode == query or product.sku.upper() == query.upper()


def _found(query: str, limit: int) -> list[tuple[Product, ProductUnit | None, bool]]:
    """(product, unit scanned or None, exact) found by ``query``, best first (two queries)."""
    products = pickable_products()
    if not query:
        return [(p, None, False) for p in products.order_by("sku").only(*_FIELDS)[:limit]]
    units = list(
        ProductUnit.objects.filter(barcode=query, product__is_active=True, product__is_template=False)
        .select_related("product")
        .only("id", "name", "factor", "barcode", *(f"product__{f}" for f in _FIELDS))
        .order_by("product__sku", "pk")[:limit]
    )
    found = [(u.product, u, True) for u in units]
    cond = search_filter(query, code=None, phone=None, email=None) | Q(barcode=query)
    cond |= Q(sku__icontains=query) if len(query) >= 3 else Q(sku__istartswith=query)
    ordered = search_ordered(
        products.filter(cond), query, code="sku", exact=Q(barcode=query), then=("sku", "pk")
    ).only(*_FIELDS)
    taken = {product.pk for product, _, _ in found}
    for product in ordered[:limit]:
        if product.pk not in taken and len(found) < limit:
            found.append((product, None, _is_exact(product, query)))
    return found


def product_picker_search(*, query: str, limit: int = PICKER_LIMIT) -> list[dict]:
    """Products found by what was typed or scanned: unit barcodes first (one query on the
    barcode index), then the products (one query): a product barcode or SKU given in full, then
    those starting with it, then the rest, each group by SKU. Two queries whatever the size."""
    return [product_row(product, unit=unit, exact=exact) for product, unit, exact in _found(query, limit)]


def public_product_row(product: Product) -> dict:
    """A product as a visitor of the public contact form sees it: its name and SKU, nothing of
    barcodes, stock or prices."""
    return {"id": product.pk, "text": product.name, "secondary": product.sku}


def public_product_search(*, query: str, limit: int = PICKER_LIMIT) -> list[dict]:
    """The products picker's search for the public contact form: the same products in the same
    order, each once, as ``public_product_row``."""
    rows = {}
    for product, _unit, _exact in _found(query, limit):
        rows.setdefault(product.pk, public_product_row(product))
    return list(rows.values())


def product_picker(**kwargs):
    """The widget of a product field; the field's queryset still decides what may be posted.
    ``kwargs``: ``placeholder``, ``attrs``, ``multiple``, ``queryset`` (``core.pickers``)."""
    return picker_widget(URL_NAME, product_row, **kwargs)
