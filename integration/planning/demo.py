"""Replenishment planning's part of the demo company.

- The demand history is built from what the earlier steps shipped (``history.demand_rebuild``):
  two years of orders.
- A convenience store in 广州 (惠民便利店) has taken tissues (CL-TS-BX) from 广州仓 every day for
  the last eight weeks, half as much again on Saturdays and Sundays: a weekend-heavy product
  whose plan shows it. 广州仓 is nearly out of them while 北京仓 holds a bulk lot bought for a
  promotion that never came: the plan suggests moving stock from 北京仓 to 广州仓.
- Service levels by category (drinking water 98 %, office paper 97 %, snacks 90 %), and a
  buyer's own reorder point for A4 paper in 上海仓 for the school season (an override).
- The nightly run plans every product; one purchase suggestion is taken into a draft purchase
  order and one dismissed with its reason, so the record shows both.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from crm.customers.models import Customer
from crm.customers.services import customer_create
from integration.fulfilment.demo_orders import demo_order_shipped
from integration.planning import engine, history
from integration.planning.models import CategoryServiceLevel, Plan, PlanOverride, Suggestion
from integration.planning.services import suggestions_accept, suggestions_dismiss
from scm.inventory.models import Category, Product, Warehouse

STORE_PRODUCT = "CL-TS-BX"
STORE_DAYS = 56
WEEKDAY, WEEKEND = 6, 9  # packs a day
SERVICE_LEVELS = {"饮用水": Decimal("98"), "纸张本册": Decimal("97"), "休闲零食": Decimal("90")}


def _store(ctx, owner) -> Customer:
    store = Customer.objects.filter(name="惠民便利店（天河店）").first()
    if store is not None:
        return store
    return customer_create(
        actor=owner,
        owner=owner,
        name="惠民便利店（天河店）",
        address="广州市天河区体育西路 103 号",
        phone="020-38880123",
        latitude=Decimal("23.137900"),
        longitude=Decimal("113.321600"),
        contacts=[
            {"name": "黄店长", "phone": "13802261188", "email": "store@huimin.example.cn", "is_primary": True}
        ],
    )


def _store_orders(ctx, product, warehouse, store, owner, picker, finance_user) -> int:
    """Every day of the last eight weeks the store's order is confirmed, reserved from 广州仓,
    shipped and invoiced the same day (dated back to it); the store pays what is older than two
    weeks."""
    from finance import payments
    from scm.purchasing.demo_buying import receive_through_orders

    today = timezone.localdate()
    days = [today - timedelta(days=back) for back in range(STORE_DAYS, 0, -1)]
    wants = [WEEKEND if d.weekday() >= 5 else WEEKDAY for d in days]
    # 广州仓 gets what the store will take, week by week, and ends nearly empty.
    for week in range(0, STORE_DAYS, 7):
        receive_through_orders(
            ctx,
            warehouse=warehouse,
            wants=[{"product": product, "quantity": Decimal(sum(wants[week : week + 7]))}],
            day=days[week] - timedelta(days=1),
            late=False,
        )
    due = Decimal(0)
    for day, quantity in zip(days, wants, strict=True):
        _order, _shipment, invoice = demo_order_shipped(
            ctx,
            customer=store,
            owner=owner,
            lines=[{"product": product, "quantity": quantity}],
            warehouse=warehouse,
            picker=picker,
            day=day,
            finance_user=finance_user,
            hour=15,
        )
        if day < today - timedelta(days=14):
            due += invoice.total
    if due > 0:
        payments.payment_record(
            customer=store,
            amount=due,
            paid_at=today - timedelta(days=7),
            reference="惠民便利店月结",
            user=finance_user,
        )
    return len(days)


def build(ctx) -> None:
    warehouses = {w.code: w for w in Warehouse.objects.for_stock()}
    product = Product.objects.filter(sku=STORE_PRODUCT).first()
    owner = ctx.users.get("sales") or ctx.users.get("admin")
    picker = ctx.users.get("warehouse") or ctx.users.get("admin")
    buyer = ctx.users.get("purchasing") or ctx.users.get("admin")
    store_days = 0
    if product is not None and {"GZ", "BJ"} <= set(warehouses) and owner is not None:
        from scm.purchasing.demo_buying import receive_through_orders

        store = _store(ctx, owner)
        finance_user = ctx.users.get("finance") or ctx.users.get("admin")
        store_days = _store_orders(ctx, product, warehouses["GZ"], store, owner, picker, finance_user)
        # the promotion that never came: a bulk lot in 北京仓
        receive_through_orders(
            ctx,
            warehouse=warehouses["BJ"],
            wants=[{"product": product, "quantity": Decimal(600)}],
            day=timezone.localdate() - timedelta(days=120),
            late=False,
        )
    for name, level in SERVICE_LEVELS.items():
        category = Category.objects.filter(name=name).first()
        if category is not None:
            CategoryServiceLevel.objects.update_or_create(
                category=category, defaults={"service_level": level}
            )
    paper, shanghai = Product.objects.filter(sku="OF-A4-80").first(), warehouses.get("SH")
    if paper is not None and shanghai is not None and buyer is not None:
        # a buyer's own numbers for the school season, marked as such on the plan
        PlanOverride.objects.update_or_create(
            product=paper,
            warehouse=shanghai,
            defaults={"reorder_point": 200, "order_up_to": 600, "note": "开学季备货", "user": buyer},
        )
    rebuilt = history.demand_rebuild()
    result = engine.planning_run(trigger=Suggestion.Trigger.NIGHTLY)
    open_ = Suggestion.objects.filter(state=Suggestion.State.OPEN)
    purchases = list(open_.filter(kind=Suggestion.Kind.PURCHASE, supplier__isnull=False).order_by("pk")[:2])
    if buyer is not None and len(purchases) == 2:
        suggestions_accept(ids=[purchases[0].pk], user=buyer)
        suggestions_dismiss(ids=[purchases[1].pk], user=buyer, reason="客户改用替代品，暂不补货")
    transfers = open_.filter(kind=Suggestion.Kind.TRANSFER).select_related("source_warehouse", "warehouse")
    routes = sorted({f"{t.source_warehouse.name} → {t.warehouse.name}" for t in transfers})
    by_source = {
        row: Plan.objects.filter(source=row).count() for row in (Plan.Source.FORECAST, Plan.Source.HAND_SET)
    }
    ctx.say(
        f"planning: {rebuilt['days']} demand days, store orders {store_days}; {result['plans']} plans "
        f"({by_source[Plan.Source.FORECAST]} forecast, {by_source[Plan.Source.HAND_SET]} hand-set), "
        f"{open_.filter(kind=Suggestion.Kind.PURCHASE).count()} purchase and {transfers.count()} transfer "
        f"suggestions open ({', '.join(routes) or 'no transfer'})"
    )
