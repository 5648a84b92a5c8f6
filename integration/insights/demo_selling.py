"""The selling loop's part of the demo company (a step of ``integration.setup.demo``, after the
order history): what makes a purchase cycle and a co-purchase rule stand out of it.

- A customer of the rep ``sales`` who buys the same office supplies every March (A4 paper, pens,
  archive boxes), the last two (or three) Marches: an annual cycle.
- Another who buys toilet rolls every six weeks, the last time a month ago: a regular interval,
  due in ten days or so, so the nightly run gives the rep a follow-up task.
- Six customers who bought a stapler and its staples within days of each other: the rule
  "customers who buy 订书机 also buy 订书钉"; and a customer of ``sales`` who bought a stapler
  four months ago and no staples since, so that staples (in stock in the warehouse nearest
  them) are suggested on their page and order form.

The orders go through the real services, as the history's do (``integration.fulfilment
.demo_history``): what they need bought from the preferred supplier and received a few days
before, the order confirmed, reserved, shipped and billed on its day, dated back to it. Then the
nightly refresh runs.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from core.dates import at_hour
from core.events import names
from core.events.models import Event
from crm.customers.models import Customer
from crm.sales.models import OrderEvent, SalesOrder
from crm.sales.orders import services as order_services
from integration.fulfilment import reservations, services
from integration.fulfilment.demo_history import EARLY_EVENTS, ship_and_bill
from integration.insights.selling_services import selling_refresh
from scm.inventory.models import Product, Warehouse
from scm.inventory.selectors import available_total, warehouses_by_distance

MARCH_BASKET = [("OF-A4-70", 40), ("OF-GP-05B", 60), ("OF-FB-A4", 20)]
EVERY_SIX_WEEKS = ("CL-TP-10", 12)
STAPLER, STAPLES = "OF-ST-12", "OF-SP-12"


def _marches(today: date, reach: int = 760) -> list[date]:
    """The March days (the 8th to the 14th) of the last years, oldest first, no further back
    than ``reach`` days (the demo suppliers' price lists go back about two years)."""
    year = today.year if today > date(today.year, 3, 31) else today.year - 1
    days = [date(year - back, 3, 8 + 3 * back) for back in reversed(range(3))]
    return [day for day in days if (today - day).days <= reach]


class _Buyer:
    """Places history orders for the step: bought in, confirmed, reserved, shipped and billed."""

    def __init__(self, ctx, today: date):
        self.ctx, self.today = ctx, today
        self.manager = ctx.users.get("manager") or ctx.users.get("admin")
        self.picker = ctx.users.get("warehouse") or ctx.users.get("admin")
        self.finance_user = ctx.users.get("finance") or ctx.users.get("admin")
        self.warehouses = {w.pk: w for w in Warehouse.objects.for_stock()}
        self.open_buckets: set = set()
        self.orders = 0

    def nearest(self, customer) -> Warehouse:
        ids = warehouses_by_distance(latitude=customer.latitude, longitude=customer.longitude)
        return self.warehouses[ids[0]]

    def order(self, customer, day: date, lines: list[tuple[Product, int]]) -> SalesOrder:
        from scm.purchasing.demo_buying import receive_through_orders

        ctx = self.ctx
        owner = customer.owner or ctx.users.get("sales")
        wants = [{"product": product, "quantity": Decimal(quantity)} for product, quantity in lines]
        receive_through_orders(
            ctx, warehouse=self.nearest(customer), wants=wants, day=day - timedelta(days=4)
        )
        order = order_services.order_create(
            customer=customer,
            owner=owner,
            lines=[{"product": product, "quantity": quantity} for product, quantity in lines],
            order_date=day,
            requested_date=day + timedelta(days=3),
        )
        order = services.order_confirm(order=order, user=owner)
        if order.state == SalesOrder.State.CREDIT_HOLD:
            order = services.order_release_hold(order=order, user=self.manager, text="老客户，经理特批")
        event = Event.objects.filter(name=names.ORDER_CONFIRMED).order_by("-pk").first()
        reservations.order_reserve(order_id=order.pk, event_id=event.pk if event else None)
        order.refresh_from_db()
        ship_day = min(day + timedelta(days=1), self.today - timedelta(days=1))
        ship_and_bill(ctx, order, ship_day, self.today, self.picker, self.finance_user, self.open_buckets)
        stamp = at_hour(day, 10)
        SalesOrder.objects.filter(pk=order.pk).update(created_at=stamp, confirmed_at=stamp)
        OrderEvent.objects.filter(order=order).update(created_at=at_hour(ship_day, 16))
        OrderEvent.objects.filter(order=order, kind__in=EARLY_EVENTS).update(created_at=stamp)
        self.orders += 1
        return order


def _quiet_customers(owner, count: int) -> list[Customer]:
    """Active customers of ``owner`` with the fewest orders so far (their own story stands out),
    by code."""
    return list(
        Customer.objects.filter(owner=owner, is_active=True)
        .annotate(orders=Count("sales_orders", filter=~Q(sales_orders__state=SalesOrder.State.DRAFT)))
        .order_by("orders", "code")[:count]
    )


def build(ctx) -> None:
    sales = ctx.users.get("sales")
    products = {p.sku: p for p in Product.objects.filter(is_active=True, is_template=False)}
    wanted = [sku for sku, _q in MARCH_BASKET] + [EVERY_SIX_WEEKS[0], STAPLER, STAPLES]
    if (
        sales is None
        or any(sku not in products for sku in wanted)
        or not Warehouse.objects.for_stock().exists()
    ):
        ctx.say("selling: no demo catalogue or rep, nothing to add")
        return
    quiet = _quiet_customers(sales, 3)
    if len(quiet) < 3:
        ctx.say("selling: the rep has too few customers, nothing to add")
        return
    march, six_weekly, stapler_owner = quiet
    today = timezone.localdate()
    buyer = _Buyer(ctx, today)
    for day in _marches(today):
        buyer.order(march, day, [(products[sku], quantity) for sku, quantity in MARCH_BASKET])
    sku, quantity = EVERY_SIX_WEEKS
    day = today - timedelta(days=32)
    days = [day]
    for gap in (42, 40, 43, 42):
        day -= timedelta(days=gap)
        days.insert(0, day)
    for day in days:
        buyer.order(six_weekly, day, [(products[sku], quantity)])
    stapler, staples = products[STAPLER], products[STAPLES]
    pairs = Customer.objects.filter(is_active=True).exclude(
        pk__in=[march.pk, six_weekly.pk, stapler_owner.pk]
    )
    for n, customer in enumerate(pairs.order_by("code")[::7][:6]):
        day = today - timedelta(days=60 + 45 * n)
        buyer.order(customer, day, [(stapler, 1 + n % 2)])
        buyer.order(customer, day + timedelta(days=1 + 3 * n), [(staples, 5 + 5 * (n % 3))])
    buyer.order(stapler_owner, today - timedelta(days=120), [(stapler, 2)])
    # Staples on hand where the customer is served, for the suggestion to show.
    if available_total(product_id=staples.pk) <= 0:
        from scm.purchasing.demo_buying import receive_through_orders

        warehouse = buyer.nearest(stapler_owner)
        receive_through_orders(
            ctx,
            warehouse=warehouse,
            wants=[{"product": staples, "quantity": Decimal(50)}],
            day=today - timedelta(days=3),
        )
    result = selling_refresh(today=today)
    ctx.say(
        f"selling: {result['cycles']['annual']} annual and {result['cycles']['interval']} regular purchase "
        f"cycles, {result['copurchases']['rules']} co-purchase rules, {result['reminders']['created']} "
        f"follow-up tasks ({march.name} every March, {six_weekly.name} every six weeks, 订书机 → 订书钉 "
        f"by 6 customers; {buyer.orders} orders)"
    )
