"""Purchase order reads for the pages, the API and the home page: lists with filters (a fixed
number of queries), the detail's lines, receipts and timeline, and what needs a buyer today."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from core.search import search_filter
from scm.purchasing import selectors
from scm.purchasing.models import OPEN_STATES, PurchaseOrder, PurchaseOrderLine

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


# --- the home page's "today" panels (``core.home``) ---------------------------------------------


def home_to_approve(record, user) -> dict:
    return {"to_approve": list(orders_to_approve(user))}


def home_overdue(record, user) -> dict:
    return {"overdue": list(overdue_lines(user))}
