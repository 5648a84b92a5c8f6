"""Reads of suppliers for the pages and the API, under the purchasing record rule
(``scm.purchasing.selectors``): the list (search, filters, sort) and the supplier page's parts,
each in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from core.pagination import list_order
from core.people import name_order
from core.search import pinyin_key, search_filter
from core.sql import as_id
from scm.purchasing.models import (
    OPEN_STATES,
    PurchaseOrder,
    Receipt,
    Supplier,
    SupplierContact,
    SupplierPrice,
    SupplierProduct,
)
from scm.purchasing.selectors import suppliers_visible_to

# The list's sort keys and the column each sorts by: the name by its pinyin, the buyer by the
# pinyin of their name ("buyer__username": an older link's word for the buyer column).
SORTS = {
    "code": "code",
    "name": "search_pinyin",
    "buyer": name_order("buyer"),
    "buyer__username": name_order("buyer"),
    "payment_terms_days": "payment_terms_days",
    "created_at": "created_at",
}
PAGE_LIMIT = 10


def supplier_list(*, user, q: str = "", active: str = "", buyer: str = "", ordering: str = "") -> QuerySet:
    """Suppliers the user may read, searched (name, code, pinyin, initials) and filtered by
    active (``"1"``/``"0"``) and buyer (an id)."""
    qs = suppliers_visible_to(user).select_related("buyer")
    if q:
        qs = qs.filter(search_filter(q))
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    buyer_id = as_id(buyer)
    if buyer_id is not None:
        qs = qs.filter(buyer_id=buyer_id)
    return list_order(qs, ordering, SORTS, "name")


def supplier_get(*, user, pk) -> Supplier:
    """One supplier the user may read; anything else is a 404."""
    return get_object_or_404(
        suppliers_visible_to(user).select_related("buyer", "default_warehouse"), pk=as_id(pk)
    )


def supplier_contacts(supplier: Supplier) -> list[SupplierContact]:
    """A supplier's contacts (a handful, one query): the primary first, then by the pinyin of
    their names."""
    return sorted(supplier.contacts.all(), key=lambda c: (not c.is_primary, pinyin_key(c.name), c.pk))


def supplier_products(supplier: Supplier) -> list[SupplierProduct]:
    """The supplier's products with their prices (two queries)."""
    prices = SupplierPrice.objects.order_by("min_quantity", "valid_from", "pk")
    return list(
        SupplierProduct.objects.filter(supplier=supplier)
        .select_related("product", "unit")
        .prefetch_related(Prefetch("prices", queryset=prices))
        .order_by("-is_active", "product__sku", "pk")
    )


def supplier_open_orders(supplier: Supplier, limit: int = PAGE_LIMIT) -> list[PurchaseOrder]:
    return list(
        PurchaseOrder.objects.filter(supplier=supplier, state__in=OPEN_STATES)
        .select_related("owner")
        .order_by("order_date", "pk")[:limit]
    )


def supplier_recent_receipts(supplier: Supplier, limit: int = PAGE_LIMIT) -> list[Receipt]:
    return list(
        Receipt.objects.filter(supplier=supplier, state=Receipt.State.POSTED)
        .select_related("purchase_order")
        .order_by("-posted_at", "-pk")[:limit]
    )
