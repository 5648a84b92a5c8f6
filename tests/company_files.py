"""A trading company's set-up files, as a new customer would fill them in: each import kind's
own template file (``core.tabular.template_workbook``, or the one the page offers) with its
example row replaced by generated rows — believable Chinese customers with a primary contact,
suppliers, products of the trade template's categories and units (some lot-tracked, with a box
unit and its barcode), their opening stock in two warehouses and a few opening receivables.

Everything is deterministic (one seeded ``Random`` per kind; dates counted from ``today``), so a
slow step measured twice measures the same file. Used by the time-to-value browser walk
(``tests/browser/test_time_to_value.py``) and the imports benchmark
(``bench/bench_setup_imports.py``).
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from core.taxid import ALPHABET, check_character

CITIES = [
    ("上海", "上海市浦东新区", "021"),
    ("北京", "北京市朝阳区", "010"),
    ("广州", "广州市天河区", "020"),
    ("深圳", "深圳市南山区", "0755"),
    ("杭州", "杭州市西湖区", "0571"),
    ("南京", "南京市鼓楼区", "025"),
    ("苏州", "苏州市工业园区", "0512"),
    ("天津", "天津市河西区", "022"),
    ("成都", "成都市武侯区", "028"),
    ("武汉", "武汉市江汉区", "027"),
]
BRAND_CHARS = "华通宏达鑫源恒泰瑞丰金桥远航博雅盛世中联嘉禾天成新锐安信永昌汇百川东方凯旋万隆"
TRADES = [
    ("商贸", "批发零售"),
    ("贸易", "批发零售"),
    ("办公用品", "批发零售"),
    ("超市", "零售"),
    ("文化用品", "批发零售"),
    ("物业管理", "物业服务"),
    ("科技", "信息技术"),
    ("餐饮管理", "餐饮"),
    ("酒店管理", "住宿"),
    ("学校后勤服务", "教育"),
]
STREETS = ["人民路", "解放路", "中山路", "建设路", "长江路", "和平路", "新华路", "胜利路", "友谊路", "青年路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "雪梅", "国平",
]  # fmt: skip
ROLES = ["采购经理", "采购专员", "行政主管", "办公室主任", "总经理", "后勤主管", "仓储主管"]
TAGS = ["重点客户", "新客户", "长期合作", "月结客户", "价格敏感"]
SOURCES = ["展会", "官网", "老客户介绍", "电话营销", "阿里巴巴"]
BANKS = ["中国工商银行", "中国建设银行", "中国银行", "招商银行", "交通银行", "中国农业银行"]


@dataclass(frozen=True)
class Family:
    """Products of one category: items × brands, their base unit and box (``unit2``)."""

    category: str
    items: tuple[str, ...]
    brands: tuple[str, ...]
    base_unit: str
    box: str
    factor: int
    cost: tuple[int, int]  # the base unit's cost range, in fen
    lot_tracked: bool = False


# The trade template's categories (integration/setup/industry/trade.yaml) and units.
FAMILIES = [
    Family(
        "办公用品/纸张本册",
        ("A4复印纸 70g", "A4复印纸 80g", "A3复印纸 80g", "B5笔记本 60页", "A5软抄本", "便利贴 76×76mm"),
        ("得力", "晨光", "齐心", "亚太森博", "百旺"),
        "包",
        "箱",
        5,
        (600, 2600),
    ),
    Family(
        "办公用品/书写工具",
        ("中性笔 0.5mm 黑", "中性笔 0.5mm 蓝", "中性笔 0.5mm 红", "圆珠笔 0.7mm", "白板笔", "荧光笔"),
        ("晨光", "得力", "真彩", "斑马", "百乐"),
        "支",
        "盒",
        12,
        (80, 900),
    ),
    Family(
        "办公用品/文件管理",
        ("A4文件夹", "档案盒 55mm", "拉链文件袋", "风琴包 13格", "资料册 60页", "长尾夹 32mm"),
        ("得力", "齐心", "晨光", "文仪"),
        "个",
        "箱",
        50,
        (150, 2500),
    ),
    Family(
        "食品饮料/饮用水",
        ("饮用天然水 550ml", "饮用纯净水 350ml", "矿泉水 1.5L", "苏打水 410ml"),
        ("农夫山泉", "怡宝", "百岁山", "景田", "娃哈哈"),
        "瓶",
        "箱",
        24,
        (90, 450),
        lot_tracked=True,
    ),
    Family(
        "食品饮料/茶叶",
        ("铁观音 250g", "西湖龙井 250g", "茉莉花茶 200g", "普洱熟茶 357g", "祁门红茶 200g"),
        ("八马", "天福", "张一元", "吴裕泰"),
        "盒",
        "箱",
        20,
        (3500, 18000),
        lot_tracked=True,
    ),
    Family(
        "食品饮料/休闲零食",
        ("苏打饼干 400g", "每日坚果 750g", "牛肉干 200g", "夹心饼干 300g", "瓜子 500g"),
        ("三只松鼠", "良品铺子", "百草味", "洽洽"),
        "包",
        "箱",
        20,
        (600, 5800),
        lot_tracked=True,
    ),
    Family(
        "电子产品/电脑外设",
        ("无线鼠标", "有线键盘", "键鼠套装", "U盘 64GB", "移动硬盘 1TB", "USB集线器"),
        ("罗技", "雷柏", "金士顿", "闪迪", "绿联"),
        "个",
        "箱",
        50,
        (2500, 32000),
    ),
    Family(
        "电子产品/手机配件",
        ("Type-C数据线 1m", "快充充电器 20W", "充电宝 10000mAh", "手机支架"),
        ("绿联", "公牛", "倍思", "小米"),
        "个",
        "箱",
        50,
        (1200, 9000),
    ),
    Family(
        "清洁用品",
        ("抽纸 3层100抽", "洗手液 500ml", "垃圾袋 45×50cm", "消毒湿巾 80片"),
        ("维达", "清风", "威露士", "蓝月亮"),
        "包",
        "箱",
        24,
        (350, 2200),
    ),
    Family(
        "劳保用品",
        ("一次性口罩 50只", "劳保手套 12副", "安全帽", "反光背心"),
        ("3M", "代尔塔", "霍尼韦尔"),
        "包",
        "箱",
        20,
        (500, 4500),
    ),
]


def tax_id(rng: Random, region: str = "310000") -> str:
    """A unified social credit code with a valid check character (enterprise, ``region``)."""
    body = "91" + region + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def person(rng: Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(rng: Random) -> str:
    return rng.choice(["138", "139", "136", "186", "158", "177"]) + f"{rng.randrange(10**8):08d}"


def gtin_check(digits: str) -> str:
    """The GS1 check digit of ``digits`` (EAN-13 from 12 digits, ITF-14 from 13)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def customers(n: int = 200) -> list[dict]:
    """``n`` company customers ``KH0001``… each with a primary contact and invoicing details."""
    rng = Random(1701)
    rows, names = [], set()
    for i in range(1, n + 1):
        city, district, area = CITIES[i % len(CITIES)]
        trade, industry = TRADES[i * 7 % len(TRADES)]
        while True:
            brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
            name = f"{city}{brand}{trade}有限公司"
            if name not in names:
                break
        names.add(name)
        address = f"{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
        phone = f"{area}-{rng.randrange(5000_0000, 8999_9999)}"
        contact = person(rng)
        rows.append(
            {
                "code": f"KH{i:04d}",
                "name": name,
                "kind": "company",
                "industry": industry,
                "address": address,
                "phone": phone,
                "email": f"purchase{i:03d}@kh{i:04d}.example.cn",
                "tags": rng.choice(TAGS),
                "source": rng.choice(SOURCES),
                "payment_terms_days": rng.choice([0, 30, 30, 60]),
                "stage": "customer",
                "contact_name": contact,
                "contact_phone": mobile(rng),
                "contact_email": f"contact{i:03d}@kh{i:04d}.example.cn",
                "contact_role": rng.choice(ROLES),
                "invoice_title": name,
                "invoice_tax_id": tax_id(rng),
                "invoice_address_phone": f"{address} {phone}",
                "invoice_bank_account": f"{rng.choice(BANKS)}{city}分行 {rng.randrange(10**18, 10**19)}",
            }
        )
    return rows


