"""Reads of the selling loop for pages and API: purchase cycles and their reminders under the
customers' record rules (``crm.customers.selectors.customer_visible_q``: a rep sees the cycles of
their own and their team's customers, managers all), and the co-purchase rules."""

from datetime import timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.roles import MANAGER, PURCHASING, SALES, user_roles
from core.sql import as_id
from crm.customers.models import Customer
from crm.customers.selectors import customer_visible_q
from integration.insights.models import CoPurchase, CycleReminder, PurchaseCycle
from integration.insights.reminders import lead_days

# Who works with cycles, reminders and suggestions (the customer's side of selling), and who
# reads the co-purchase figures (buyers too: what sells together).
SELLING_ROLES = (SALES, MANAGER)
STATS_ROLES = (SALES, PURCHASING, MANAGER)

SHOW_DUE, SHOW_ALL = "due", "all"


def _visible(qs: QuerySet, user) -> QuerySet:
    if not user_roles(user):
        return qs.none()
    q = customer_visible_q(user)
    return qs.filter(customer__in=Customer.objects.filter(q)) if q else qs


def cycles_visible_to(user) -> QuerySet[PurchaseCycle]:
    return _visible(PurchaseCycle.objects.all(), user)


def reminders_visible_to(user) -> QuerySet[CycleReminder]:
    return _visible(CycleReminder.objects.all(), user)


def _reminder_of_cycle(field: str):
    return Subquery(
        CycleReminder.objects.filter(
            customer_id=OuterRef("customer_id"),
            kind=OuterRef("kind"),
            item_key=OuterRef("item_key"),
            expected_date=OuterRef("expected_date"),
        ).values(field)[:1]
    )


def cycle_list(
    *, user, show: str = SHOW_DUE, kind: str = "", owner: str = "", customer=None, q: str = ""
) -> QuerySet[PurchaseCycle]:
    """Cycles the user may see, the soonest expected first. ``show`` "due": expected within the
    lead time of today (before or after); ``owner`` a rep's id or "me"; ``q`` the customer's or
    item's name. Each with its reminder task's id, due and done times (annotations)."""
    qs = cycles_visible_to(user).select_related("customer__owner", "product", "category")
    if show == SHOW_DUE:
        today = timezone.localdate()
        lead = timedelta(days=lead_days())
        qs = qs.filter(expected_date__gte=today - lead, expected_date__lte=today + lead)
    if kind in PurchaseCycle.Kind.values:
        qs = qs.filter(kind=kind)
    if owner == "me":
        qs = qs.filter(customer__owner=user)
    elif as_id(owner) is not None:
        qs = qs.filter(customer__owner_id=as_id(owner))
    if customer is not None:
        qs = qs.filter(customer=customer)
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(customer__name__icontains=q)
            | Q(product__name__icontains=q)
            | Q(product__sku__icontains=q)
            | Q(category__name__icontains=q)
        )
    return qs.annotate(
        task_id=_reminder_of_cycle("task_id"),
        task_due_at=_reminder_of_cycle("task__due_at"),
        task_done_at=_reminder_of_cycle("task__done_at"),
    ).order_by("expected_date", "-confidence", "pk")


def customer_cycles(*, customer, user, limit: int = 10) -> list[PurchaseCycle]:
    """The customer's cycles (for the 360 panel), the soonest first."""
    return list(cycle_list(user=user, show=SHOW_ALL, customer=customer)[:limit])


def reminder_list(*, user, owner: str = "", customer=None) -> QuerySet[CycleReminder]:
    """Reminders made for customers the user may see, newest first."""
    qs = reminders_visible_to(user).select_related("customer", "product", "category", "task__owner")
    if owner == "me":
        qs = qs.filter(customer__owner=user)
    elif as_id(owner) is not None:
        qs = qs.filter(customer__owner_id=as_id(owner))
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.order_by("-created_at", "-pk")


def copurchase_list(*, product_a=None, product_b=None, q: str = "") -> QuerySet[CoPurchase]:
    """The co-purchase rules, each product's best first."""
    qs = CoPurchase.objects.select_related("product_a", "product_b")
    if product_a is not None:
        qs = qs.filter(product_a_id=product_a)
    if product_b is not None:
        qs = qs.filter(product_b_id=product_b)
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(product_a__name__icontains=q)
            | Q(product_a__sku__icontains=q)
            | Q(product_b__name__icontains=q)
            | Q(product_b__sku__icontains=q)
        )
    return qs.order_by("product_a__sku", "rank", "pk")
