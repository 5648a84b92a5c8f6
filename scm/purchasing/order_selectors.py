"""Purchase order reads for the pages, the API and the home page: lists with filters (a fixed
number of queries), the detail's lines, receipts and timeline, and what needs a buyer today."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from core.search import search_filter
from scm.inventory.selectors import low_stock
from scm.purchasing import pricing, selectors
from scm.purchasing.models import OPEN_STATES, PurchaseOrder, PurchaseOrderLine, SupplierProduct

P = PurchaseOrder.State
ORDERINGS = {"number", "order_date", "total", "state", "supplier__name", "created_at"}


def overdue_q(today=None) -> Q:
    """Open orders with a line still owed (less accepted than ordered) past its expected date."""
    today = today or timezone.localdate()
    late = PurchaseOrderLine.objects.filter(
        order_id=OuterRef("pk"), expected_date__lt=today, accepted_quantity__lt=F("base_quantity")
    )
    return Q(state__in=OPEN_STATES) & Q(Exists(late))


def purchase_order_list(
    *,
    user,
    search: str = "",
    state: str = "",
    supplier_id=None,
    owner_id=None,
    overdue: bool = False,
    ordering: str = "",
) -> QuerySet:
    """The purchase orders ``user`` may read, filtered and sorted (supplier and buyer joined)."""
    qs = selectors.purchase_orders_visible_to(user).select_related("supplier", "owner", "warehouse")
    if state:
        qs = qs.filter(state=state)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if overdue:
        qs = qs.filter(overdue_q())
    if search:
        qs = qs.filter(Q(number__icontains=search) | search_filter(search, prefix="supplier__"))
    if ordering.lstrip("-") in ORDERINGS:
        return qs.order_by(ordering, "-id")
    return qs.order_by("-created_at", "-id")


def order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(order.lines.select_related("product", "unit"))


def order_timeline(order: PurchaseOrder):
    return order.events.select_related("user").order_by("created_at", "id")


def orders_to_approve(user, limit: int = 10):
    if not selectors.can_approve(user):
        return PurchaseOrder.objects.none()
    return (
        PurchaseOrder.objects.filter(state=P.TO_APPROVE)
        .select_related("supplier", "owner")
        .order_by("created_at")[:limit]
    )


def overdue_lines(user, limit: int = 10):
    """Open lines whose expected date has passed: the user's own orders (managers: all)."""
    today = timezone.localdate()
    qs = PurchaseOrderLine.objects.filter(
        selectors.purchase_order_actable_q(user, prefix="order__"),
        order__state__in=OPEN_STATES,
        expected_date__lt=today,
        accepted_quantity__lt=F("base_quantity"),
    )
    return qs.select_related("order", "order__supplier", "product").order_by("expected_date", "id")[:limit]


def replenishment_needs(limit: int = 10) -> list[dict]:
    """Products below their reorder point, each with its preferred supplier and how much to
    order from them (the reorder quantity or what brings it back to the point, rounded to
    packs and the minimum order)."""
    products = list(low_stock()[:limit])
    preferred = {
        sp.product_id: sp
        for sp in SupplierProduct.objects.filter(
            product_id__in=[p.pk for p in products],
            is_preferred=True,
            is_active=True,
            supplier__is_active=True,
        ).select_related("supplier", "unit")
    }
    needs = []
    for product in products:
        short = max(product.reorder_point - product.available_total, 0)
        want = max(product.reorder_quantity, short)
        sp = preferred.get(product.pk)
        needs.append(
            {
                "product": product,
                "available": product.available_total,
                "supplier_product": sp,
                "quantity": pricing.suggested_quantity(sp, want) if sp else want,
            }
        )
    return needs


# --- the home page's "today" panels (``core.home``) ---------------------------------------------


def home_to_approve(record, user) -> dict:
    return {"to_approve": list(orders_to_approve(user))}


def home_overdue(record, user) -> dict:
    return {"overdue": list(overdue_lines(user))}


def home_needs(record, user) -> dict:
    return {"needs": replenishment_needs(), "can_create": selectors.can_edit_suppliers(user)}