def suppliers(n: int = 20) -> list[dict]:
    """``n`` suppliers ``GYS0001``…: manufacturers and distributors of the products' brands."""
    rng = Random(1702)
    kinds = ["纸业", "文具", "食品", "饮料", "电子", "日化", "劳保用品", "包装材料"]
    rows = []
    for i in range(1, n + 1):
        city, district, area = CITIES[(i * 3) % len(CITIES)]
        brand = BRAND_CHARS[i * 5 % len(BRAND_CHARS)] + BRAND_CHARS[i * 11 % len(BRAND_CHARS)]
        rows.append(
            {
                "code": f"GYS{i:04d}",
                "name": f"{city}{brand}{kinds[i % len(kinds)]}有限公司",
                "tax_id": tax_id(rng, "440300"),
                "address": f"{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
                "phone": f"{area}-{rng.randrange(5000_0000, 8999_9999)}",
                "email": f"sales@gys{i:04d}.example.cn",
                "bank_name": f"{rng.choice(BANKS)}{city}分行",
                "bank_account": f"{rng.randrange(10**15, 10**16)}",
                "payment_terms_days": rng.choice([30, 60]),
                "payment_terms_month_end": "是",
                "currency": "CNY",
            }
        )
    return rows


def products(n: int = 500) -> list[dict]:
    """``n`` products ``SP-0001``… over the families in turn: a base unit with its EAN-13
    barcode, a box (箱/盒) with its factor and ITF-14 barcode, prices; food is lot-tracked."""
    rng = Random(1703)
    combos = [
        (family, item, brand) for family in FAMILIES for item in family.items for brand in family.brands
    ]
    # Round-robin over the families, so that every family is in any prefix of the list.
    by_family: dict[str, list] = {}
    for combo in combos:
        by_family.setdefault(combo[0].category, []).append(combo)
    ordered, queues = [], list(by_family.values())
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    rows = []
    for i in range(1, n + 1):
        family, item, brand = ordered[(i - 1) % len(ordered)]
        batch = (i - 1) // len(ordered)  # past every combination: a second size or pack
        name = f"{brand} {item}" + (f" ({batch + 1}号)" if batch else "")
        cost = Decimal(rng.randrange(*family.cost)) / 100
        ean = f"690{1000 + i % 9000:04d}{i:05d}"
        ean += gtin_check(ean)
        itf = "1" + ean[:12]
        rows.append(
            {
                "sku": f"SP-{i:04d}",
                "name": name,
                "category": family.category,
                "brand": brand,
                "base_unit": family.base_unit,
                "base_unit_divisible": "否",
                "barcode": ean,
                "tracking": "批次" if family.lot_tracked else "无",
                "unit2": family.box,
                "unit2_factor": family.factor,
                "unit2_barcode": itf + gtin_check(itf),
                "list_price": f"{cost * Decimal('1.35'):.2f}",
                "cost": f"{cost:.2f}",
                "tax_rate": "13%",
                "warranty_months": 12 if family.category.startswith("电子产品") else 0,
            }
        )
    return rows


