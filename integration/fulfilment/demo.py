"""Demo step ``fulfilment``: the sales demo's draft orders run through the loop, so every order
state has an example: draft, credit hold, cancelled, reserved (or partly), partly shipped,
invoiced and paid, with shipments, invoices and payments behind them; and an order whose
backorder a later receipt served. The warehouse's part (a batch pick under way, a bin short) is in
``demo_picking``.

The step runs in one transaction, so the event handlers would only run after it commits; it
calls the reservation and invoicing handlers itself for the events it publishes, and their
deliveries find the work done when they run (each handler is idempotent). Creates nothing when
there are no draft orders (no customers or products).
"""

import importlib.util
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone

from core.events import names
from core.events.models import Event
from crm.sales.models import OrderEvent, SalesOrder
from crm.sales.orders import services as order_services
from integration.fulfilment import demo_picking, handlers, services, shipping
from integration.fulfilment.models import Shipment
from scm.inventory.models import Product, Reservation, StockLevel, Warehouse
from scm.inventory.selectors import warehouses_by_distance

CARRIERS = [("顺丰速运", "SF"), ("京东物流", "JD"), ("中通快递", "ZTO"), ("德邦物流", "DPK")]
# What happens to the i-th draft order, in turn.
PLAN = ["draft", "confirm", "ship", "pay", "partial", "ship", "cancel", "pay"]


def _event(name: str, **payload):
    qs = Event.objects.filter(name=name)
    for key, value in payload.items():
        qs = qs.filter(**{f"payload__{key}": value})
    return qs.order_by("-pk").first()


def _confirm(order, user):
    order = services.order_confirm(order=order, user=user)
    event = _event(names.ORDER_CONFIRMED, order_id=order.pk)
    if order.state == SalesOrder.State.CONFIRMED and event is not None:
        handlers.reserve_confirmed_order(event)
    order.refresh_from_db()
    return order


def _ship(ctx, order, picker, share: Decimal) -> int:
    """Ship ``share`` of what each warehouse holds for the order; returns shipments made."""
    demands = [line.demand for line in order.lines.all()]
    warehouse_ids = sorted(
        set(Reservation.objects.filter(demand__in=demands).values_list("warehouse_id", flat=True))
    )
    made = 0
    for warehouse in Warehouse.objects.filter(pk__in=warehouse_ids).order_by("pk"):
        shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=picker)
        quantities = {}
        for line in shipment.lines.all():
            qty = (line.quantity * share).to_integral_value() if share < 1 else line.quantity
            quantities[line.pk] = max(qty, Decimal(1)) if line.quantity >= 1 else line.quantity
        carrier, prefix = ctx.rng.choice(CARRIERS)
        shipment = shipping.shipment_ship(
            shipment=shipment,
            carrier=carrier,
            tracking_number=f"{prefix}{ctx.rng.randint(10**11, 10**12 - 1)}",
            quantities=quantities,
            user=picker,
        )
        event = _event(names.SHIPMENT_SHIPPED, shipment_id=shipment.pk)
        if event is not None:
            handlers.invoice_and_tell_customer(event)
        made += 1
        if share < 1:
            break
    return made


def _credit_hold_customer(ctx, order, manager) -> bool:
    """Give the customer a credit limit below this order, through the customers service when
    there is one (audited); without it the demo shows no credit hold."""
    check = services.credit_needed(order=order)
    if check["over_limit"]:
        return True
    if importlib.util.find_spec("crm.customers.services") is None:
        return False
    from crm.customers import services as customer_services

    if not hasattr(customer_services, "customer_update"):
        return False
    limit = max((order.total / 2).quantize(Decimal("1")), Decimal("1"))
    customer_services.customer_update(customer=order.customer, actor=manager, credit_limit=limit)
    order.customer.refresh_from_db()
    return True


def _pay(ctx, order, finance_user) -> int:
    from finance import payments
    from finance.models import Invoice

    paid = 0
    for invoice in Invoice.objects.filter(sales_order=order).exclude(state=Invoice.State.PAID).order_by("pk"):
        payments.payment_record(
            customer=order.customer,
            amount=invoice.total,
            allocations=[{"invoice": invoice, "amount": invoice.total}],
            method="bank_transfer",
            reference=f"银行转账 {ctx.rng.randint(100000, 999999)}",
            user=finance_user,
        )
        event = _event(names.INVOICE_PAID, invoice_id=invoice.pk)
        if event is not None:
            handlers.order_paid_when_all_invoices_paid(event)
        paid += 1
    return paid


