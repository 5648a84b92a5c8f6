"""Parts on service tickets in the demo company: the air-conditioner case.

- Three products through inventory's catalogue: 格力 1.5 匹挂机 (serial-numbered, 36 months'
  warranty), its installation kit (支架 and 铜管) and a fan capacitor used in repairs, bought from
  the maker (preferred supplier) through purchase orders into 广州仓 and 北京仓.
- A customer in 广州 bought three units (shipped through the order-to-cash loop: one last week,
  one ten months ago, one 40 months ago).
- The unit shipped last week gets an installation ticket: the kit is reserved from 广州仓 (the
  warehouse nearest the customer) and an engineer's visit is booked.
- The unit shipped ten months ago had a repair: the capacitor was used, free under warranty.
- The unit shipped 40 months ago had a repair after its warranty ended: the capacitor was used
  and charged, on an invoice.

Tickets are opened by ``_open_ticket`` and visits completed by ``_complete_visit``, the two
places that change when the ticket services take them over.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from crm.customers.models import Customer
from crm.customers.services import customer_create
from crm.service import parts, visits
from crm.service import services as desk
from crm.service.models import Category, Ticket, TicketPart, Visit
from crm.service.warranty import add_months
from integration.aftersales.parts_billing import parts_invoice
from integration.fulfilment.demo_orders import demo_order_shipped
from integration.fulfilment.models import Shipment
from scm.inventory import catalogue
from scm.inventory.models import Lot, Product, StockMove, Warehouse

AC_SKU = "AC-GREE-15P"
KIT_SKU = "AC-KIT-MOUNT"
CAPACITOR_SKU = "AC-CAP-FAN"
CUSTOMER_NAME = "广州粤海酒店管理有限公司"
# (months ago it was shipped, what the ticket is)
UNITS = [(0, "install"), (10, "repair_free"), (40, "repair_charged")]


def _product(sku: str, **fields) -> Product:
    product = Product.objects.filter(sku=sku).first()
    return product or catalogue.product_create(sku=sku, **fields)


def _products(ctx):
    unit = _product(
        AC_SKU,
        name="格力 1.5 匹挂机 KFR-35GW",
        tracking=Product.Tracking.SERIAL,
        base_unit="台",
        list_price=Decimal("3299.00"),
        tax_rate=Decimal("0.13"),
        warranty_months=36,
        user=ctx.users.get("admin"),
    )
    kit = _product(
        KIT_SKU,
        name="空调安装套件（支架 + 3 米铜管）",
        base_unit="套",
        list_price=Decimal("180.00"),
        tax_rate=Decimal("0.13"),
        user=ctx.users.get("admin"),
    )
    capacitor = _product(
        CAPACITOR_SKU,
        name="空调风机电容 2.5μF",
        base_unit="个",
        list_price=Decimal("45.00"),
        tax_rate=Decimal("0.13"),
        user=ctx.users.get("admin"),
    )
    return unit, kit, capacitor


SUPPLIER_NAME = "珠海格力电器股份有限公司"
# sku → (what it costs from the supplier, lead time in days)
BUYING = {
    AC_SKU: (Decimal("2450.00"), 10),
    KIT_SKU: (Decimal("95.00"), 5),
    CAPACITOR_SKU: (Decimal("18.00"), 5),
}


def _supplier(ctx, products, warehouse):
    """The maker, preferred supplier of the three products, with its prices."""
    from scm.purchasing import services as purchasing
    from scm.purchasing.models import Supplier

    supplier = Supplier.objects.filter(name=SUPPLIER_NAME).first()
    if supplier is not None:
        return supplier
    supplier = purchasing.supplier_create(
        name=SUPPLIER_NAME,
        address="广东省珠海市香洲区前山金鸡西路 789 号",
        phone="0756-8669999",
        email="sales@gree.example.cn",
        payment_terms_days=30,
        default_warehouse=warehouse,
        buyer=ctx.users.get("purchasing"),
    )
    for product in products:
        cost, lead = BUYING[product.sku]
        item = purchasing.supplier_product_create(
            supplier=supplier, product=product, lead_time_days=lead, is_preferred=True
        )
        purchasing.supplier_price_create(supplier_product=item, min_quantity=1, unit_price=cost)
    return supplier


def _stock(ctx, unit, kit, capacitor, warehouses) -> None:
    """Bought from the maker through purchase orders: the units (serial numbers) and kits and
    capacitors into 广州仓 before the first unit was sold, more kits and capacitors into 北京仓."""
    from scm.purchasing.demo_buying import receive_through_orders

    _supplier(ctx, (unit, kit, capacitor), warehouses["GZ"])
    day = add_months(timezone.localdate(), -max(m for m, _c in UNITS)) - timedelta(days=30)
    serials = [f"GREE35GW{ctx.rng.randint(10**7, 10**8 - 1)}{i}" for i in range(len(UNITS) + 2)]
    receive_through_orders(
        ctx,
        warehouse=warehouses["GZ"],
        wants=[
            {"product": unit, "quantity": Decimal(len(serials)), "lots": serials},
            {"product": kit, "quantity": Decimal(6)},
            {"product": capacitor, "quantity": Decimal(10)},
        ],
        day=day,
        late=False,
    )
    receive_through_orders(
        ctx,
        warehouse=warehouses["BJ"],
        wants=[{"product": kit, "quantity": Decimal(20)}, {"product": capacitor, "quantity": Decimal(30)}],
        day=day + timedelta(days=14),
        late=False,
    )


def _customer(owner) -> Customer:
    customer = Customer.objects.filter(name=CUSTOMER_NAME).first()
    if customer is not None:
        return customer
    return customer_create(
        actor=owner,
        owner=owner,
        name=CUSTOMER_NAME,
        address="广州市越秀区环市东路 339 号",
        phone="020-83331234",
        latitude=Decimal("23.139900"),
        longitude=Decimal("113.285600"),
        contacts=[
            {
                "name": "梁经理",
                "phone": "13922203456",
                "email": "facility@yuehai.example.cn",
                "is_primary": True,
            }
        ],
    )


def _ship_unit(ctx, *, unit, customer, warehouse, day, owner, picker, finance_user) -> Shipment:
    """One unit ordered, shipped and invoiced on ``day`` through the order-to-cash loop."""
    _order, shipment, _invoice = demo_order_shipped(
        ctx,
        customer=customer,
        owner=owner,
        lines=[{"product": unit, "quantity": Decimal(1)}],
        warehouse=warehouse,
        picker=picker,
        day=day,
        finance_user=finance_user,
    )
    return shipment


def _open_ticket(*, customer, unit, shipment, category, subject, description, opened_at, user) -> Ticket:
    """Open a ticket on the service desk about the serial that ``shipment`` took to
    ``customer`` (the desk gives it to the team of the customer's region), moved back to
    ``opened_at``."""
    serial = (
        StockMove.objects.filter(reference=shipment.number, product=unit)
        .values_list("lot", flat=True)
        .first()
    )
    ticket = desk.ticket_open(
        customer=customer,
        category=category,
        subject=subject,
        description=description,
        contact=customer.contacts.order_by("-is_primary", "pk").first(),
        lot=Lot.objects.get(pk=serial),
        user=user,
    )
    Ticket.objects.filter(pk=ticket.pk).update(opened_at=opened_at)
    ticket.events.filter(kind__in=["opened", "assigned"]).update(at=opened_at)
    ticket.refresh_from_db()
    return ticket


def _book_visit(*, ticket, user) -> Visit:
    """The assignee's first free slot."""
    return visits.visit_book(ticket=ticket, user=user)


def _complete_visit(*, visit, user) -> list:
    """The engineer finishes the visit (the desk uses the ticket's parts) and resolves the
    ticket."""
    visits.visit_complete(visit=visit, notes="更换风机电容，试机正常。", user=user)
    ticket = visit.ticket
    # The visit was the day after the call.
    start = ticket.opened_at + timedelta(days=1)
    Visit.objects.filter(pk=visit.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=2), done_at=start
    )
    desk.ticket_transition(ticket=ticket, action="start", user=user)
    desk.ticket_transition(ticket=ticket, action="resolve", user=user)
    return list(TicketPart.objects.filter(ticket=ticket, state=TicketPart.State.CONSUMED))