def opening_stock(product_rows: list[dict], warehouses: tuple[str, ...], *, today: date) -> list[dict]:
    """Every product in every warehouse (one row each): counted in boxes or in the base unit,
    at the product's cost; a lot-tracked product's stock is one lot with its expiry date."""
    rng = Random(1704)
    rows = []
    for w, warehouse in enumerate(warehouses):
        for p in product_rows:
            in_boxes = rng.random() < 0.6
            factor = Decimal(p["unit2_factor"])
            row = {
                "sku": p["sku"],
                "warehouse": warehouse,
                "lot": "",
                "expiry_date": "",
                "quantity": rng.randrange(10, 120) if in_boxes else rng.randrange(20, 400),
                "unit": p["unit2"] if in_boxes else p["base_unit"],
                "unit_cost": f"{Decimal(p['cost']) * (factor if in_boxes else 1):.2f}",
            }
            if p["tracking"] == "批次":
                made = today - timedelta(days=rng.randrange(10, 120))
                row["lot"] = f"L{made:%Y%m%d}-{w + 1}{p['sku'][-4:]}"
                row["expiry_date"] = (made + timedelta(days=rng.choice([180, 365, 540]))).isoformat()
            rows.append(row)
    return rows


def opening_receivables(customer_rows: list[dict], n: int, *, today: date) -> list[dict]:
    """``n`` open invoices of earlier months, one per customer from the first on."""
    rng = Random(1705)
    rows = []
    for i, customer in enumerate(customer_rows[:n], start=1):
        issued = today - timedelta(days=rng.randrange(5, 120))
        rows.append(
            {
                "customer": customer["code"],
                "document": f"XS-{issued:%Y%m}-{i:04d}",
                "issue_date": issued.isoformat(),
                "due_date": (issued + timedelta(days=30)).isoformat(),
                "amount": f"{Decimal(rng.randrange(80_000, 5_000_000)) / 100:.2f}",
                "note": f"{issued.month}月货款",
            }
        )
    return rows


