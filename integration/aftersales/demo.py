"""After-sales quality's part of the demo company: the jammed printer.

A batch of compatible toner cartridges (硒鼓 88A, lot ``TN2026-0815``) bought from 宏达办公耗材 on
a real purchase order and receipt into 上海仓 was shipped to four customers. Three of them called
within a fortnight: the printer jams and streaks. The complaints traced the lot to its receipt
and supplier and to the fourth customer; the third raised a quality alert; the manager put the
lot on hold and started a recall of the four customers, each with a return authorisation.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from core.events import names
from core.events.models import Event
from crm.customers.models import Customer
from crm.service import services as desk
from crm.service.models import Category, Channel, Ticket
from integration.aftersales import recall as recalls
from integration.aftersales import services
from integration.aftersales.models import QualityAlert
from integration.fulfilment.demo_orders import demo_order_shipped
from integration.fulfilment.models import Shipment
from scm.inventory import catalogue
from scm.inventory.models import Category as ProductCategory
from scm.inventory.models import Lot, Product, Warehouse
from scm.purchasing import services as purchasing
from scm.purchasing.demo_buying import place_order, receive
from scm.purchasing.models import Supplier

SKU = "OF-TN-88A"
LOT = "TN2026-0815"
COMPLAINTS = [
    ("打印机卡纸，换了新硒鼓后每打十几页就卡一次", 12),
    ("硒鼓漏粉，打印出来有黑色竖条，还卡纸", 8),
    ("新到的 88A 硒鼓装上后频繁卡纸", 3),
]


def _toner(buyer) -> Product:
    product = Product.objects.filter(sku=SKU).first()
    if product is not None:
        return product
    category = ProductCategory.objects.filter(name="电脑外设").first()
    return catalogue.product_create(
        user=buyer,
        sku=SKU,
        name="兼容硒鼓 88A（CC388A）",
        category=category,
        tracking=Product.Tracking.LOT,
        base_unit="个",
        list_price=Decimal("89.00"),
        cost=Decimal("42.00"),
        warranty_months=6,
    )


def _supplier(buyer, product) -> Supplier:
    supplier = Supplier.objects.filter(name="宏达办公耗材有限公司").first()
    if supplier is None:
        supplier = purchasing.supplier_create(
            actor=buyer,
            name="宏达办公耗材有限公司",
            address="东莞市长安镇乌沙工业区 18 号",
            phone="0769-85321688",
            contacts=[
                {
                    "name": "罗经理",
                    "phone": "13926881234",
                    "email": "luo@hongda-oa.example.cn",
                    "is_primary": True,
                }
            ],
        )
    if not supplier.products.filter(product=product).exists():
        item = purchasing.supplier_product_create(
            supplier=supplier, product=product, actor=buyer, lead_time_days=5, is_preferred=True
        )
        purchasing.supplier_price_create(supplier_product=item, actor=buyer, unit_price=Decimal("42.00"))
    return supplier


def _open_complaint(ctx, *, customer, lot, subject: str, days_ago: int) -> Ticket:
    """A quality complaint about the lot opened on the service desk (``ticket_open`` publishes
    ``ticket.opened``), moved back ``days_ago`` days."""
    opened = timezone.now() - timedelta(days=days_ago)
    ticket = desk.ticket_open(
        customer=customer,
        category=Category.QUALITY,
        subject=subject,
        description=subject,
        channel=Channel.PHONE,
        contact=customer.contacts.order_by("-is_primary", "pk").first(),
        lot=lot,
        user=ctx.users.get("service"),
    )
    Ticket.objects.filter(pk=ticket.pk).update(opened_at=opened)
    ticket.events.filter(kind__in=["opened", "assigned"]).update(at=opened)
    event = Event.objects.filter(name=names.TICKET_OPENED).order_by("-pk").first()
    # The rule runs now, so the demo shows its result whether or not a worker is running (the
    # worker's run of the same event finds it done).
    services.complaint_trace(event_id=event.pk, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket


def _ship(ctx, *, customer, product, quantity, warehouse, picker, days_ago: int) -> Shipment:
    _order, shipment, _invoice = demo_order_shipped(
        ctx,
        customer=customer,
        owner=customer.owner or ctx.users.get("sales"),
        lines=[{"product": product, "quantity": Decimal(quantity)}],
        warehouse=warehouse,
        picker=picker,
        day=timezone.localdate() - timedelta(days=days_ago),
    )
    return shipment


def build(ctx) -> None:
    buyer = ctx.users.get("purchasing") or ctx.users.get("admin")
    picker = ctx.users.get("warehouse") or ctx.users.get("admin")
    manager = ctx.users.get("manager") or ctx.users.get("admin")
    warehouse = (
        Warehouse.objects.for_stock().filter(code="SH").first() or Warehouse.objects.for_stock().first()
    )
    customers = list(
        Customer.objects.filter(~Q(owner=None), ~Q(name__startswith="惠民便利店"))
        .order_by("pk")
        .select_related("owner")[:4]
    )
    if warehouse is None or buyer is None or len(customers) < 4:
        ctx.say("aftersales: skipped (no warehouse, buyer or customers)")
        return
    toner = _toner(buyer)
    supplier = _supplier(buyer, toner)
    if not Lot.objects.filter(product=toner, number=LOT).exists():
        received_on = timezone.localdate() - timedelta(days=40)
        order = place_order(
            ctx,
            supplier=supplier,
            warehouse=warehouse,
            wants=[{"product": toner, "quantity": 200}],
            day=received_on - timedelta(days=5),
        )
        receive(
            ctx,
            order,
            day=received_on,
            lots={toner.pk: [(LOT, received_on + timedelta(days=730), Decimal(200))]},
        )
    lot = Lot.objects.select_related("product").get(product=toner, number=LOT)
    for customer, (quantity, days_ago) in zip(
        customers, [(30, 30), (24, 28), (40, 25), (16, 21)], strict=True
    ):
        _ship(
            ctx,
            customer=customer,
            product=toner,
            quantity=quantity,
            warehouse=warehouse,
            picker=picker,
            days_ago=days_ago,
        )
    for customer, (subject, days_ago) in zip(customers[:3], COMPLAINTS, strict=True):
        _open_complaint(ctx, customer=customer, lot=lot, subject=subject, days_ago=days_ago)
    alert = QualityAlert.objects.filter(lot=lot).first()
    if alert is not None and manager is not None:
        services.alert_hold(alert=alert, reason="三家客户投诉打印机卡纸、漏粉", user=manager)
        recall = recalls.recall_start(lot=lot, reason="硒鼓批次卡纸漏粉，召回退换", user=manager, alert=alert)
        ctx.say(
            f"aftersales: lot {LOT} of {toner.name} shipped to {len(customers)} customers, "
            f"{Ticket.objects.filter(lot=lot, category=Category.QUALITY).count()} quality complaints, "
            f"alert raised, lot on hold, recall {recall.number} "
            f"({recall.customers.count()} customers)"
        )
    else:
        ctx.say(f"aftersales: lot {LOT} shipped to {len(customers)} customers; no alert raised")
