"""Two years of order history for the demo company: orders placed over the last 24 months
(seasonal, growing, a few big customers ordering most), each received into stock, confirmed,
reserved, shipped on its date, invoiced on the ship date and mostly paid by the customer's payment
terms. The newest invoices are still open and a few old ones were never (or only partly) paid, so
the aging report has money in every bucket.

Everything goes through the real services (orders, stock, shipping, finance), so stock, ledger,
invoices and balances agree; only the timestamps of the rows written "now" (order created, timeline,
shipment, receipt moves) are moved back to the day they stand for. Called by the fulfilment step.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from core.dates import at_hour
from core.events import names
from core.events.models import Event
from crm.customers.models import Customer
from crm.sales.models import OrderEvent, SalesOrder
from crm.sales.orders import services as order_services
from crm.sales.orders.demo import _owner
from integration.fulfilment import reservations, services, shipping
from integration.fulfilment.models import Shipment
from scm.inventory.models import Product, StockMove, Warehouse
from scm.inventory.selectors import warehouses_by_distance

CARRIERS = [("顺丰速运", "SF"), ("京东物流", "JD"), ("中通快递", "ZTO"), ("德邦物流", "DPK")]
# Orders per month of the year, relative: the Spring Festival stock-up (Dec–Jan), a quiet February,
# the mid-year 618 and the Double 11 peak.
SEASON = {1: 1.3, 2: 0.6, 3: 0.9, 4: 1.0, 5: 1.0, 6: 1.2, 7: 0.9, 8: 0.9, 9: 1.1, 10: 0.9, 11: 1.5, 12: 1.4}
MONTHS = 24
# History stops this many days ago; the newer orders are the fulfilment step's current work.
RECENT_DAYS = 6
NOTES = ["", "", "月度补货", "促销备货", "按框架协议价格执行", "请尽快发货"]
# (share paid in full, share partly paid) for invoices by days past due; the rest stays open.
PAY_ODDS = [(90, 0.93, 0.04), (60, 0.8, 0.1), (30, 0.7, 0.15), (0, 0.45, 0.2)]
# Timeline entries of the order day; the rest happened on the ship day.
EARLY_EVENTS = [
    "created",
    "state:confirmed",
    "state:reserved",
    "state:partly_reserved",
    "reserved",
    "credit_hold",
    "credit_release",
    "state:credit_hold",
]
BUCKETS = [(1, 30), (31, 60), (61, 90), (91, 10_000)]


def _months_back(today: date, n: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return date(year, month + 1, 1)


def _lines(ctx, products, big: bool) -> list[dict]:
    count = ctx.rng.randint(2, 5) if big else ctx.rng.randint(1, 3)
    lines = []
    for product in ctx.rng.sample(products, k=min(count, len(products))):
        units = list(product.units.all())
        unit = ctx.rng.choice(units) if units and ctx.rng.random() < 0.5 else None
        if unit is None:
            quantity = ctx.rng.randint(10, 120 if big else 40)
        else:
            quantity = 1 if unit.factor > 100 else ctx.rng.randint(1, 12 if big else 5)
        discount = ctx.rng.choice([0, 0, 0, 3, 5, 8]) if big else ctx.rng.choice([0, 0, 0, 0, 5])
        lines.append({"product": product, "unit": unit, "quantity": quantity, "discount_percent": discount})
    return lines


def _big(customers) -> set[int]:
    """The few big customers who order most: every quarter of the list gives one."""
    return {c.pk for c in customers[:: max(len(customers) // 4, 1)][:4]}


def _plan(ctx, customers, today: date) -> list[tuple[date, Customer]]:
    """(order date, customer) for every history order, oldest first."""
    big = _big(customers)
    weights = [6 if c.pk in big else ctx.rng.choice([1, 1, 2, 2, 3]) for c in customers]
    # Most customers order; a few are new (no history) and some stopped ordering a year ago.
    start = {c.pk: 0 for c in customers}
    for c in customers:
        if c.pk not in big and ctx.rng.random() < 0.2:
            start[c.pk] = ctx.rng.randint(6, 18)
    plan = []
    base = 6 * ctx.scale
    for back in range(MONTHS, -1, -1):
        first = _months_back(today, back)
        growth = 0.75 + 0.5 * (MONTHS - back) / MONTHS
        n = round(base * SEASON[first.month] * growth)
        last_day = min(_months_back(today, back - 1) - timedelta(days=1), today - timedelta(days=RECENT_DAYS))
        if last_day < first:
            continue
        eligible = [(c, w) for c, w in zip(customers, weights, strict=True) if MONTHS - back >= start[c.pk]]
        for _ in range(n):
            customer = ctx.rng.choices([c for c, _ in eligible], weights=[w for _, w in eligible])[0]
            plan.append((first + timedelta(days=ctx.rng.randint(0, (last_day - first).days)), customer))
    plan.sort(key=lambda item: item[0])
    return plan


def _last_event(name: str):
    return Event.objects.filter(name=name).order_by("-pk").first()


def _receive(ctx, order, warehouse, day: date, receiver, seq: int) -> None:
    """What the order needs, bought from the preferred suppliers and received into the
    customer's nearest warehouse on the day, so the history does not eat the stock the current
    orders find."""
    from scm.purchasing.demo_buying import receive_through_orders

    wants = [
        {"product": line.product, "quantity": line.base_quantity}
        for line in order.lines.select_related("product").order_by("pk")
    ]
    receive_through_orders(ctx, warehouse=warehouse, wants=wants, day=day)


def _settle(ctx, order, invoice, today: date, user, open_buckets: set) -> str:
    """Pay the invoice as a customer would have by now; returns paid, partial or open."""
    from finance import payments
    from integration.fulfilment import handlers

    past_due = (today - invoice.due_date).days
    bucket = next((b for b in BUCKETS if b[0] <= past_due <= b[1]), None)
    if past_due <= 0:
        return "open"
    full, partly = next((f, p) for age, f, p in PAY_ODDS if past_due > age)
    roll = ctx.rng.random()
    if bucket is not None and bucket not in open_buckets and past_due <= bucket[0] + 60:
        roll = 1.0  # every aging bucket keeps an unpaid invoice (not the oldest ones)
    if bucket is not None and roll >= full + partly:
        open_buckets.add(bucket)
        return "open"
    terms = order.customer.payment_terms_days or 0
    paid_at = invoice.due_date + timedelta(days=ctx.rng.randint(-min(terms, 12), 10))
    paid_at = min(max(paid_at, invoice.issue_date + timedelta(days=1)), today)
    amount = invoice.total
    if roll >= full:
        amount = (invoice.total * Decimal(ctx.rng.choice(["0.3", "0.5", "0.7"]))).quantize(Decimal("0.01"))
    payments.payment_record(
        customer=order.customer,
        amount=amount,
        allocations=[{"invoice": invoice, "amount": amount}],
        paid_at=paid_at,
        method=ctx.rng.choice(["bank_transfer", "bank_transfer", "bank_transfer", "acceptance"]),
        reference=f"银行回单 {ctx.rng.randint(10_000_000, 99_999_999)}",
        user=user,
    )
    if amount < invoice.total:
        return "partial"
    event = _last_event(names.INVOICE_PAID)
    if event is not None and event.payload.get("invoice_id") == invoice.pk:
        handlers.order_paid_when_all_invoices_paid(event)
    return "paid"


def build_history(ctx) -> dict[str, int]:
    """Create the history; returns counts by outcome (empty when there is nothing to build on)."""
    today = timezone.localdate()
    customers = list(
        Customer.objects.filter(is_active=True).select_related("owner").order_by("code")[: 80 * ctx.scale]
    )
    products = list(
        Product.objects.filter(
            is_active=True, is_template=False, list_price__gt=0, tracking=Product.Tracking.NONE
        )
        .prefetch_related("units")
        .order_by("sku")
    )
    sales = ctx.users.get("sales") or ctx.users.get("admin")
    warehouses = {w.pk: w for w in Warehouse.objects.filter(is_active=True)}
    if not customers or not products or sales is None or not warehouses:
        return {}
    history = _History(
        ctx=ctx,
        today=today,
        products=products,
        warehouses=warehouses,
        big=_big(customers),
        manager=ctx.users.get("manager") or ctx.users.get("admin"),
        picker=ctx.users.get("warehouse") or ctx.users.get("admin"),
        finance_user=ctx.users.get("finance") or ctx.users.get("admin"),
    )
    counts: dict[str, int] = {}
    plan = _plan(ctx, customers, today)
    for seq, (day, customer) in enumerate(plan, start=1):
        outcome = history.order(seq, day, customer, newest=seq > len(plan) - 2)
        counts[outcome] = counts.get(outcome, 0) + 1
    counts["over_limit"] = _over_limit(customers, history.manager)
    return counts


@dataclass
class _History:
    """What every order of the history needs: the demo's people, products and warehouses."""

    ctx: object
    today: date
    products: list
    warehouses: dict
    big: set
    manager: object
    picker: object
    finance_user: object
    nearest: dict = field(default_factory=dict)
    open_buckets: set = field(default_factory=set)

    def order(self, seq: int, day: date, customer, *, newest: bool) -> str:
        """One order of ``day``: received into stock, confirmed, reserved, then cancelled, left
        waiting (the ``newest``) or shipped and billed; dated back to its day. Its outcome."""
        ctx = self.ctx
        owner = _owner(ctx, customer)
        order = order_services.order_create(
            customer=customer,
            owner=owner,
            lines=_lines(ctx, self.products, customer.pk in self.big),
            order_date=day,
            requested_date=day + timedelta(days=ctx.rng.randint(2, 10)),
            notes=ctx.rng.choice(NOTES),
        )
        if customer.pk not in self.nearest:
            ids = warehouses_by_distance(latitude=customer.latitude, longitude=customer.longitude)
            self.nearest[customer.pk] = self.warehouses[ids[0]]
        # A cancelled order gives back what it held; only a shipped one needs its goods bought.
        cancel = ctx.rng.random() < 0.03
        if not cancel:
            receipt_day = day - timedelta(days=ctx.rng.randint(3, 20))
            _receive(ctx, order, self.nearest[customer.pk], receipt_day, self.picker, seq)
        order = self._confirm_and_reserve(order, owner)
        ship_day = min(
            day + timedelta(days=ctx.rng.choice([0, 1, 1, 2, 3, 5])), self.today - timedelta(days=1)
        )
        if cancel:
            services.order_cancel(order=order, user=owner, text="客户取消")
            outcome = "cancelled"
        elif newest:
            outcome = order.state  # reserved, waiting to be picked
        else:
            outcome = ship_and_bill(
                ctx, order, ship_day, self.today, self.picker, self.finance_user, self.open_buckets
            )
        stamp = at_hour(day, ctx.rng.randint(8, 17))
        SalesOrder.objects.filter(pk=order.pk).update(created_at=stamp, confirmed_at=stamp)
        OrderEvent.objects.filter(order=order).update(created_at=at_hour(ship_day, 16))
        OrderEvent.objects.filter(order=order, kind__in=EARLY_EVENTS).update(created_at=stamp)
        return outcome

    def _confirm_and_reserve(self, order, owner):
        order = services.order_confirm(order=order, user=owner)
        if order.state == SalesOrder.State.CREDIT_HOLD:
            order = services.order_release_hold(order=order, user=self.manager, text="老客户，经理特批")
        event = _last_event(names.ORDER_CONFIRMED)
        reservations.order_reserve(order_id=order.pk, event_id=event.pk if event else None)
        order.refresh_from_db()
        return order