def company_rows(
    *,
    today: date,
    customers_n: int = 200,
    suppliers_n: int = 20,
    products_n: int = 500,
    warehouses: tuple[str, ...] = ("BJ", "SH"),
    receivables_n: int = 10,
) -> dict[str, list[dict]]:
    """Each import kind → its rows (column → value), in the order the wizard imports them."""
    customer_rows = customers(customers_n)
    product_rows = products(products_n)
    return {
        "customers": customer_rows,
        "suppliers": suppliers(suppliers_n),
        "products": product_rows,
        "opening_stock": opening_stock(product_rows, warehouses, today=today),
        "opening_receivables": opening_receivables(customer_rows, receivables_n, today=today),
    }


def header_columns(spec, header: list) -> list[str]:
    """The column each header cell of ``spec``'s template names (its ``labels`` read back)."""
    by_label = {label: column for column, label in spec.labels.items()}
    columns = []
    for cell in header:
        column = by_label.get(cell, cell)
        if column not in spec.columns:
            raise ValueError(f"{spec.kind}: the template's header {cell!r} is no column")
        columns.append(column)
    return columns


def filled_template(spec, rows: list[dict], template: bytes | None = None) -> bytes:
    """``spec``'s template file (``template``, else ``template_workbook(spec)``) with its example
    row replaced by ``rows``, in the template's own column order; text cells formatted as text,
    as the template formats its text columns."""
    from openpyxl import load_workbook

    from core.tabular import template_workbook

    wb = load_workbook(io.BytesIO(template if template is not None else template_workbook(spec)))
    sheet = wb.worksheets[0]
    columns = header_columns(spec, [cell.value for cell in sheet[1]])
    unknown = {key for row in rows for key in row} - set(columns)
    if unknown:
        raise ValueError(f"{spec.kind}: the template has no column for {sorted(unknown)}")
    if sheet.max_row > 1:
        sheet.delete_rows(2, sheet.max_row - 1)
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            value = row.get(column, "")
            if value in ("", None):
                continue
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table(spec, rows: list[dict]) -> tuple[list[str], list[list]]:
    """``rows`` as ``core.tabular.read_rows`` gives a file: the template's headers and the
    values in their order (for ``import_run`` without a file)."""
    header = [spec.header_of(column) for column in spec.columns]
    return [h.lower() for h in header], [[row.get(c, "") for c in spec.columns] for row in rows]
