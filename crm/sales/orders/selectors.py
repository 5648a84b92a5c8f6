"""Reads for quotes and sales orders, with the record rule that pages and the API share.

Record rule: a sales rep sees the orders (and quotes) they own and reads those of their teams'
members (``crm.customers.Team`` membership, managing a team counts). Managers, admins, finance
and the warehouse see all.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from core.roles import ADMIN, FINANCE, MANAGER, SALES, WAREHOUSE, has_role, is_manager, user_roles
from crm.customers.models import Customer, Team
from crm.sales.models import OrderEvent, Quote, QuoteLine, SalesOrder, SalesOrderLine
from crm.sales.orders.states import OPEN_STATES
from scm.inventory.models import Product, ProductUnit
from scm.inventory.selectors import available_to_promise

ORDER_READ_ROLES = (SALES, MANAGER, FINANCE, WAREHOUSE)
ORDER_WRITE_ROLES = (SALES, MANAGER)
QUOTE_READ_ROLES = (SALES, MANAGER, FINANCE)
QUOTE_WRITE_ROLES = (SALES, MANAGER)
# Roles that read every order, not only their team's.
SEE_ALL_ROLES = frozenset({MANAGER, ADMIN, FINANCE, WAREHOUSE})

ORDER_SORTS = {
    "number": "number",
    "customer": "customer__name",
    "order_date": "order_date",
    "state": "state",
    "total": "total",
    "owner": "owner__username",
}
QUOTE_SORTS = {
    "number": "number",
    "customer": "customer__name",
    "valid_until": "valid_until",
    "state": "state",
    "total": "total",
    "created_at": "created_at",
}


def sees_all(user) -> bool:
    return bool(user_roles(user) & SEE_ALL_ROLES) or user.is_superuser


def teammate_ids(user):
    """A subquery of the users whose records ``user`` may read: members of the teams the user
    belongs to or manages (the user included)."""
    User = get_user_model()
    teams = Team.objects.filter(Q(members=user) | Q(manager=user)).values("pk")
    return User.objects.filter(Q(pk=user.pk) | Q(sales_teams__in=teams)).values("pk")


def _visible(qs: QuerySet, user) -> QuerySet:
    if not user.is_authenticated:
        return qs.none()
    if sees_all(user):
        return qs
    if not has_role(user, (SALES,)):
        return qs.none()
    return qs.filter(owner_id__in=teammate_ids(user))


def orders_visible_to(user) -> QuerySet:
    return _visible(SalesOrder.objects.all(), user)


def quotes_visible_to(user) -> QuerySet:
    return _visible(Quote.objects.all(), user)


def can_change(user, record) -> bool:
    """Write access to one order or quote: its owner, or a manager/admin."""
    if is_manager(user):
        return True
    return has_role(user, (SALES,)) and record.owner_id == user.pk


def _apply_sort(qs: QuerySet, ordering: str | None, allowed: dict, default: tuple) -> QuerySet:
    key = (ordering or "").lstrip("-")
    if key in allowed:
        field = allowed[key]
        return qs.order_by(f"-{field}" if (ordering or "").startswith("-") else field, "-id")
    return qs.order_by(*default)


def order_list(*, user, search: str = "", state: str = "", ordering: str = "", customer_id=None) -> QuerySet:
    """Orders the user may see, filtered and sorted; the customer and owner come with each row,
    so a page of any size costs the same queries."""
    qs = orders_visible_to(user).select_related("customer", "owner")
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__code__icontains=search)
        )
    if state:
        qs = qs.filter(state=state)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return _apply_sort(qs, ordering, ORDER_SORTS, ("-created_at", "-id"))


def orders_total(qs: QuerySet) -> Decimal:
    """The value of the orders a list shows (all pages), in one query."""
    return qs.order_by().aggregate(total=Sum("total"))["total"] or Decimal(0)


def order_detail(*, user, order_id: int) -> SalesOrder:
    """One order the user may see, with lines (product, unit) and timeline (user) prefetched;
    404 otherwise — another team's order does not exist for a rep."""
    from django.db.models import Prefetch

    qs = (
        orders_visible_to(user)
        .select_related("customer", "owner", "quote")
        .prefetch_related(
            Prefetch("lines", queryset=SalesOrderLine.objects.select_related("product", "unit")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("user")),
        )
    )
    return get_object_or_404(qs, pk=order_id)


def order_timeline(*, order: SalesOrder) -> QuerySet:
    """An order's timeline entries, oldest first, with who wrote them (for an order the reader
    may see: the caller has checked). Render each with ``services.order_event_text``."""
    return OrderEvent.objects.filter(order_id=order.pk).select_related("user").order_by("created_at", "id")


def quote_list(*, user, search: str = "", state: str = "", ordering: str = "") -> QuerySet:
    qs = quotes_visible_to(user).select_related("customer", "owner")
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__code__icontains=search)
        )
    if state:
        qs = qs.filter(state=state)
    return _apply_sort(qs, ordering, QUOTE_SORTS, ("-created_at", "-id"))


def quote_detail(*, user, quote_id: int) -> Quote:
    from django.db.models import Prefetch

    qs = (
        quotes_visible_to(user)
        .select_related("customer", "owner")
        .prefetch_related(
            Prefetch("lines", queryset=QuoteLine.objects.select_related("product", "unit")),
            "orders",
        )
    )
    return get_object_or_404(qs, pk=quote_id)


def atp_for_product(product_id: int) -> list[dict]:
    """Available-to-promise per active warehouse: on hand, reserved, available and incoming
    supplies with their expected dates (``scm.inventory.selectors.available_to_promise``)."""
    return available_to_promise(product_id=product_id)


def product_choices():
    """Products that can be sold (active, not templates), for the line picker."""
    return Product.objects.filter(is_active=True, is_template=False).order_by("sku")


def product_units(product_id) -> list[ProductUnit]:
    return list(ProductUnit.objects.filter(product_id=product_id).order_by("factor"))


def customer_for_order_entry(*, customer_id: int):
    """The customer being ordered for, with what the rep should see while entering lines: credit
    limit, payment terms and the value of its open orders. Two queries."""
    customer = Customer.objects.filter(pk=customer_id, is_active=True).select_related("owner").first()
    if customer is None:
        return None
    open_value = SalesOrder.objects.filter(customer=customer, state__in=OPEN_STATES).aggregate(
        v=Sum("total")
    )["v"]
    customer.open_order_value = open_value or Decimal(0)
    customer.credit_left = (
        customer.credit_limit - customer.open_order_value if customer.credit_limit else None
    )
    return customer


def customer_orders_summary(*, customer, user, limit: int = 5) -> dict:
    """For the customer 360 panel: recent orders the user may see and the value of open ones."""
    qs = orders_visible_to(user).filter(customer=customer)
    recent = list(qs.select_related("owner").order_by("-order_date", "-id")[:limit])
    agg = qs.filter(state__in=OPEN_STATES).aggregate(value=Sum("total"), count=Count("pk"))
    return {
        "recent_orders": recent,
        "open_order_value": agg["value"] or Decimal(0),
        "open_order_count": agg["count"],
        "customer": customer,
    }
