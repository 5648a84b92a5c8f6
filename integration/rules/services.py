"""Cross-module rules that read several modules and change one through its own services.

- Lifecycle stage from orders: a shipped order moves the customer to "customer", a second one
  to "repeat" (``crm.customers.services.customer_stage_from_orders`` holds the upgrade-only
  rule); nightly, customers whose last order is over a year old become "inactive".
- Low stock tells sales: when a product runs short (``stock.shortage``) or drops below its
  reorder point (``stock.below_reorder_point``), the reps with open opportunities, open inquiries (leads) or
  recent orders for it are told "stock is tight", once per product per day.
"""

from datetime import date, timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.events.services import notify
from crm.customers import services as customer_services
from crm.sales.models import Lead, Opportunity, SalesOrder, SalesOrderLine
from scm.inventory.models import Product

INACTIVE_AFTER_DAYS = 365
RECENT_ORDER_DAYS = 90
# Orders that were never placed do not count as buying.
NOT_ORDERED = (SalesOrder.State.DRAFT, SalesOrder.State.CANCELLED)
OPEN_LEAD_STATUSES = (Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED)


def shipped_order_count(*, customer_id: int) -> int:
    """How many of the customer's orders have shipped something (one query)."""
    return (
        SalesOrder.objects.filter(customer_id=customer_id, lines__shipped_quantity__gt=0)
        .values("pk")
        .distinct()
        .count()
    )


def customer_stage_after_shipment(*, order_id: int) -> str | None:
    """The stage rule for the customer of an order that has just shipped. Idempotent."""
    customer_id = SalesOrder.objects.filter(pk=order_id).values_list("customer_id", flat=True).first()
    if customer_id is None:
        return None
    return customer_services.customer_stage_from_orders(
        customer_id=customer_id, shipped_orders=shipped_order_count(customer_id=customer_id)
    )


def customers_inactive_sweep(*, today: date | None = None) -> int:
    """Nightly: customers whose last placed order is more than a year old become "inactive".
    One UPDATE with one grouped subquery; customers with no order at all are left alone (their
    stage was set by hand or by an import, and a year of silence is not shown by any order)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=INACTIVE_AFTER_DAYS)
    lapsed = (
        SalesOrder.objects.exclude(state__in=NOT_ORDERED)
        .values("customer_id")
        .annotate(last=Max("order_date"))
        .filter(last__lt=cutoff)
        .values("customer_id")
    )
    return customer_services.customers_mark_inactive(customer_ids=lapsed)


STOCK_TIGHT_KIND = "stock_tight"


def reps_interested_in(*, product_id: int, today: date | None = None) -> set[int]:
    """Users who sell ``product_id`` right now: owners of open opportunities and open leads that
    name it, and owners of orders for it placed in the last 90 days (three queries)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=RECENT_ORDER_DAYS)
    users = set(
        Opportunity.objects.filter(state=Opportunity.State.OPEN, products=product_id).values_list(
            "owner_id", flat=True
        )
    )
    users |= set(
        Lead.objects.filter(
            status__in=OPEN_LEAD_STATUSES, products=product_id, owner__isnull=False
        ).values_list("owner_id", flat=True)
    )
    users |= set(
        SalesOrderLine.objects.filter(product_id=product_id, order__order_date__gte=since)
        .exclude(order__state=SalesOrder.State.CANCELLED)
        .values_list("order__owner_id", flat=True)
    )
    users.discard(None)
    return users


def stock_tight_tell(*, product_id: int, today: date | None = None) -> int:
    """Tell the reps who sell the product that its stock is tight. Keyed per product and day,
    so however many shortages and low-stock signals arrive, each rep hears it once a day."""
    today = today or timezone.localdate()
    product = Product.objects.filter(pk=product_id).only("pk", "sku", "name").first()
    if product is None:
        return 0
    users = reps_interested_in(product_id=product_id, today=today)
    if not users:
        return 0
    return notify(
        users=users,
        title=gettext_noop("Stock is tight: %(sku)s %(product)s"),
        body=gettext_noop(
            "Available stock of %(product)s is below what is needed. Check available-to-promise "
            "before you promise a date."
        ),
        params={"sku": product.sku, "product": product.name},
        url=reverse("inventory:product_detail", args=[product.pk]),
        kind=STOCK_TIGHT_KIND,
        key=f"stock-tight:{product.pk}:{today.isoformat()}",
    )
