"""Demo step ``orders``: quotes in every state and draft orders for the demo customers.

Runs after the inventory, customers and pipeline steps; it reads their rows and creates nothing
when there are no customers or products. Confirmed and shipped history comes from the
fulfilment step. Deterministic (``ctx.rng``); the step runner makes it run once per database.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.roles import SALES, has_role
from crm.customers.models import Customer
from crm.sales.models import Quote
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from scm.inventory.models import Product

NOTES = [
    "报价含税，不含运费。",
    "按季度框架协议价格执行。",
    "请于有效期内确认，超期价格可能调整。",
    "",
    "首单优惠，送货到仓库。",
]


def _lines(ctx, products, count):
    lines = []
    for product in ctx.rng.sample(products, k=min(count, len(products))):
        units = list(product.units.all())
        unit = ctx.rng.choice(units) if units and ctx.rng.random() < 0.6 else None
        divisible = unit.divisible if unit else product.base_unit_divisible
        if unit is None:
            quantity = ctx.rng.randint(5, 200)
        else:  # a few pallets, or up to twenty boxes
            quantity = ctx.rng.randint(1, 3) if unit.factor > 100 else ctx.rng.randint(1, 20)
        if divisible and ctx.rng.random() < 0.3:
            quantity = Decimal(quantity) + Decimal("0.5")
        discount = ctx.rng.choice([0, 0, 0, 5, 8, 10])
        lines.append({"product": product, "unit": unit, "quantity": quantity, "discount_percent": discount})
    return lines


def _owner(ctx, customer):
    if customer.owner_id and has_role(customer.owner, (SALES,)):
        return customer.owner
    return ctx.users.get("sales") or ctx.users.get("admin")


def build(ctx) -> None:
    customers = list(
        Customer.objects.filter(is_active=True).select_related("owner").order_by("code")[: 40 * ctx.scale]
    )
    products = list(
        Product.objects.filter(is_active=True, is_template=False, list_price__gt=0)
        .prefetch_related("units")
        .order_by("sku")
    )
    if not customers or not products or not (ctx.users.get("sales") or ctx.users.get("admin")):
        ctx.say("orders: no customers or products, nothing to add")
        return
    today = timezone.localdate()
    states = ["draft", "sent", "sent", "accepted", "expired", "cancelled"]
    quotes = orders = 0
    for i, customer in enumerate(customers):
        owner = _owner(ctx, customer)
        wanted = states[i % len(states)]
        quote = quote_services.quote_create(
            customer=customer,
            owner=owner,
            lines=_lines(ctx, products, ctx.rng.randint(1, 4)),
            valid_until=today + timedelta(days=ctx.rng.choice([7, 14, 30, 45])),
            notes=ctx.rng.choice(NOTES),
        )
        quotes += 1
        created = timezone.now() - timedelta(days=ctx.rng.randint(1, 40), hours=ctx.rng.randint(0, 8))
        Quote.objects.filter(pk=quote.pk).update(created_at=created)
        if wanted in {"sent", "accepted"}:
            quote_services.quote_send(quote=quote, user=owner, recipient="")
        if wanted == "accepted":
            quote_services.quote_accept(quote=quote, user=owner)
            orders += 1
        elif wanted == "expired":
            Quote.objects.filter(pk=quote.pk).update(
                valid_until=today - timedelta(days=ctx.rng.randint(1, 20))
            )
        elif wanted == "cancelled":
            quote_services.quote_cancel(quote=quote, user=owner)
        # About a third of the customers also have a draft order being entered.
        if i % 3 == 1:
            order_services.order_create(
                customer=customer,
                owner=owner,
                lines=_lines(ctx, products, ctx.rng.randint(1, 5)),
                order_date=today - timedelta(days=i % 5),  # this week's orders
                requested_date=today + timedelta(days=ctx.rng.randint(3, 21)),
                notes=ctx.rng.choice(NOTES),
            )
            orders += 1
    expired = quote_services.quotes_expire(today=today)
    ctx.say(f"orders: {quotes} quotes ({expired} expired), {orders} draft orders")