def build(ctx) -> None:
    warehouses = {w.code: w for w in Warehouse.objects.for_stock()}
    owner = ctx.users.get("sales") or ctx.users.get("admin")
    picker = ctx.users.get("warehouse") or ctx.users.get("admin")
    engineer = ctx.users.get("service") or ctx.users.get("admin")
    finance_user = ctx.users.get("finance") or ctx.users.get("admin")
    if not {"GZ", "BJ"} <= set(warehouses) or owner is None or engineer is None:
        ctx.say("service_parts: 0 ticket parts (0 used free under warranty, 0 invoiced)")
        return
    unit, kit, capacitor = _products(ctx)
    _stock(ctx, unit, kit, capacitor, warehouses)
    customer = _customer(owner)
    today = timezone.localdate()
    now = timezone.now()
    for months_ago, case in UNITS:
        day = add_months(today, -months_ago) - timedelta(days=7 if months_ago == 0 else 0)
        shipment = _ship_unit(
            ctx,
            unit=unit,
            customer=customer,
            warehouse=warehouses["GZ"],
            day=day,
            owner=owner,
            picker=picker,
            finance_user=finance_user,
        )
        if case == "install":
            ticket = _open_ticket(
                customer=customer,
                unit=unit,
                shipment=shipment,
                category=Category.INSTALLATION,
                subject="客房空调安装（3 楼 302）",
                description="客户要求上门安装挂机，需支架与铜管。",
                opened_at=now - timedelta(hours=3),
                user=engineer,
            )
            parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
            _book_visit(ticket=ticket, user=engineer)
            continue
        opened_at = now - timedelta(days=3)
        ticket = _open_ticket(
            customer=customer,
            unit=unit,
            shipment=shipment,
            category=Category.REPAIR,
            subject="空调外机不转，不制冷",
            description="风机不启动，疑似电容损坏。",
            opened_at=opened_at,
            user=engineer,
        )
        parts.ticket_part_add(ticket=ticket, product=capacitor, quantity=1, user=engineer)
        visit = _book_visit(ticket=ticket, user=engineer)
        used = _complete_visit(visit=visit, user=ticket.assignee or engineer)
        # What the ``ticket.parts_used`` handler does once this commits (it then finds it done).
        parts_invoice(part_ids=[p.pk for p in used])
    used = TicketPart.objects.filter(state=TicketPart.State.CONSUMED)
    ctx.say(
        f"service_parts: {TicketPart.objects.count()} ticket parts "
        f"({used.filter(under_warranty=True).count()} used free under warranty, "
        f"{used.filter(invoice_id__isnull=False).count()} invoiced)"
    )