def _order_again(ctx, order, picker) -> bool:
    """The customer of a paid order orders the same again, and it ships: the lifecycle rule then
    shows a repeat customer. Returns whether anything shipped."""
    lines = [
        {
            "product": line.product,
            "unit": line.unit,
            "quantity": line.quantity,
            "discount_percent": line.discount_percent,
        }
        for line in order.lines.select_related("product", "unit").order_by("pk")
    ]
    again = order_services.order_create(
        customer=order.customer, owner=order.owner, lines=lines, notes="老客户返单"
    )
    again = _confirm(again, again.owner)
    if again.state not in shipping.SHIPPABLE_STATES:
        return False
    return _ship(ctx, again, picker, Decimal(1)) > 0


def _short_order(ctx, customer, owner, *, skip_product=None, note: str):
    """A confirmed order that asks for a quarter more than is in stock of a product that has a
    preferred supplier, its shortfall bought for (以销定购) on a purchase order that is sent.
    Returns (order, purchase order), or None when no product has stock for it."""
    from integration.fulfilment.purchase_to_order import order_line_purchase
    from scm.purchasing import orders as purchase_orders

    levels = StockLevel.objects.filter(
        product__tracking=Product.Tracking.NONE,
        product__is_active=True,
        product__is_template=False,
        product__supplier_products__is_preferred=True,  # it is bought for the order
    )
    if skip_product is not None:
        levels = levels.exclude(product=skip_product)
    available = (
        levels.values("product")
        .annotate(a=Sum(F("on_hand") - F("reserved")))
        .filter(a__gte=10, a__lte=400)
        .order_by("a", "product")
        .first()
    )
    if available is None:
        return None
    product = Product.objects.get(pk=available["product"])
    short = max((available["a"] / 4).to_integral_value(), Decimal(6))
    order = order_services.order_create(
        customer=customer,
        owner=owner,
        lines=[{"product": product, "quantity": available["a"] + short}],
        priority=SalesOrder.Priority.HIGH,
        notes=note,
    )
    order = _confirm(order, owner)
    buyer = ctx.users.get("purchasing") or owner
    po_line = order_line_purchase(line=order.lines.get(), user=buyer)
    purchase = purchase_orders.purchase_order_submit(order=po_line.order, user=buyer)
    if purchase.state == purchase.State.TO_APPROVE:
        purchase = purchase_orders.purchase_order_approve(order=purchase, user=ctx.users.get("manager"))
    purchase = purchase_orders.purchase_order_send(order=purchase, user=buyer, recipient="")
    return order, purchase


def _backorder_served(ctx, customer, owner):
    """An order that asked for more than was in stock, its backorder bought for on a purchase
    order and served by the receipt two days later, before any other order waiting: the
    order's timeline tells the story. Returns the order, or None when no product has stock."""
    from scm.purchasing.demo_buying import receive

    made = _short_order(ctx, customer, owner, note="客户新店开业备货，缺货部分到货即发")
    if made is None:
        return None
    order, purchase = made
    receipt = receive(ctx, purchase, day=timezone.localdate())
    handlers.serve_bought_for_first(_event(names.STOCK_RECEIVED, receipt_id=receipt.pk))
    # The order came in two days before the goods.
    before = timezone.now() - timedelta(days=2)
    SalesOrder.objects.filter(pk=order.pk).update(
        order_date=timezone.localdate(before), created_at=before, confirmed_at=before
    )
    OrderEvent.objects.filter(order=order).exclude(kind__in=["backorder_served", "state:reserved"]).update(
        created_at=before
    )
    order.refresh_from_db()
    return order


def _backorder_waiting(ctx, customer, owner, skip_product=None):
    """An order partly reserved, the rest bought for on a purchase order still on its way: the
    order form shows the incoming date, the receipt will serve it first."""
    made = _short_order(ctx, customer, owner, skip_product=skip_product, note="分批发货，余量等采购到货")
    return made[0] if made else None


