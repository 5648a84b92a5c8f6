"""The service desk of the demo company: the company calendar with the 2026 and 2027 public
holidays and 调休 working days, SLA targets, three service teams (华北 in 北京, 华东 in 上海,
华南 in 深圳, on site within 2 hours) with their engineers, and about 40 tickets of every
category and state over the last months — some breached, some close to breaching, some waiting
for the customer. Tickets about a lot name one really shipped to that customer (asked through
``crm.service.hooks``, which the module that knows shipments fills)."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import SERVICE
from crm.customers.models import Customer, Region
from crm.service import hooks, services
from crm.service.assignment import free_slot
from crm.service.models import (
    COMPLAINTS,
    ON_SITE,
    Category,
    Engineer,
    Holiday,
    Priority,
    ServiceCalendar,
    ServiceTeam,
    SlaTarget,
    Ticket,
    TicketEvent,
    Visit,
)
from crm.service.sla import Clock, sla_defaults, sla_targets

# Days off (False) and 调休 working days (True) of the State Council's schedules.
HOLIDAYS = [
    ("2026-01-01", "2026-01-03", "元旦", False),
    ("2026-01-04", "2026-01-04", "元旦调休", True),
    ("2026-02-14", "2026-02-14", "春节调休", True),
    ("2026-02-15", "2026-02-23", "春节", False),
    ("2026-02-28", "2026-02-28", "春节调休", True),
    ("2026-04-04", "2026-04-06", "清明节", False),
    ("2026-05-01", "2026-05-05", "劳动节", False),
    ("2026-05-09", "2026-05-09", "劳动节调休", True),
    ("2026-06-19", "2026-06-21", "端午节", False),
    ("2026-09-20", "2026-09-20", "国庆节调休", True),
    ("2026-09-25", "2026-09-27", "中秋节", False),
    ("2026-10-01", "2026-10-07", "国庆节", False),
    ("2026-10-10", "2026-10-10", "国庆节调休", True),
    ("2027-01-01", "2027-01-03", "元旦", False),
    ("2027-02-05", "2027-02-11", "春节", False),
    ("2027-02-20", "2027-02-20", "春节调休", True),
    ("2027-04-03", "2027-04-05", "清明节", False),
    ("2027-05-01", "2027-05-05", "劳动节", False),
    ("2027-04-25", "2027-04-25", "劳动节调休", True),
    ("2027-05-08", "2027-05-08", "劳动节调休", True),
    ("2027-06-09", "2027-06-11", "端午节", False),
    ("2027-09-15", "2027-09-17", "中秋节", False),
    ("2027-10-01", "2027-10-07", "国庆节", False),
    ("2027-09-26", "2027-09-26", "国庆节调休", True),
    ("2027-10-09", "2027-10-09", "国庆节调休", True),
]

# name, base, latitude, longitude, region codes, on site within (hours), engineers
# (username, given name, family name, skills).
TEAMS = [
    (
        "华北服务组",
        "北京",
        "39.904200",
        "116.407400",
        ["HB"],
        4,
        [
            ("eng_bj1", "浩", "孙", []),
            ("eng_bj2", "超", "马", ["installation", "repair"]),
        ],
    ),
    (
        "华东服务组",
        "上海",
        "31.230400",
        "121.473700",
        ["HD", "HZ"],
        4,
        [
            ("eng_sh1", "婷", "吴", []),
            ("eng_sh2", "凯", "郑", ["repair", "quality", "damage"]),
        ],
    ),
    (
        "华南服务组",
        "深圳",
        "22.543100",
        "114.057900",
        ["HN", "XN"],
        2,
        [
            ("eng_sz1", "峰", "林", []),
            ("eng_sz2", "静怡", "何", ["installation", "repair"]),
            ("eng_sz3", "志强", "黄", ["installation", "repair", "question"]),
        ],
    ),
]

SUBJECTS = {
    Category.QUALITY: ["打印机频繁卡纸", "墨盒漏墨", "碎纸机电机异响", "硒鼓印字发白"],
    Category.DAMAGE: ["外箱破损,机器外壳有裂痕", "运输中显示屏碎裂", "包装受潮,纸张起皱"],
    Category.WRONG_GOODS: ["收到的型号与订单不符", "颜色发错了"],
    Category.MISSING_GOODS: ["少发两箱A4纸", "配件包缺少电源线"],
    Category.INSTALLATION: ["空调上门安装", "复印机安装调试", "会议室投影仪安装"],
    Category.REPAIR: ["空调不制冷", "打印机报错E-04", "投影仪无法开机"],
    Category.QUESTION: ["发票抬头如何修改", "保修期怎么查询", "能否加急发货"],
}

# (state, how many) — about 40 tickets; categories cycle through all of them.
PLAN = [
    ("closed", 12),
    ("resolved", 6),
    ("in_progress", 6),
    ("waiting", 4),
    ("assigned", 4),
    ("new", 2),
    ("breached", 3),
    ("near_breach", 3),
]


def _engineers(ctx) -> dict:
    User = get_user_model()
    group = Group.objects.get_or_create(name=SERVICE)[0]
    template = ctx.users.get("service")
    regions = {r.code: r for r in Region.objects.all()}
    made = {}
    for name, base, lat, lng, codes, hours, engineers in TEAMS:
        team, _created = ServiceTeam.objects.get_or_create(
            name=name,
            defaults={
                "base": base,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
                "on_site_hours": hours,
            },
        )
        team.regions.add(*[regions[c] for c in codes if c in regions])
        for i, (username, first, last, skills) in enumerate(engineers):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.tandem.local"},
            )
            if created:
                # The demo password, as the demo's own users have it.
                if template is not None:
                    user.password = template.password
                else:
                    user.set_unusable_password()
                user.save()
            user.groups.add(group)
            Engineer.objects.get_or_create(user=user, defaults={"team": team, "skills": skills})
            if i == 0 and team.manager_id is None:
                team.manager = user
                team.save(update_fields=["manager"])
            made[username] = user
    return made


def _calendar() -> None:
    calendar = ServiceCalendar.current()
    calendar.working_days, calendar.day_start, calendar.day_end = [1, 2, 3, 4, 5], "09:00", "18:00"
    calendar.save()
    for first, last, name, working in HOLIDAYS:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            Holiday.objects.update_or_create(date=day, defaults={"name": name, "is_working_day": working})
            day += timedelta(days=1)
    for (category, priority), (first, resolution) in sla_defaults().items():
        SlaTarget.objects.get_or_create(
            category=category,
            priority=priority,
            defaults={"first_response_hours": first, "resolution_hours": resolution},
        )


def _customers_with_lots(ctx, customers, wanted: int) -> list:
    """(customer, shipped lot) pairs, from customers that were shipped lots or serials."""
    pairs = []
    for customer in customers:
        lots = hooks.shipped_lots(customer_id=customer.pk, limit=5)
        if lots:
            pairs.append((customer, ctx.rng.choice(lots)))
        if len(pairs) >= wanted:
            break
    return pairs


def _backdate(ticket, *, state, opened, clock, targets, now, rng, desk) -> None:
    """Move a ticket opened just now back to ``opened`` and on to ``state`` as if it had lived."""
    first, resolution = targets[(ticket.category, ticket.priority)]
    due_first, due_resolution = clock.add(opened, first), clock.add(opened, resolution)
    fields = {
        "opened_at": opened,
        "first_response_due": due_first,
        "resolution_due": due_resolution,
    }
    events = []
    actor = ticket.assignee or desk
    if state in ("closed", "resolved", "in_progress", "waiting", "breached", "near_breach"):
        late = state == "breached" or rng.random() < 0.15
        responded = clock.add(
            opened, first * Decimal(rng.uniform(1.1, 1.8) if late else rng.uniform(0.2, 0.9))
        )
        responded = min(responded, now - timedelta(minutes=30))
        fields["first_response_at"] = responded
        if responded > due_first:
            fields["first_response_breached_at"] = due_first + timedelta(minutes=15)
            events.append(
                ("sla_breach", {"target": "first_response"}, due_first + timedelta(minutes=15), None)
            )
        events.append(
            ("state", {"from": "assigned", "to": "in_progress", "action": "start"}, responded, actor)
        )
    if state in ("closed", "resolved"):
        slow = rng.random() < 0.15
        resolved = clock.add(
            opened, resolution * Decimal(rng.uniform(1.05, 1.5) if slow else rng.uniform(0.3, 0.95))
        )
        resolved = min(resolved, now - timedelta(hours=2))
        fields.update(resolved_at=resolved, state=Ticket.State.RESOLVED)
        if resolved > due_resolution:
            fields["resolution_breached_at"] = due_resolution + timedelta(minutes=15)
            events.append(
                ("sla_breach", {"target": "resolution"}, due_resolution + timedelta(minutes=15), None)
            )
        events.append(
            ("state", {"from": "in_progress", "to": "resolved", "action": "resolve"}, resolved, actor)
        )
        if state == "closed":
            closed = min(resolved + timedelta(days=rng.randint(1, 3)), now - timedelta(hours=1))
            fields.update(closed_at=closed, state=Ticket.State.CLOSED)
            events.append(("state", {"from": "resolved", "to": "closed", "action": "close"}, closed, desk))
    elif state == "in_progress":
        fields["state"] = Ticket.State.IN_PROGRESS
    elif state == "waiting":
        paused = now - timedelta(hours=rng.randint(3, 30))
        fields.update(state=Ticket.State.WAITING, paused_at=paused)
        events.append(("state", {"from": "in_progress", "to": "waiting", "action": "wait"}, paused, actor))
    elif state == "breached":
        fields.update(
            state=Ticket.State.IN_PROGRESS, resolution_breached_at=due_resolution + timedelta(minutes=15)
        )
        events.append(("sla_breach", {"target": "resolution"}, due_resolution + timedelta(minutes=15), None))
    elif state == "near_breach":
        due = now + timedelta(minutes=rng.randint(30, 90))
        fields.update(state=Ticket.State.IN_PROGRESS, resolution_due=due, breach_warned_at=now)
        events.append(("sla_warning", {}, now, None))
    elif state == "new":
        # Not yet given to anyone: the desk picks an engineer.
        fields.update(state=Ticket.State.NEW, assignee=None)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    if ticket.category in ON_SITE and ticket.assignee_id and state != "new":
        if state in ("closed", "resolved"):
            start = (
                clock.next_moment(fields["first_response_at"] + timedelta(hours=1))
                or fields["first_response_at"]
            )
            Visit.objects.create(
                ticket=ticket,
                engineer_id=ticket.assignee_id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                state=Visit.State.DONE,
                done_at=start + timedelta(hours=2),
                notes="已上门处理,客户确认。",
            )
        else:
            start = free_slot(clock=clock, engineer_user=ticket.assignee, earliest=now + timedelta(hours=1))
            if start is not None:
                Visit.objects.create(
                    ticket=ticket,
                    engineer_id=ticket.assignee_id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                )
    TicketEvent.objects.filter(ticket=ticket, kind__in=["opened", "assigned"]).update(at=opened)
    TicketEvent.objects.bulk_create(
        [TicketEvent(ticket=ticket, kind=k, data=d, at=at, actor=who) for k, d, at, who in events]
    )


def build(ctx) -> None:
    _calendar()
    _engineers(ctx)
    desk = ctx.users.get("service") or ctx.users.get("admin")
    customers = list(
        Customer.objects.filter(is_active=True, latitude__isnull=False)
        .select_related("region")
        .order_by("pk")[:400]
    )
    if not customers:
        ctx.say("service: no customers, no tickets")
        return
    with_lots = _customers_with_lots(ctx, customers, 12)
    clock, targets, now = Clock.load(), sla_targets(), timezone.now()
    categories = list(Category.values)
    priorities = [Priority.NORMAL, Priority.NORMAL, Priority.HIGH, Priority.LOW, Priority.URGENT]
    count = 0
    for state, how_many in PLAN:
        for _i in range(how_many):
            category = categories[count % len(categories)]
            count += 1
            lot = None
            if category in COMPLAINTS and with_lots:
                customer, shipped = with_lots.pop(0)
                from scm.inventory.models import Lot

                lot = Lot.objects.filter(pk=shipped.lot_id).first()
            else:
                customer = ctx.rng.choice(customers)
            contact = customer.contacts.first()
            ticket = services.ticket_open(
                customer=customer,
                category=category,
                subject=ctx.rng.choice(SUBJECTS[category]),
                description="客户来电反映情况,已记录。",
                priority=ctx.rng.choice(priorities),
                channel=ctx.rng.choice(["phone", "phone", "email", "web"]),
                contact=contact,
                lot=lot,
                user=desk,
            )
            if state in ("closed", "resolved"):
                days = ctx.rng.randint(5, 150)
            elif state == "breached":
                days = ctx.rng.randint(8, 20)
            else:
                days = ctx.rng.randint(1, 4)
            opened = clock.next_moment(now - timedelta(days=days, hours=ctx.rng.randint(0, 6))) or now
            opened = min(opened, now - timedelta(hours=1))
            _backdate(
                ticket,
                state=state,
                opened=opened,
                clock=clock,
                targets=targets,
                now=now,
                rng=ctx.rng,
                desk=desk,
            )
    tickets = Ticket.objects.count()
    teams = ServiceTeam.objects.count()
    engineers = Engineer.objects.count()
    ctx.say(f"service: {tickets} tickets, {teams} teams, {engineers} engineers")
