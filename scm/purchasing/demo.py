"""Demo purchasing: the company's suppliers (one for every product, a second source for paper
and pens, two for services), their prices over two years, and the stock of the warehouses
bought through real purchase orders and receipts: late and on-time deliveries, a rejected batch,
partial receipts, open orders that the order form shows as incoming, one waiting for approval.

Everything goes through the services (suppliers, orders, receiving); only the timestamps of rows
written "now" are moved back to the day they stand for. ``receive_through_orders`` is also how the
sales history and the backorder story (``integration.fulfilment``) get their goods.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from scm.inventory.models import Product, Warehouse
from scm.purchasing import orders, services
from scm.purchasing.demo_buying import place_order, receive, receive_through_orders
from scm.purchasing.demo_data import SERVICE_SUPPLIERS, SUPPLIERS
from scm.purchasing.models import (
    PurchaseOrder,
    PurchasingSettings,
    Receipt,
    ReceiptLine,
    Supplier,
    SupplierProduct,
)

SECOND_SOURCE = "V0013"
SECOND_SOURCE_SKUS = ("OF-A4-70", "OF-A4-80", "OF-GP-05B", "OF-GP-05R", "OF-GP-05U")
MONTHS = 24


def _suppliers(ctx, warehouses) -> dict[str, Supplier]:
    buyer = ctx.users.get("purchasing")
    result = {}
    for row in SUPPLIERS:
        code, name, _brands, days, month_end, _lead, address, tax_id, bank, account = row[:10]
        contact, title, phone, email, wh = row[10:]
        result[code] = Supplier.objects.filter(code=code).first() or services.supplier_create(
            code=code,
            name=name,
            address=address,
            tax_id=tax_id,
            bank_name=bank,
            bank_account=account,
            payment_terms_days=days,
            payment_terms_month_end=month_end,
            phone=phone,
            email=email,
            default_warehouse=warehouses[wh],
            buyer=buyer,
            contacts=[{"name": contact, "title": title, "phone": phone, "email": email, "is_primary": True}],
        )
    for (
        code,
        name,
        days,
        month_end,
        address,
        tax_id,
        bank,
        account,
        contact,
        title,
        phone,
        email,
    ) in SERVICE_SUPPLIERS:
        result[code] = Supplier.objects.filter(code=code).first() or services.supplier_create(
            code=code,
            name=name,
            address=address,
            tax_id=tax_id,
            bank_name=bank,
            bank_account=account,
            payment_terms_days=days,
            payment_terms_month_end=month_end,
            phone=phone,
            email=email,
            default_warehouse=warehouses["BJ"],
            buyer=buyer,
            contacts=[{"name": contact, "title": title, "phone": phone, "email": email, "is_primary": True}],
        )
    return result


def _lead(code: str) -> int:
    return next(row[5] for row in SUPPLIERS if row[0] == code)


def _supplier_of(product: Product) -> str:
    brand = product.brand.name if product.brand_id else ""
    return next((row[0] for row in SUPPLIERS if brand in row[2]), SUPPLIERS[0][0])


def _offer(supplier, product, *, preferred: bool, factor: Decimal, lead: int, today: date) -> None:
    """The supplier sells ``product`` by its box (when it has one) at cost × ``factor``: last
    year's price, this year's, and a quantity break from 20 boxes."""
    box = product.units.order_by("factor").last()
    item = services.supplier_product_create(
        supplier=supplier,
        product=product,
        supplier_code=f"{supplier.code[-2:]}-{product.sku}",
        unit=box,
        pack_size=1,
        min_order_quantity=1,
        lead_time_days=lead,
        is_preferred=preferred,
    )
    per_unit = product.cost * (box.factor if box else 1) * factor
    year_ago = today - timedelta(days=182)  # the price list changed half a year ago
    services.supplier_price_create(
        supplier_product=item,
        min_quantity=0,
        unit_price=(per_unit * Decimal("0.95")).quantize(Decimal("0.01")),
        valid_from=today - timedelta(days=MONTHS * 31 + 60),
        valid_to=year_ago - timedelta(days=1),
    )
    services.supplier_price_create(
        supplier_product=item,
        min_quantity=0,
        unit_price=per_unit.quantize(Decimal("0.01")),
        valid_from=year_ago,
    )
    if box is not None:
        services.supplier_price_create(
            supplier_product=item,
            min_quantity=20,
            unit_price=(per_unit * Decimal("0.97")).quantize(Decimal("0.01")),
            valid_from=year_ago,
        )


def _offers(suppliers, today: date) -> None:
    products = Product.objects.filter(is_template=False).select_related("brand").prefetch_related("units")
    for product in products.order_by("sku"):
        if SupplierProduct.objects.filter(product=product).exists():
            continue
        code = _supplier_of(product)
        _offer(suppliers[code], product, preferred=True, factor=Decimal(1), lead=_lead(code), today=today)
        if product.sku in SECOND_SOURCE_SKUS:
            _offer(
                suppliers[SECOND_SOURCE],
                product,
                preferred=False,
                factor=Decimal("1.08"),
                lead=2,
                today=today,
            )


# --- the demo step --------------------------------------------------------------------------


def _opening_stock(ctx, warehouses, day: date) -> int:
    """What the warehouses held three months ago, bought from the preferred suppliers: most
    products in most warehouses, lots with their expiry dates, serial numbers one by one."""
    rng = ctx.rng
    today = timezone.localdate()
    serial_no = 0
    count = 0
    products = list(Product.objects.filter(is_template=False).prefetch_related("units").order_by("sku"))
    for wh in warehouses.values():
        wants = []
        for product in products:
            if rng.random() < 0.15:
                continue  # not every warehouse stocks everything
            if product.tracking == Product.Tracking.SERIAL:
                serials = []
                for _ in range(rng.randint(2, 6)):
                    serial_no += 1
                    serials.append(f"SN{product.sku[-4:]}{serial_no:05d}")
                wants.append({"product": product, "quantity": len(serials), "lots": serials})
                continue
            box = product.units.order_by("factor").last()
            factor = box.factor if box else 1
            if product.tracking == Product.Tracking.LOT:
                lots = []
                for i in range(rng.randint(1, 3)):
                    lots.append(
                        (
                            f"{today:%y%m}{wh.code}{i + 1:02d}{rng.randint(100, 999)}",
                            today + timedelta(days=rng.choice([12, 45, 120, 240, 400])),
                            rng.randint(2, 30) * factor,
                        )
                    )
                wants.append({"product": product, "quantity": sum(q for _, _, q in lots), "lots": lots})
                continue
            wants.append({"product": product, "quantity": rng.randint(2, 30) * factor})
        count += len(receive_through_orders(ctx, warehouse=wh, wants=wants, day=day))
    return count


def _rejected_batch(ctx, suppliers, warehouses, day: date) -> None:
    """A delivery of nuts with wet cartons: two boxes rejected and sent back on a return, and
    water with misprinted labels kept in quarantine for the supplier to collect."""
    nuts = Product.objects.get(sku="FB-SN-NUT")
    box = nuts.units.order_by("factor").last()
    order = place_order(
        ctx,
        supplier=suppliers["V0006"],
        warehouse=warehouses["SH"],
        wants=[{"product": nuts, "quantity": 10 * box.factor}],
        day=day - timedelta(days=7),
    )
    receive(
        ctx,
        order,
        day=day,
        lots={nuts.pk: [(f"{day:%y%m%d}NUT", day + timedelta(days=270), 10 * box.factor)]},
        reject={nuts.pk: (2 * box.factor, "外箱破损受潮", ReceiptLine.RejectAction.RETURN)},
    )
    water = Product.objects.get(sku="FB-WT-550")
    box = water.units.order_by("factor").last()
    order = place_order(
        ctx,
        supplier=suppliers["V0004"],
        warehouse=warehouses["BJ"],
        wants=[{"product": water, "quantity": 40 * box.factor}],
        day=day - timedelta(days=4),
    )
    receive(
        ctx,
        order,
        day=day + timedelta(days=1),
        lots={water.pk: [(f"{day:%y%m%d}WT", day + timedelta(days=365), 40 * box.factor)]},
        reject={
            water.pk: (3 * box.factor, "标签印刷错误，待供应商确认", ReceiptLine.RejectAction.QUARANTINE)
        },
    )


def _fabric_delivery(ctx, suppliers, warehouses, today: date) -> None:
    """The spring T-shirt stock-up from the fabric and garment supplier, delivered three weeks
    ago: its bill (about 30,000) is what the company owes that supplier now."""
    shirts = list(Product.objects.filter(template__sku="AP-TS").order_by("sku"))
    if not shirts:
        return
    day = today - timedelta(days=21)
    order = place_order(
        ctx,
        supplier=suppliers["V0012"],
        warehouse=warehouses["SH"],
        wants=[{"product": shirt, "quantity": 92} for shirt in shirts],
        day=day - timedelta(days=15),
    )
    receive(ctx, order, day=day)


def _open_orders(ctx, suppliers, warehouses, today: date) -> dict:
    """Orders still under way: sent and expected within two weeks (the order form shows them as
    incoming), one partly received, one above the approval threshold waiting for the manager,
    and a draft."""
    products = {p.sku: p for p in Product.objects.filter(is_template=False).prefetch_related("units")}

    def boxes(sku, n):
        product = products[sku]
        box = product.units.order_by("factor").last()
        return {"product": product, "quantity": n * (box.factor if box else 1)}

    sent = []
    for code, wh, wants, back in [
        ("V0001", "BJ", [boxes("OF-A4-70", 60), boxes("OF-A4-80", 40)], 2),
        ("V0009", "GZ", [boxes("EL-MS-M330", 6), boxes("EL-PB-10K", 5), boxes("EL-CB-C1", 4)], 3),
        ("V0007", "SH", [boxes("FB-IN-NO", 30), boxes("FB-SN-BC", 20)], 1),
        ("V0010", "GZ", [boxes("CL-HS-500", 15), boxes("CL-LD-3KG", 20)], 4),
    ]:
        sent.append(
            place_order(
                ctx,
                supplier=suppliers[code],
                warehouse=warehouses[wh],
                wants=wants,
                day=today - timedelta(days=back),
                send=True,
            )
        )
    partly = place_order(
        ctx,
        supplier=suppliers["V0002"],
        warehouse=warehouses["SH"],
        wants=[boxes("OF-GP-05B", 40), boxes("OF-NB-B5", 30)],
        day=today - timedelta(days=5),
        send=True,
    )
    receive(ctx, partly, day=today - timedelta(days=1), share=Decimal("0.5"))
    buyer = ctx.users.get("purchasing")
    big = orders.purchase_order_create(
        supplier=suppliers["V0008"],
        user=buyer,
        warehouse=warehouses["BJ"],
        lines=[
            {"product": products["EL-NB-14"], "quantity": 12},
            {"product": products["EL-MN-27"], "quantity": 20},
        ],
        notes="下季度新员工电脑采购",
    )
    big = orders.purchase_order_submit(order=big, user=buyer)
    draft = orders.purchase_order_create(
        supplier=suppliers["V0005"],
        user=buyer,
        warehouse=warehouses["GZ"],
        lines=[
            {"product": products["FB-TE-LJ"], "quantity": 2},
            {"product": products["FB-TE-TG"], "quantity": 2},
        ],
        notes="春节礼品备货，待确认数量",
    )
    return {"sent": sent, "partly": partly, "to_approve": big, "draft": draft}


def build(ctx) -> None:
    from scm.inventory import demo as inventory_demo

    if Supplier.objects.exists():
        ctx.say("purchasing: already there")
        return
    today = timezone.localdate()
    warehouses = {w.code: w for w in Warehouse.objects.filter(is_active=True)}
    if not warehouses or not Product.objects.exists():
        ctx.say("purchasing: no products to buy")
        return
    PurchasingSettings.current()
    suppliers = _suppliers(ctx, warehouses)
    _offers(suppliers, today)
    _opening_stock(ctx, warehouses, today - timedelta(days=92))
    _rejected_batch(ctx, suppliers, warehouses, today - timedelta(days=40))
    inventory_demo.stock_history(ctx)
    _fabric_delivery(ctx, suppliers, warehouses, today)
    _open_orders(ctx, suppliers, warehouses, today)
    ctx.say(
        f"purchasing: {Supplier.objects.count()} suppliers, "
        f"{PurchaseOrder.objects.count()} purchase orders, {Receipt.objects.count()} receipts"
    )
