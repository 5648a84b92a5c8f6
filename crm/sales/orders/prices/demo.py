"""Demo step ``prices``: the customer group 重点客户 (the customers tagged so) with its yearly price
list, one customer's framework prices with quantity breaks, the promotions "满 10,000 享 9 折" and
"买 10 箱 A4 纸 送 1 盒中性笔" valid now, and a quote and an order of this week that use them.

Runs after the inventory, customers and orders steps, through the services (the rules hold:
overlap, stock condition, resolution order); creates nothing when the demo products or customers
are missing. Deterministic; the step runner makes it run once per database.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.roles import SALES, has_role
from crm.customers import services as customer_services
from crm.customers.models import Customer, CustomerGroup
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders.prices import services
from crm.sales.orders.prices.models import PriceList, Promotion
from scm.inventory.models import Product, ProductUnit

GROUP = ("KEY", "重点客户")
# (SKU, unit name or None, from quantity, price): the group's yearly prices.
GROUP_PRICES = [
    ("OF-A4-70", None, 0, "22.80"),
    ("OF-A4-80", None, 0, "27.50"),
    ("EL-MS-M330", None, 0, "119.00"),
    ("EL-KB-K380", None, 0, "185.00"),
    ("FB-WT-550", None, 0, "1.85"),
    ("FB-WT-550", "箱", 0, "43.00"),
    ("CL-HS-500", None, 0, "22.90"),
]
# One customer's framework prices, with quantity breaks.
CUSTOMER_PRICES = [
    ("OF-A4-70", None, 0, "22.50"),
    ("OF-A4-70", None, 50, "21.80"),
    ("OF-A4-70", None, 200, "20.90"),
    ("OF-A4-70", "箱", 0, "108.00"),
    ("OF-A4-70", "箱", 20, "104.00"),
    ("OF-A4-80", None, 0, "27.00"),
    ("OF-A4-80", None, 100, "26.00"),
]


def _rows(prices, products, units) -> list[dict]:
    rows = []
    for sku, unit, minimum, price in prices:
        if sku not in products or (unit is not None and (sku, unit) not in units):
            continue
        rows.append(
            {
                "product": products[sku],
                "unit": units.get((sku, unit)),
                "min_quantity": Decimal(minimum),
                "price": Decimal(price),
            }
        )
    return rows


def _owner(ctx, customer):
    if customer.owner_id and has_role(customer.owner, (SALES,)):
        return customer.owner
    return ctx.users.get("sales") or ctx.users.get("admin")


def build(ctx) -> None:
    manager = ctx.users.get("manager") or ctx.users.get("admin")
    skus = {sku for sku, *_rest in GROUP_PRICES + CUSTOMER_PRICES} | {"OF-GP-05B"}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus, is_active=True)}
    units = {(u.product.sku, u.name): u for u in ProductUnit.objects.filter(product__in=products.values())}
    customers = list(Customer.objects.filter(is_active=True).select_related("owner").order_by("code"))
    if manager is None or not customers or len(products) < len(skus):
        ctx.say("prices: no demo products or customers, nothing to add")
        return
    today = timezone.localdate()

    group = CustomerGroup.objects.filter(code=GROUP[0]).first() or customer_services.customer_group_save(
        actor=manager, code=GROUP[0], name=GROUP[1]
    )
    members = [c for c in customers if "重点客户" in c.tag_list] or customers[:8]
    for customer in members:
        customer_services.customer_update(customer=customer, actor=manager, group=group)

    services.price_list_save(
        user=manager,
        name="重点客户年度协议价",
        group=group,
        # Signed this week: the history before it was sold at list prices.
        valid_from=today - timedelta(days=6),
        valid_until=None,
        notes="重点客户统一协议价，按年度续签。",
        lines=_rows(GROUP_PRICES, products, units),
    )
    framework = members[0]
    services.price_list_save(
        user=manager,
        name=f"{framework.name} 框架协议价",
        customer=framework,
        valid_from=today - timedelta(days=6),
        valid_until=today + timedelta(days=358),
        notes="复印纸量大从优：50 包、200 包起分档。",
        lines=_rows(CUSTOMER_PRICES, products, units),
    )
    services.promotion_save(
        user=manager,
        name="满 10,000 享 9 折",
        kind=Promotion.Kind.ORDER,
        valid_from=today - timedelta(days=7),
        valid_until=today + timedelta(days=23),
        threshold=Decimal("10000"),
        discount_percent=Decimal("10"),
    )
    pen = products["OF-GP-05B"]
    services.promotion_save(
        user=manager,
        name="买 10 箱 A4 纸 送 1 盒中性笔",
        kind=Promotion.Kind.BUY_GET,
        valid_from=today - timedelta(days=7),
        valid_until=today + timedelta(days=53),
        buy_product=products["OF-A4-70"],
        buy_quantity=Decimal("50"),  # 10 boxes of 5 packs
        get_product=pen,
        get_quantity=Decimal("12"),  # a box of 12
        get_discount_percent=Decimal("100"),
        stock_product=pen,
        min_available=Decimal("12"),
    )

    # This week's quote at the framework's breaks, and an order over 10,000 with the gift.
    quote = quote_services.quote_create(
        customer=framework,
        owner=_owner(ctx, framework),
        lines=[
            {"product": products["OF-A4-70"], "quantity": 200},
            {"product": products["OF-A4-80"], "quantity": 120},
        ],
        notes="按框架协议分档价格报价。",
    )
    buyer = members[1] if len(members) > 1 else framework
    pen_box = units.get(("OF-GP-05B", "盒"))
    order = order_services.order_create(
        customer=buyer,
        owner=_owner(ctx, buyer),
        order_date=today - timedelta(days=1),
        requested_date=today + timedelta(days=5),
        lines=[
            {"product": products["EL-MS-M330"], "quantity": 60},
            {"product": products["EL-KB-K380"], "quantity": 10},
            {"product": products["OF-A4-70"], "unit": units.get(("OF-A4-70", "箱")), "quantity": 10},
            {"product": pen, "unit": pen_box, "quantity": 1 if pen_box else 12},
        ],
        notes="重点客户季度采购，参加满减活动。",
    )
    groups = CustomerGroup.objects.count()
    ctx.say(
        f"prices: {groups} customer groups ({len(members)} customers in {group.name}), "
        f"{PriceList.objects.count()} price lists, {Promotion.objects.count()} promotions; "
        f"quote {quote.number} and order {order.number} use them"
    )
