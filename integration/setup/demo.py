"""The demo company that ``make run`` loads: a trading company with warehouses in 北京, 上海 and
广州. Each module adds one step (a function taking a ``DemoContext``) to ``STEPS``; a step runs once
per database, in one transaction, in the order listed (later steps build on earlier ones).
"""

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.roles import ALL_ROLES
from integration.setup.models import DemoStep

DEMO_PASSWORD = "tandem-demo"

# One user per role (user name = role), plus a second sales rep so record rules have a team.
DEMO_USERS = [
    ("sales", "伟", "张", ["sales"]),
    ("sales2", "芳", "李", ["sales"]),
    ("service", "娜", "王", ["service"]),
    ("warehouse", "强", "刘", ["warehouse"]),
    ("purchasing", "敏", "陈", ["purchasing"]),
    ("finance", "静", "杨", ["finance"]),
    ("manager", "磊", "赵", ["manager"]),
    ("admin", "洋", "黄", ["admin"]),
]


@dataclass
class DemoContext:
    scale: int = 1
    rng: Random = field(default_factory=lambda: Random(2026))
    users: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    # Called with each step's summary line as the step finishes (``load_demo`` prints it).
    progress: Callable[[str], None] | None = None

    def say(self, message: str) -> None:
        """The step's summary line, one per step: what the database holds of its module now."""
        self.log.append(message)
        if self.progress is not None:
            self.progress(message)


def users_step(ctx: DemoContext) -> None:
    User = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=ALL_ROLES)}
    for username, first, last, roles in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.tandem.local"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if "admin" in roles:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        user.groups.add(*[groups[r] for r in roles])
    invited = _invited_users()
    ctx.say(f"users: {len(DEMO_USERS)} (password {DEMO_PASSWORD}), {invited} invited without a password yet")


# A new warehouse clerk the admin has invited and who has not chosen a password yet: the users
# page shows the "invited" state (the invitation e-mail goes where the demo's e-mails go).
DEMO_INVITED = [("zhaomin", "敏", "赵", ["warehouse"])]


def _invited_users() -> int:
    from integration.setup.users import user_invite

    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    for username, first, last, roles in DEMO_INVITED:
        if not User.objects.filter(username=username).exists():
            user_invite(
                actor=admin,
                email=f"{username}@demo.tandem.local",
                first_name=first,
                last_name=last,
                roles=roles,
                username=username,
            )
    return User.objects.filter(username__in=[u[0] for u in DEMO_INVITED]).count()


# The steps in the order they run. Each module adds its step as "module:function"; a step whose
# module does not exist yet is skipped, so modules plug in without depending on each other's timing.
STEPS = [
    ("users", users_step),
    ("inventory", "scm.inventory.demo:build"),
    ("purchasing", "scm.purchasing.demo:build"),
    ("customers", "crm.customers.demo:build"),
    # The company's profile (every document's header, logo and seal) and half the customers'
    # invoicing details: right after the customers, before any document is made.
    ("company", "integration.setup.demo_company:build"),
    ("pipeline", "crm.sales.demo:build"),
    ("orders", "crm.sales.orders.demo:build"),
    ("fulfilment", "integration.fulfilment.demo:build"),
    # Price lists and promotions signed this week, and a quote and an order that use them: after
    # the order history, which was sold at list prices.
    ("prices", "crm.sales.orders.prices.demo:build"),
    ("service", "crm.service.demo:build"),
    ("finance", "finance.demo:build"),
    ("payables", "finance.payables.demo:build"),
    # After the order history: a customer who buys every March, one every six weeks, 订书机 → 订书钉.
    ("selling", "integration.insights.demo_selling:build"),
    ("planning", "integration.planning.demo:build"),
    ("service_parts", "integration.aftersales.demo_parts:build"),
    ("surveys", "integration.aftersales.demo_surveys:build"),
    # After fulfilment (and the service desk's step, when it has one): the jammed-printer lot.
    ("aftersales", "integration.aftersales.demo:build"),
    # The trade template, as an admin applies it in the wizard: it adds what the demo lacks
    # beside the demo's own stages, categories and warehouses (after every step that sets them,
    # so the demo's story is the same with it).
    ("industry", "integration.setup.demo_industry:build"),
    # Last: the dashboards' facts rebuilt from everything the steps above wrote.
    ("insights", "integration.insights.demo:build"),
    # The set-up wizard recorded as finished (no banner on `make run`).
    ("setup", "integration.setup.wizard_demo:build"),
]


def _resolve(step):
    if callable(step):
        return step
    module_name, func_name = step.split(":")
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module(module_name), func_name)


def load_users(ctx: DemoContext) -> None:
    User = get_user_model()
    ctx.users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}


def demo_load(
    *, scale: int = 1, only: list[str] | None = None, progress: Callable[[str], None] | None = None
) -> DemoContext:
    ctx = DemoContext(scale=scale, progress=progress)
    done = set(DemoStep.objects.values_list("name", flat=True))
    for name, ref in STEPS:
        if only and name not in only:
            continue
        step = _resolve(ref)
        if step is None:
            continue
        load_users(ctx)
        if name in done:
            ctx.say(f"{name}: already loaded")
            continue
        with transaction.atomic():
            step(ctx)
            DemoStep.objects.create(name=name)
    return ctx
