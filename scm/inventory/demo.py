"""Demo inventory: three warehouses (北京, 上海, 广州; 北京 works by bins: ``demo_bins``), about
sixty products of a trading company, lots with expiry dates, serial-numbered electronics, a
T-shirt template with variants (``build``);
once purchasing has bought their stock (``scm.purchasing.demo``), ninety days of stock history and
one open count (``stock_history``). Deterministic (``ctx.rng``) and idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from scm.inventory import counts, demo_bins, reservations, services, transfers
from scm.inventory.models import Brand, Category, CountSession, Product, ProductUnit, StockMove, Warehouse

WAREHOUSES = [
    ("BJ", "北京仓", "北京市大兴区京南物流园区 88 号", "华北", "39.726900", "116.341200"),
    ("SH", "上海仓", "上海市浦东新区外高桥保税区港城路 500 号", "华东", "31.343600", "121.587500"),
    ("GZ", "广州仓", "广州市白云区太和镇物流大道 16 号", "华南", "23.348000", "113.383300"),
]

CATEGORIES = {
    "办公用品": ["纸张本册", "书写工具", "文件管理"],
    "食品饮料": ["饮用水", "茶叶", "休闲零食"],
    "电子产品": ["电脑外设", "手机配件"],
    "清洁用品": [],
    "服装": [],
}

# (sku, name, category, brand, unit, price, cost, tracking, box (name, factor) or None, reorder point)
PRODUCTS = [
    ("OF-A4-70", "A4 复印纸 70g 500张/包", "纸张本册", "得力", "包", "24.00", "17.50", "none", ("箱", 5), 50),
    ("OF-A4-80", "A4 复印纸 80g 500张/包", "纸张本册", "得力", "包", "29.00", "21.00", "none", ("箱", 5), 40),
    ("OF-A3-80", "A3 复印纸 80g 500张/包", "纸张本册", "齐心", "包", "58.00", "42.00", "none", ("箱", 5), 0),
    ("OF-NB-B5", "B5 胶套本 60页", "纸张本册", "晨光", "本", "4.50", "2.60", "none", ("盒", 20), 100),
    ("OF-NB-A5", "A5 皮面笔记本", "纸张本册", "得力", "本", "16.80", "9.90", "none", ("盒", 10), 0),
    ("OF-ST-76", "便利贴 76×76mm", "纸张本册", "晨光", "本", "3.20", "1.70", "none", ("盒", 12), 0),
    ("OF-GP-05B", "中性笔 0.5mm 黑", "书写工具", "晨光", "支", "2.00", "0.95", "none", ("盒", 12), 300),
    ("OF-GP-05R", "中性笔 0.5mm 红", "书写工具", "晨光", "支", "2.00", "0.95", "none", ("盒", 12), 0),
    ("OF-GP-05U", "中性笔 0.5mm 蓝", "书写工具", "晨光", "支", "2.00", "0.95", "none", ("盒", 12), 0),
    ("OF-MK-BK", "白板笔 黑", "书写工具", "得力", "支", "3.50", "1.80", "none", ("盒", 10), 0),
    ("OF-HL-YE", "荧光笔 黄", "书写工具", "斑马", "支", "6.50", "3.90", "none", ("盒", 10), 0),
    ("OF-PC-2B", "2B 铅笔", "书写工具", "中华", "支", "1.20", "0.55", "none", ("盒", 12), 0),
    ("OF-FD-A4", "A4 文件夹 双夹", "文件管理", "齐心", "个", "12.00", "6.80", "none", ("箱", 24), 0),
    ("OF-FB-A4", "A4 档案盒 55mm", "文件管理", "得力", "个", "8.50", "4.60", "none", ("箱", 20), 0),
    ("OF-ST-12", "订书机 12号", "文件管理", "得力", "个", "18.00", "10.50", "none", None, 0),
    ("OF-SP-12", "订书钉 12号 1000枚", "文件管理", "得力", "盒", "2.50", "1.10", "none", ("箱", 50), 0),
    ("OF-CL-19", "长尾夹 19mm 12只", "文件管理", "齐心", "盒", "4.80", "2.40", "none", None, 0),
    ("FB-WT-550", "饮用天然水 550ml", "饮用水", "农夫山泉", "瓶", "2.00", "1.05", "lot", ("箱", 24), 480),
    ("FB-WT-1500", "饮用天然水 1.5L", "饮用水", "农夫山泉", "瓶", "4.50", "2.40", "lot", ("箱", 12), 0),
    ("FB-WT-380", "天然矿泉水 380ml", "饮用水", "百岁山", "瓶", "3.00", "1.60", "lot", ("箱", 24), 0),
    ("FB-SW-5L", "饮用纯净水 5L", "饮用水", "怡宝", "桶", "12.00", "6.50", "lot", ("箱", 4), 0),
    ("FB-TE-LJ", "西湖龙井 250g", "茶叶", "西湖", "罐", "268.00", "150.00", "lot", ("箱", 12), 0),
    ("FB-TE-TG", "安溪铁观音 250g", "茶叶", "八马", "罐", "198.00", "112.00", "lot", ("箱", 12), 0),
    ("FB-TE-PE", "云南普洱熟茶饼 357g", "茶叶", "大益", "饼", "168.00", "95.00", "lot", ("提", 7), 0),
    ("FB-TE-JS", "茉莉花茶 100g", "茶叶", "张一元", "袋", "45.00", "24.00", "lot", ("箱", 40), 0),
    ("FB-SN-NUT", "每日坚果 25g×30袋", "休闲零食", "三只松鼠", "盒", "129.00", "78.00", "lot", ("箱", 6), 20),
    ("FB-SN-BC", "苏打饼干 400g", "休闲零食", "康师傅", "袋", "12.80", "7.20", "lot", ("箱", 20), 0),
    ("FB-SN-PS", "碧根果 210g", "休闲零食", "三只松鼠", "袋", "36.00", "21.00", "lot", ("箱", 20), 0),
    ("FB-SN-CK", "威化饼干 50g", "休闲零食", "康师傅", "包", "3.50", "1.80", "lot", ("箱", 48), 0),
    ("FB-IN-NO", "红烧牛肉面 5连包", "休闲零食", "康师傅", "包", "15.50", "10.20", "lot", ("箱", 6), 0),
    ("EL-MS-M330", "无线静音鼠标 M330", "电脑外设", "罗技", "个", "129.00", "78.00", "none", ("箱", 20), 30),
    ("EL-KB-K380", "蓝牙键盘 K380", "电脑外设", "罗技", "个", "199.00", "125.00", "none", ("箱", 10), 0),
    ("EL-HD-USB", "USB 扩展坞 七合一", "电脑外设", "绿联", "个", "169.00", "96.00", "none", ("箱", 20), 0),
    ("EL-MN-27", "27 英寸显示器 2K", "电脑外设", "联想", "台", "1299.00", "980.00", "serial", None, 0),
    (
        "EL-NB-14",
        "ThinkPad E14 笔记本电脑",
        "电脑外设",
        "联想",
        "台",
        "4999.00",
        "4100.00",
        "serial",
        None,
        0,
    ),
    ("EL-PR-M7", "黑白激光打印机", "电脑外设", "惠普", "台", "1099.00", "820.00", "serial", None, 0),
    ("EL-CB-C1", "USB-C 数据线 1m", "手机配件", "绿联", "根", "29.00", "12.50", "none", ("盒", 50), 0),
    ("EL-CH-65", "65W 氮化镓充电器", "手机配件", "小米", "个", "149.00", "88.00", "none", ("箱", 30), 0),
    ("EL-PB-10K", "充电宝 10000mAh", "手机配件", "小米", "个", "99.00", "61.00", "none", ("箱", 24), 40),
    ("EL-EB-FB", "无线耳机 FreeBuds", "手机配件", "华为", "副", "699.00", "520.00", "serial", None, 0),
    ("EL-PH-STD", "手机支架 铝合金", "手机配件", "绿联", "个", "39.00", "16.00", "none", ("箱", 40), 0),
    ("CL-LD-3KG", "洗衣液 3kg", "清洁用品", "蓝月亮", "瓶", "59.90", "34.00", "lot", ("箱", 4), 0),
    ("CL-DW-1KG", "洗洁精 1kg", "清洁用品", "立白", "瓶", "13.90", "7.10", "lot", ("箱", 12), 0),
    ("CL-HS-500", "洗手液 500ml", "清洁用品", "威露士", "瓶", "24.90", "13.20", "lot", ("箱", 20), 60),
    ("CL-TP-10", "卷纸 4层 10卷", "清洁用品", "维达", "提", "32.00", "19.50", "none", ("箱", 4), 0),
    ("CL-TS-BX", "抽纸 3层 6包", "清洁用品", "清风", "提", "22.00", "12.80", "none", ("箱", 6), 0),
    ("CL-WP-80", "湿巾 80片", "清洁用品", "心相印", "包", "9.90", "5.20", "lot", ("箱", 24), 0),
    ("CL-GB-L", "垃圾袋 大号 100只", "清洁用品", "妙洁", "卷", "15.00", "7.80", "none", ("箱", 30), 0),
    ("CL-MP-FL", "平板拖把", "清洁用品", "妙洁", "把", "69.00", "38.00", "none", None, 0),
    ("CL-RC-KG", "散装洗衣粉", "清洁用品", "立白", "kg", "8.00", "4.20", "none", None, 0),
]

TSHIRT_COLOURS = [("白", "WH"), ("黑", "BK"), ("藏青", "NV")]
TSHIRT_SIZES = ["M", "L", "XL"]


def _ean13(rng) -> str:
    digits = "69" + "".join(str(rng.randrange(10)) for _ in range(10))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _warehouses() -> dict[str, Warehouse]:
    result = {}
    for code, name, address, region, lat, lon in WAREHOUSES:
        wh, _ = Warehouse.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "address": address,
                "region": region,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )
        result[code] = wh
    return result


def _categories() -> dict[str, Category]:
    result = {}
    for parent_name, children in CATEGORIES.items():
        parent, _ = Category.objects.get_or_create(name=parent_name, parent=None)
        result[parent_name] = parent
        for child in children:
            result[child], _ = Category.objects.get_or_create(name=child, parent=parent)
    return result


def _products(ctx, cats) -> list[Product]:
    brands = {}
    products = []
    for sku, name, cat, brand, unit, price, cost, tracking, box, reorder in PRODUCTS:
        if brand not in brands:
            brands[brand], _ = Brand.objects.get_or_create(name=brand)
        product, created = Product.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "category": cats[cat],
                "brand": brands[brand],
                "barcode": _ean13(ctx.rng),
                "tracking": tracking,
                "base_unit": unit,
                "base_unit_divisible": unit == "kg",
                "list_price": Decimal(price),
                "cost": Decimal(cost),
                "reorder_point": Decimal(reorder),
                "reorder_quantity": Decimal(reorder * 3),
            },
        )
        if created and box:
            ProductUnit.objects.create(
                product=product, name=box[0], factor=Decimal(box[1]), barcode=_ean13(ctx.rng)
            )
        products.append(product)
    brand, _ = Brand.objects.get_or_create(name="安踏")
    template, _ = Product.objects.get_or_create(
        sku="AP-TS",
        defaults={
            "name": "纯棉圆领 T 恤",
            "category": cats["服装"],
            "brand": brand,
            "is_template": True,
            "base_unit": "件",
            "list_price": Decimal("79.00"),
            "cost": Decimal("32.00"),
        },
    )
    for colour, code in TSHIRT_COLOURS:
        for size in TSHIRT_SIZES:
            variant, _ = Product.objects.get_or_create(
                sku=f"AP-TS-{code}-{size}",
                defaults={
                    "name": f"纯棉圆领 T 恤 {colour} {size}",
                    "category": cats["服装"],
                    "brand": brand,
                    "template": template,
                    "attributes": {"颜色": colour, "尺码": size},
                    "barcode": _ean13(ctx.rng),
                    "base_unit": "件",
                    "list_price": Decimal("79.00") if size != "XL" else Decimal("85.00"),
                    "cost": Decimal("32.00"),
                },
            )
            products.append(variant)
    return products


def _history(ctx, products, whs, user) -> None:
    rng = ctx.rng
    levels_products = [p for p in products if p.tracking == Product.Tracking.NONE]
    # Shipments to walk-in customers, some adjustments and scrap.
    for n in range(40):
        product = rng.choice(levels_products)
        wh = rng.choice(list(whs.values()))
        demand = f"demo.counter:{n}"
        got = reservations.stock_reserve(
            product=product, quantity=rng.randint(1, 12), demand=demand, warehouse_ids=[wh.pk]
        )
        for alloc in got:
            reservations.stock_consume(
                demand=demand, warehouse=wh, quantity=alloc.quantity, reference=f"DEMO-SO-{n:04d}"
            )
    for reason, sign in [("盘点发现", 1), ("包装破损", -1), ("库位找回", 1), ("样品领用", -1)]:
        product = rng.choice(levels_products)
        wh = rng.choice(list(whs.values()))
        try:
            services.stock_adjust(
                product=product, warehouse=wh, quantity=sign * rng.randint(1, 3), reason=reason, user=user
            )
        except Exception:  # noqa: BLE001 - a demo adjustment that finds no stock is simply skipped
            continue
    product = next(p for p in levels_products if p.sku == "OF-MK-BK")
    if product.stock_levels.filter(warehouse=whs["BJ"], on_hand__gte=2).exists():
        services.stock_scrap(product=product, warehouse=whs["BJ"], quantity=2, reason="笔头干涸", user=user)
    # Transfers: one arrived, one still on the road.
    for src, dst, arrive in [("SH", "BJ", True), ("GZ", "SH", False)]:
        lines = []
        for product in rng.sample(levels_products, 3):
            available = (
                product.stock_levels.filter(warehouse=whs[src]).values_list("on_hand", flat=True).first()
            )
            if available and available >= 4:
                lines.append({"product": product, "quantity": int(available // 4)})
        if not lines:
            continue
        transfer = transfers.transfer_create(source=whs[src], destination=whs[dst], lines=lines, user=user)
        transfers.transfer_ship(transfer=transfer, user=user)
        if arrive:
            transfers.transfer_receive(transfer=transfer, user=user)


def _tight_reorder_points(products) -> None:
    """A few products run low, so purchasing and the low-stock list have something to do."""
    from scm.inventory.selectors import available_total

    tight = [p for p in products if p.reorder_point > 0][::2]
    for product in tight:
        available = available_total(product_id=product.pk)
        point = (available * Decimal("1.3")).to_integral_value() + 10
        Product.objects.filter(pk=product.pk).update(reorder_point=point, reorder_quantity=point * 2)


def _spread_history() -> None:
    """Spread the moves written just now over the last ninety days, in their order, so the
    ledger reads like one (receipts already carry their own day)."""
    now = timezone.now()
    ids = list(
        StockMove.objects.filter(created_at__gte=now - timedelta(hours=1))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for i, pk in enumerate(ids):
        age = timedelta(days=90) * (len(ids) - i) / max(len(ids), 1)
        StockMove.objects.filter(pk=pk).update(created_at=now - age)


def _open_count(ctx, whs, cats, user) -> None:
    if CountSession.objects.filter(state=CountSession.State.COUNTING).exists():
        return
    session = counts.count_start(warehouse=whs["SH"], category=cats["书写工具"], user=user)
    for line in session.lines.select_related("product")[:4]:
        found = line.snapshot_on_hand - (1 if ctx.rng.random() < 0.5 else 0)
        counts.count_record(session=session, product=line.product, quantity=found, replace=True, user=user)


def build(ctx) -> None:
    whs = _warehouses()
    cats = _categories()
    if Product.objects.filter(sku="OF-A4-70").exists():
        ctx.say("inventory: already there")
        return
    _products(ctx, cats)
    demo_bins.layout(whs[demo_bins.BINS_WAREHOUSE], actor=ctx.users.get("warehouse"))
    ctx.say(f"inventory: {len(whs)} warehouses, {Product.objects.count()} products")


def stock_history(ctx) -> None:
    """Once purchasing has bought the warehouses' stock: ninety days of shipments to walk-in
    customers, adjustments, scrap and transfers, a few products run low, and one open count."""
    whs = _warehouses()
    cats = _categories()
    user = ctx.users.get("warehouse")
    products = list(Product.objects.filter(is_template=False).order_by("sku"))
    _history(ctx, products, whs, user)
    demo_bins.put_away(whs[demo_bins.BINS_WAREHOUSE], user=user)
    _tight_reorder_points(products)
    _spread_history()
    _open_count(ctx, whs, cats, user)
