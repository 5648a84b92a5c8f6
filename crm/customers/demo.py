"""Demo customers: regions, two sales teams, ~80 believable Chinese companies with contacts,
placed near 北京, 上海 and 广州 and spread over the demo reps ``sales`` and ``sales2``."""

from decimal import Decimal

from crm.customers.models import Contact, Customer, Region, Team

REGIONS = [("HB", "华北"), ("HD", "华东"), ("HN", "华南"), ("XN", "西南"), ("HZ", "华中")]
# (region, city, latitude, longitude) of the three warehouse cities.
CITIES = [
    ("HB", "北京", 39.9042, 116.4074),
    ("HD", "上海", 31.2304, 121.4737),
    ("HN", "广州", 23.1291, 113.2644),
]
PREFIXES = {
    "北京": ["北京", "京津"],
    "上海": ["上海", "苏州", "杭州"],
    "广州": ["广州", "深圳", "佛山", "东莞"],
}
WORDS = [
    "华通",
    "宏达",
    "鑫源",
    "恒泰",
    "瑞丰",
    "金桥",
    "远航",
    "博雅",
    "盛世",
    "中联",
    "嘉禾",
    "天成",
    "新锐",
    "安信",
    "永昌",
    "汇丰",
    "联创",
    "百川",
    "东方",
    "凯旋",
    "万达",
    "同心",
    "明远",
    "正和",
]
TRADES = [
    ("贸易有限公司", "批发零售"),
    ("机械设备有限公司", "机械制造"),
    ("电子科技有限公司", "电子"),
    ("食品有限公司", "食品饮料"),
    ("建材有限公司", "建筑材料"),
    ("医疗器械有限公司", "医疗"),
    ("物流有限公司", "物流"),
    ("餐饮管理有限公司", "餐饮"),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
]
ROLES = ["总经理", "采购经理", "财务主管", "仓库主管", "技术负责人"]
STREETS = ["建国路", "中山路", "人民路", "解放路", "科技园路", "滨江大道", "天河路", "南京路"]
TAGS = ["重点客户", "出口", "新客户", "价格敏感", "长期合作", "政府项目"]
SOURCES = ["展会", "官网", "老客户介绍", "电话营销", "招投标"]


def build(ctx) -> None:
    regions = {
        code: Region.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in REGIONS
    }
    sales, sales2, manager = ctx.users.get("sales"), ctx.users.get("sales2"), ctx.users.get("manager")
    north, _ = Team.objects.get_or_create(
        name="华北销售组", defaults={"manager": manager, "region": regions["HB"]}
    )
    south, _ = Team.objects.get_or_create(
        name="华东华南销售组", defaults={"manager": manager, "region": regions["HD"]}
    )
    if sales:
        north.members.add(sales)
    if sales2:
        south.members.add(sales2)
    used = set(Customer.objects.values_list("name", flat=True))
    customers, contacts = [], []
    for i in range(80 * max(1, ctx.scale)):
        region_code = CITIES[i % 3][0]
        owner, team = (sales, north) if region_code == "HB" else (sales2, south)
        if i % 7 == 0:
            owner, team = (sales2, south) if owner == sales else (sales, north)
        customer = _customer(ctx.rng, i, regions, used, owner=owner, team=team)
        customers.append(customer)
        contacts += _contacts(ctx.rng, i, customer)
    Contact.objects.bulk_create(contacts)
    ctx.say(f"customers: {len(customers)} with {len(contacts)} contacts, {len(REGIONS)} regions, 2 teams")


def _customer(rng, i: int, regions, used: set, *, owner, team) -> Customer:
    """The ``i``-th demo customer, in one of the three cities, with a name not ``used`` yet."""
    region_code, city, lat, lng = CITIES[i % 3]
    for _attempt in range(20):
        trade, industry = rng.choice(TRADES)
        name = f"{rng.choice(PREFIXES[city])}{rng.choice(WORDS)}{trade}"
        if name not in used:
            break
    else:
        name = f"{city}{rng.choice(WORDS)}{i}{trade}"
    used.add(name)
    customer = Customer(
        code=f"C{i + 1:05d}",
        name=name,
        kind=Customer.Kind.COMPANY,
        industry=industry,
        region=regions[region_code],
        address=f"{city}市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
        latitude=Decimal(str(round(lat + rng.uniform(-0.25, 0.25), 6))),
        longitude=Decimal(str(round(lng + rng.uniform(-0.25, 0.25), 6))),
        phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
        email=f"contact{i + 1}@example.cn",
        tags=", ".join(rng.sample(TAGS, rng.randint(0, 2))),
        source=rng.choice(SOURCES),
        owner=owner,
        team=team,
        credit_limit=Decimal(rng.choice([0, 50000, 100000, 200000, 500000])),
        payment_terms_days=rng.choice([0, 30, 30, 45, 60]),
        # "customer" and "repeat" follow from shipped orders (the lifecycle rule).
        stage=rng.choice([Customer.Stage.LEAD, Customer.Stage.PROSPECT, Customer.Stage.PROSPECT]),
    )
    customer.save()
    return customer


def _contacts(rng, i: int, customer: Customer) -> list[Contact]:
    """One to three contacts of the customer, the first one primary (not saved yet)."""
    contacts = []
    for j in range(rng.randint(1, 3)):
        person = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")
        contacts.append(
            Contact(
                customer=customer,
                name=person,
                role=ROLES[j % len(ROLES)] if j else rng.choice(ROLES[:2]),
                phone=f"13{rng.randint(100000000, 999999999)}",
                email=f"c{i + 1}-{j}@example.cn",
                is_primary=j == 0,
            )
        )
    return contacts
