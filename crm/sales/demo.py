"""Demo pipeline: assignment rules, leads (some overdue), opportunities across the stages,
activities and open tasks for the demo reps."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.audit import audit
from crm.customers.models import Customer, Region, Team
from crm.sales.models import Activity, AssignmentRule, Lead, Opportunity, PipelineStage, StageChange
from scm.inventory.models import Product

LEAD_COMPANIES = [
    "成都天府商贸有限公司",
    "重庆山城机电有限公司",
    "武汉光谷电子有限公司",
    "西安古城食品有限公司",
    "南京金陵建材有限公司",
    "天津港通物流有限公司",
    "青岛海湾贸易有限公司",
    "厦门鹭岛科技有限公司",
    "长沙湘江医疗器械有限公司",
    "郑州中原餐饮管理有限公司",
    "合肥徽商贸易有限公司",
    "昆明春城商贸有限公司",
]
PEOPLE = ["周先生", "吴女士", "郑经理", "孙总", "马主任", "朱经理", "胡女士", "郭先生", "何经理", "林总"]
DEALS = ["年度采购框架", "新仓库设备", "季度补货", "门店扩张备货", "产线升级", "试用订单"]
CALLS = ["电话沟通需求", "确认报价细节", "跟进付款方式", "介绍新品"]
VISITS = ["上门拜访采购部", "陪同参观仓库", "技术交流会"]
TASKS = ["发送报价单", "安排样品寄送", "确认交货日期", "回访使用情况", "准备合同草稿"]
LOST = ["价格高于竞争对手", "预算取消", "交期不满足"]
WON = ["价格与交期合适", "老客户推荐", "服务响应快"]


def build(ctx) -> None:
    sales, sales2 = ctx.users.get("sales"), ctx.users.get("sales2")
    reps = [u for u in (sales, sales2) if u]
    if not reps:
        return
    regions = {r.code: r for r in Region.objects.all()}
    north = Team.objects.filter(name="华北销售组").first()
    south = Team.objects.filter(name="华东华南销售组").first()
    _assignment_rules(regions, north, south)
    products = list(Product.objects.order_by("pk")[:20])
    _leads(ctx, reps, regions, products, teams={sales: north}, other_team=south)
    customers = list(Customer.objects.filter(owner__in=reps).order_by("pk"))
    _opportunities(ctx, customers, products)
    activities = _activities(ctx, customers)
    ctx.say(
        f"pipeline: {Lead.objects.count()} leads, {Opportunity.objects.count()} opportunities, "
        f"{activities} activities and tasks"
    )


def _assignment_rules(regions, north, south) -> None:
    if north and "HB" in regions and not AssignmentRule.objects.exists():
        AssignmentRule.objects.create(
            name="华北线索", kind="region", region=regions["HB"], team=north, order=10
        )
    if south and not AssignmentRule.objects.filter(kind="round_robin").exists():
        AssignmentRule.objects.create(name="其他线索轮流分配", kind="round_robin", team=south, order=90)


def _leads(ctx, reps, regions, products, *, teams, other_team) -> None:
    """New leads (some past the first-contact deadline), contacted and qualified ones."""
    rng, now = ctx.rng, timezone.now()
    for i, company in enumerate(LEAD_COMPANIES * max(1, ctx.scale)):
        owner = reps[i % len(reps)]
        created = now - timedelta(hours=rng.randint(1, 24 * 10))
        status = rng.choice([Lead.Status.NEW, Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED])
        lead = Lead.objects.create(
            name=rng.choice(PEOPLE),
            company=company,
            phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            email=f"lead{i + 1}@example.cn",
            region=regions.get(rng.choice(["XN", "HZ", "HB", "HD"])),
            source=rng.choice(["web", "展会", "电话营销"]),
            message="想了解产品价格和交货期。",
            status=status,
            owner=owner,
            team=teams.get(owner, other_team),
            assignment_reason="演示数据",
            sla_due_at=created + timedelta(hours=24),
            first_contacted_at=None if status == Lead.Status.NEW else created + timedelta(hours=3),
        )
        Lead.objects.filter(pk=lead.pk).update(created_at=created)
        if products:
            lead.products.set(rng.sample(products, min(2, len(products))))


def _opportunities(ctx, customers, products) -> None:
    """Open, won and lost opportunities, each with the stages it went through."""
    rng, now = ctx.rng, timezone.now()
    stages = list(PipelineStage.objects.filter(is_active=True).order_by("order"))
    open_stages = [s for s in stages if not s.is_closed]
    won_stage = next((s for s in stages if s.is_won), None)
    lost_stage = next((s for s in stages if s.is_lost), None)
    for customer in customers[: 45 * max(1, ctx.scale)]:
        roll = rng.random()
        if roll < 0.15 and won_stage:
            stage, state = won_stage, Opportunity.State.WON
        elif roll < 0.25 and lost_stage:
            stage, state = lost_stage, Opportunity.State.LOST
        else:
            stage, state = rng.choice(open_stages), Opportunity.State.OPEN
        opp = Opportunity.objects.create(
            name=f"{customer.name.replace('有限公司', '')}·{rng.choice(DEALS)}",
            customer=customer,
            stage=stage,
            state=state,
            amount=Decimal(rng.randrange(20, 800)) * 1000,
            expected_close_date=(now + timedelta(days=rng.randint(-10, 120))).date(),
            owner=customer.owner,
            team=customer.team,
            won_reason=rng.choice(WON) if state == Opportunity.State.WON else "",
            lost_reason=rng.choice(LOST) if state == Opportunity.State.LOST else "",
            closed_at=now - timedelta(days=rng.randint(1, 30)) if state != Opportunity.State.OPEN else None,
        )
        if products:
            opp.products.set(rng.sample(products, min(rng.randint(1, 3), len(products))))
        path = [s for s in open_stages if s.order <= stage.order] or open_stages[:1]
        if stage.is_lost:
            path = open_stages[: rng.randint(1, len(open_stages))] + [stage]
        elif stage.is_won:
            path = open_stages + [stage]
        previous = None
        for step in path:
            StageChange.objects.create(opportunity=opp, from_stage=previous, to_stage=step, by=customer.owner)
            previous = step
        audit("opportunity.created", actor=customer.owner, obj=opp, data={"demo": True})


def _activities(ctx, customers) -> int:
    """Calls, visits, e-mails and notes of the last two months, and open tasks; how many."""
    rng, now = ctx.rng, timezone.now()
    activities = []
    for i, customer in enumerate(customers[:60]):
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(
                [Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.EMAIL, Activity.Kind.NOTE]
            )
            subject = rng.choice(VISITS if kind == Activity.Kind.VISIT else CALLS)
            activities.append(
                Activity(
                    kind=kind,
                    subject=subject,
                    body="客户关注交期与付款条件。" if kind != Activity.Kind.NOTE else "下季度有扩产计划。",
                    customer=customer,
                    owner=customer.owner,
                    at=now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 8)),
                )
            )
        if i % 3 == 0:
            due = now + timedelta(days=rng.randint(-3, 7), hours=rng.randint(0, 6))
            activities.append(
                Activity(
                    kind=Activity.Kind.TASK,
                    subject=rng.choice(TASKS),
                    customer=customer,
                    owner=customer.owner,
                    at=now,
                    due_at=due,
                )
            )
    Activity.objects.bulk_create(activities)
    return len(activities)