def _retailer_stock_up(ctx, manager, picker) -> SalesOrder | None:
    """The retailer that owes the most gets a holiday stock-up shipped this week, so that it
    owes about 50,000: bought in, confirmed (the manager releases the credit hold it runs
    into), shipped and invoiced through the services like any order, and not yet paid."""
    from finance.models import Invoice
    from scm.purchasing.demo_buying import receive_through_orders

    open_by_customer = (
        Invoice.objects.filter(state__in=Invoice.OPEN_STATES, customer__industry="批发零售")
        .values("customer")
        .annotate(o=Sum(F("total") - F("paid_amount") - F("credited_amount")))
        .order_by("-o", "customer")
        .first()
    )
    if open_by_customer is None or open_by_customer["o"] >= 50_000:
        return None
    from crm.customers.models import Customer

    customer = Customer.objects.get(pk=open_by_customer["customer"])
    product = Product.objects.filter(sku="FB-TE-TG", supplier_products__is_preferred=True).first()
    if product is None:  # 铁观音礼罐, the holiday gift, is not sold here
        return None
    gross = product.list_price * (1 + product.tax_rate)
    quantity = ((Decimal(50_000) - open_by_customer["o"]) / gross).to_integral_value()
    if quantity <= 0:
        return None
    nearest = warehouses_by_distance(latitude=customer.latitude, longitude=customer.longitude)
    warehouse = Warehouse.objects.get(pk=nearest[0])
    day = timezone.localdate() - timedelta(days=3)
    receive_through_orders(
        ctx, warehouse=warehouse, wants=[{"product": product, "quantity": quantity}], day=day
    )
    order = order_services.order_create(
        customer=customer,
        owner=customer.owner or picker,
        lines=[{"product": product, "quantity": quantity}],
        notes="春节礼品备货，整批发货",
    )
    order = _confirm(order, order.owner)
    if order.state == SalesOrder.State.CREDIT_HOLD and manager is not None:
        services.order_release_hold(order=order, user=manager, text="年度大客户节前备货，经理特批")
        event = _event(names.ORDER_CONFIRMED, order_id=order.pk)
        if event is not None:
            handlers.reserve_confirmed_order(event)
        order.refresh_from_db()
    if order.state in shipping.SHIPPABLE_STATES:
        _ship(ctx, order, picker, Decimal(1))
    # Ordered ten days ago (framework agreement), shipped once the goods came in.
    SalesOrder.objects.filter(pk=order.pk).update(order_date=timezone.localdate() - timedelta(days=10))
    order.refresh_from_db()
    return order


def build(ctx) -> None:
    drafts = list(
        SalesOrder.objects.filter(state=SalesOrder.State.DRAFT)
        .select_related("customer", "owner")
        .order_by("pk")[: 60 * ctx.scale]
    )
    if not drafts:
        ctx.say("fulfilment: no draft orders, nothing to fulfil")
        return
    manager = ctx.users.get("manager") or ctx.users.get("admin")
    picker = ctx.users.get("warehouse") or ctx.users.get("admin")
    finance_user = ctx.users.get("finance") or ctx.users.get("admin")
    from integration.fulfilment.demo_history import build_history

    build_history(ctx)
    counts: dict[str, int] = {}
    held = False
    paid = []
    for i, order in enumerate(drafts):
        plan = PLAN[i % len(PLAN)]
        if plan == "draft":
            continue
        if plan == "confirm" and not held and _credit_hold_customer(ctx, order, manager):
            order = services.order_confirm(order=order, user=order.owner)
            held = order.state == SalesOrder.State.CREDIT_HOLD
            counts["credit_hold"] = counts.get("credit_hold", 0) + int(held)
            continue
        order = _confirm(order, order.owner)
        if order.state == SalesOrder.State.CREDIT_HOLD:
            if plan in {"confirm", "cancel"} or manager is None:
                counts["credit_hold"] = counts.get("credit_hold", 0) + 1
                continue
            services.order_release_hold(order=order, user=manager, text="老客户，经理特批")
            event = _event(names.ORDER_CONFIRMED, order_id=order.pk)
            if event is not None:
                handlers.reserve_confirmed_order(event)
            order.refresh_from_db()
        if plan == "cancel":
            services.order_cancel(order=order, user=order.owner, text="客户取消")
        elif plan in {"ship", "pay", "partial"} and order.state in shipping.SHIPPABLE_STATES:
            _ship(ctx, order, picker, Decimal("0.5") if plan == "partial" else Decimal(1))
            order.refresh_from_db()
            if plan == "pay":
                _pay(ctx, order, finance_user)
        order.refresh_from_db()
        counts[order.state] = counts.get(order.state, 0) + 1
        if order.state == SalesOrder.State.PAID:
            paid.append(order)
    # Some customers come back for more (their second shipped order makes them repeat customers).
    again = sum(_order_again(ctx, order, picker) for order in paid[: 2 * ctx.scale])
    served = _backorder_served(ctx, drafts[0].customer, drafts[0].owner)
    _backorder_waiting(
        ctx,
        drafts[-1].customer,
        drafts[-1].owner,
        skip_product=served.lines.get().product if served else None,
    )
    _retailer_stock_up(ctx, manager, picker)
    batch = demo_picking.batch_under_way(picker)
    short = demo_picking.bin_short(batch, picker)
    # The orders as they now stand, this week's and the history's.
    by_state = SalesOrder.objects.values("state").annotate(n=Count("pk")).order_by("state")
    summary = ", ".join(f"{row['state']} {row['n']}" for row in by_state)
    ctx.say(
        f"fulfilment: {SalesOrder.objects.count()} orders ({summary}), {Shipment.objects.count()} shipments"
        f"; repeat orders shipped {again}"
        + (f"; backorder served by a receipt: {served.number}" if served else "")
        + (f"; batch pick under way: {batch.number}" if batch else "")
        + (f"; bin {short} short, to count" if short else "")
    )
