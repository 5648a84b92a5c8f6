"""Purchase order reads for the pages, the API and the home page: lists with filters (a fixed
number of queries), the detail's lines, receipts and timeline, and what needs a buyer today."""

from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.people import display_name
from core.roles import MANAGER, has_role
from core.search import search_filter
from core.templatetags.tandem import money
from scm.purchasing import selectors
from scm.purchasing.models import OPEN_STATES, PurchaseOrder, PurchaseOrderLine

P = PurchaseOrder.State
# The list's sort keys and their columns: the supplier by the pinyin of its name.
SORTS = {
    "number": "number",
    "order_date": "order_date",
    "total": "total",
    "state": "state",
    "supplier__name": "supplier__search_pinyin",
    "created_at": "created_at",
}


def overdue_q(today=None) -> Q:
    """Open orders with a line still owed (less accepted than ordered) past its expected date."""
    today = today or timezone.localdate()
    late = PurchaseOrderLine.objects.filter(
        order_id=OuterRef("pk"), expected_date__lt=today, accepted_quantity__lt=F("base_quantity")
    )
    return Q(state__in=OPEN_STATES) & Q(Exists(late))


def due_q(today=None) -> Q:
    """Open orders with a line still owed expected today or before: what the warehouse expects
    to receive today (late ones included)."""
    today = today or timezone.localdate()
    owed = PurchaseOrderLine.objects.filter(
        order_id=OuterRef("pk"), expected_date__lte=today, accepted_quantity__lt=F("base_quantity")
    )
    return Q(state__in=OPEN_STATES) & Q(Exists(owed))


def purchase_order_list(
    *,
    user,
    search: str = "",
    state: str = "",
    supplier_id=None,
    owner_id=None,
    overdue: bool = False,
    due: bool = False,
    ordering: str = "",
) -> QuerySet:
    """The purchase orders ``user`` may read, filtered and sorted (supplier and buyer joined).
    ``overdue``: a line owed past its date (``overdue_q``); ``due``: a line owed today or
    before (``due_q``)."""
    qs = selectors.purchase_orders_visible_to(user).select_related("supplier", "owner", "warehouse")
    if state:
        qs = qs.filter(state=state)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if overdue:
        qs = qs.filter(overdue_q())
    if due:
        qs = qs.filter(due_q())
    if search:
        qs = qs.filter(Q(number__icontains=search) | search_filter(search, prefix="supplier__"))
    key = ordering.lstrip("-")
    if key in SORTS:
        return qs.order_by(f"-{SORTS[key]}" if ordering.startswith("-") else SORTS[key], "-id")
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

HOME_ROWS = 6


def _owed_since(today, *, through: bool):
    """The earliest expected date of an order's lines still owed (before today, or through it)."""
    dated = Q(lines__expected_date__lte=today) if through else Q(lines__expected_date__lt=today)
    return Min(
        "lines__expected_date", filter=dated & Q(lines__accepted_quantity__lt=F("lines__base_quantity"))
    )


def _order_rows(orders, *, late_from=None) -> list[dict]:
    rows = []
    for order in orders:
        since = getattr(order, "owed_since", None)
        late = bool(since and late_from and since < late_from)
        rows.append(
            {
                "url": reverse("purchasing:order_detail", args=[order.pk]),
                "title": order.number,
                "meta": " · ".join(
                    n for n in (order.supplier.name, getattr(order.warehouse, "name", "")) if n
                ),
                "end": date_format(since, "SHORT_DATE_FORMAT") if since else "",
                "end_colour": "danger" if late else "",
                "badge": _("late") if late else "",
                "badge_colour": "danger",
            }
        )
    return rows


def home_to_approve(record, user) -> dict:
    """The manager's purchase orders waiting for approval, the oldest first."""
    qs = selectors.purchase_orders_visible_to(user).filter(state=P.TO_APPROVE)
    if not selectors.can_approve(user):
        qs = qs.none()
    rows = [
        {
            "url": reverse("purchasing:order_detail", args=[o.pk]),
            "title": o.number,
            "meta": f"{o.supplier.name} · {display_name(o.owner)}",
            "end": money(o.total, o.currency),
        }
        for o in qs.select_related("supplier", "owner").order_by("created_at", "pk")[:HOME_ROWS]
    ]
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": f"{reverse('purchasing:order_list')}?state={P.TO_APPROVE}",
        "empty": _("No purchase order waits for your approval."),
    }


def home_overdue(record, user) -> dict:
    """The buyer's open orders with a receipt overdue (managers: everyone's), the latest first."""
    today = timezone.localdate()
    qs = PurchaseOrder.objects.filter(selectors.purchase_order_actable_q(user)).filter(overdue_q(today))
    orders = (
        qs.select_related("supplier", "warehouse")
        .annotate(owed_since=_owed_since(today, through=False))
        .order_by("owed_since", "pk")[:HOME_ROWS]
    )
    see_all = f"{reverse('purchasing:order_list')}?overdue=1"
    if not has_role(user, (MANAGER,)):
        see_all += f"&buyer={user.pk}"
    return {
        "rows": _order_rows(orders, late_from=today),
        "count": qs.count(),
        "see_all": see_all,
        "empty": _("No receipt is overdue. Chase suppliers here when one is late."),
    }


def home_receipts_due(record, user) -> dict:
    """For the warehouse: open orders with lines expected today or before, the latest first."""
    today = timezone.localdate()
    qs = selectors.purchase_orders_visible_to(user).filter(due_q(today))
    orders = (
        qs.select_related("supplier", "warehouse")
        .annotate(owed_since=_owed_since(today, through=True))
        .order_by("owed_since", "pk")[:HOME_ROWS]
    )
    return {
        "rows": _order_rows(orders, late_from=today),
        "count": qs.count(),
        "see_all": f"{reverse('purchasing:order_list')}?due=1",
        "empty": _("No delivery is expected today. Receive a purchase order when goods arrive."),
        "empty_url": reverse("purchasing:receiving_tablet"),
        "empty_label": _("Receive"),
    }
