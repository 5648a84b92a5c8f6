"""Many records at once for the pickers' tests and benchmark: customers, products and units
made with ``bulk_create`` (their search columns computed once per distinct name), Chinese names
from a few hundred family and given names, so that any size from ten to a hundred thousand
builds in seconds."""

from core.search import search_columns

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
TRADES = ["商贸", "电子", "机械", "食品", "五金", "建材", "化工", "物流", "科技", "医药"]

_columns: dict[str, tuple[str, str, str]] = {}


def columns(name: str) -> tuple[str, str, str]:
    if name not in _columns:
        _columns[name] = search_columns(name)
    return _columns[name]


def _company_parts(i: int) -> tuple[str, str, int]:
    surname = SURNAMES[i % len(SURNAMES)]
    given = GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
    trade = TRADES[(i // (len(SURNAMES) * len(GIVEN))) % len(TRADES)]
    return surname + given, trade, i // (len(SURNAMES) * len(GIVEN) * len(TRADES)) + 1


def company_name(i: int) -> str:
    """A believable company name (张伟商贸3号有限公司), distinct for every ``i``."""
    person, trade, number = _company_parts(i)
    return f"{person}{trade}{number}号有限公司"


def company_columns(i: int) -> tuple[str, str, str]:
    """``search_columns(company_name(i))``, put together from its parts' (a hundred thousand
    names in a second instead of half a minute); ``tests/core/test_pickers.py`` checks it."""
    person, trade, number = _company_parts(i)
    p1, i1, _ = columns(person)
    p2, i2, _ = columns(trade)
    p3, i3, _ = columns("号有限公司")
    return f"{p1}{p2}{number}{p3}", f"{i1}{i2}{str(number)[0]}{i3}", f"{person}{trade}{number}号"


def phone(i: int) -> str:
    """A mobile number for customer ``i``, spread like real ones (no two share a long run)."""
    return f"1{3 + i % 7}{(i * 2654435761) % 10**9:09d}"


def bulk_customers(n: int, *, owner, team=None, start: int = 0, batch: int = 5000) -> None:
    from crm.customers.models import Customer

    rows = []
    for i in range(start, start + n):
        name = company_name(i)
        pinyin, initials, normalized = company_columns(i)
        rows.append(
            Customer(
                code=f"B{i:07d}",
                name=name,
                phone=phone(i),
                owner=owner,
                team=team,
                search_pinyin=pinyin,
                search_initials=initials,
                name_normalized=normalized,
            )
        )
        if len(rows) >= batch:
            Customer.objects.bulk_create(rows)
            rows = []
    if rows:
        Customer.objects.bulk_create(rows)


PRODUCT_WORDS = [
    "矿泉水",
    "乌龙茶",
    "纸杯",
    "硒鼓",
    "螺丝",
    "扳手",
    "电缆",
    "插座",
    "灯泡",
    "胶带",
    "手套",
    "口罩",
]


def bulk_products(n: int, *, start: int = 0, units: bool = True, batch: int = 5000) -> None:
    """``n`` products (SKU ``P0000001``, barcode ``69`` + 11 digits) and, with ``units``, a box
    of 24 of each (barcode ``79`` + 11 digits)."""
    from scm.inventory.models import Product, ProductUnit

    rows = []
    for i in range(start, start + n):
        name = f"{PRODUCT_WORDS[i % len(PRODUCT_WORDS)]} {SURNAMES[(i // 12) % len(SURNAMES)]}牌 {i}"
        pinyin, initials, _normalized = columns(name)
        rows.append(
            Product(
                sku=f"P{i:07d}",
                name=name,
                barcode=f"69{i:011d}",
                search_pinyin=pinyin,
                search_initials=initials,
            )
        )
        if len(rows) >= batch:
            Product.objects.bulk_create(rows)
            rows = []
    if rows:
        Product.objects.bulk_create(rows)
    if units:
        products = Product.objects.filter(sku__gte=f"P{start:07d}", sku__lt=f"P{start + n:07d}").values_list(
            "pk", "sku"
        )
        unit_rows = [
            ProductUnit(product_id=pk, name="箱", factor=24, barcode=f"79{int(sku[1:]):011d}")
            for pk, sku in products
        ]
        ProductUnit.objects.bulk_create(unit_rows, batch_size=batch)