def _over_limit(customers, manager) -> int:
    """Two customers whose unpaid invoices have grown past the credit limit they were given (not
    ones with draft orders: the fulfilment step decides which of those goes on credit hold)."""
    from crm.customers import services as customer_services
    from finance.selectors import open_receivables

    drafts = SalesOrder.objects.filter(state=SalesOrder.State.DRAFT)
    drafting = set(drafts.values_list("customer_id", flat=True))
    owing = [(open_receivables(customer_id=c.pk), c) for c in customers if c.pk not in drafting]
    owing = sorted((item for item in owing if item[0] >= Decimal("200")), key=lambda item: -item[0])
    for owed, customer in owing[:2]:
        limit = max((owed * Decimal("0.8") / 100).quantize(Decimal("1"), ROUND_DOWN) * 100, Decimal(100))
        customer_services.customer_update(customer=customer, actor=manager, credit_limit=limit)
    return len(owing[:2])


def ship_and_bill(ctx, order, ship_day, today, picker, finance_user, open_buckets) -> str:
    """Ship everything reserved (one shipment per warehouse) on ``ship_day`` and bill it."""
    from scm.inventory.models import Reservation

    demands = [line.demand for line in order.lines.all()]
    warehouse_ids = set(Reservation.objects.filter(demand__in=demands).values_list("warehouse_id", flat=True))
    outcome = "confirmed"
    for warehouse in Warehouse.objects.filter(pk__in=warehouse_ids).order_by("pk"):
        shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=picker)
        carrier, prefix = ctx.rng.choice(CARRIERS)
        shipment = shipping.shipment_ship(
            shipment=shipment,
            carrier=carrier,
            tracking_number=f"{prefix}{ctx.rng.randint(10**11, 10**12 - 1)}",
            quantities={line.pk: line.quantity for line in shipment.lines.all()},
            user=picker,
        )
        shipped_at = at_hour(ship_day, ctx.rng.randint(10, 18))
        Shipment.objects.filter(pk=shipment.pk).update(created_at=shipped_at, shipped_at=shipped_at)
        StockMove.objects.filter(reference=shipment.number).update(created_at=shipped_at)
        invoice = shipping.shipment_invoice(
            order=order, shipment=shipment, issue_date=ship_day, user=finance_user
        )
        outcome = _settle(ctx, order, invoice, today, finance_user, open_buckets)
    return outcome
