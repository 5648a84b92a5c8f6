"""The whole demo company, loaded once for this module (scale 1) inside a transaction that is
rolled back afterwards."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from crm.sales.models import SalesOrder
from finance import selectors
from finance.models import Invoice
from integration.fulfilment.models import Shipment
from integration.insights.facts import FACT_MODELS
from integration.setup.demo import DEMO_USERS, STEPS, demo_load
from integration.setup.users import users_list
from scm.inventory.management.commands.check_stock import stock_differences

# One worker builds the module's fixture once (``--dist loadgroup``).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-load")]


def database_counts() -> dict:
    """What each step's summary line speaks of, as the database holds it now."""
    from django.contrib.auth import get_user_model

    from core.preferences import LEAD_SOURCES, preference
    from crm.customers.models import Contact, Customer, CustomerGroup, Region, Team
    from crm.sales.models import Activity, Lead, Opportunity, PipelineStage, PriceList, Promotion, Quote
    from crm.service.models import Engineer, ServiceTeam, Survey, Ticket, TicketPart
    from finance.models import CreditNote, Payment
    from finance.payables.models import Bill, SupplierPayment
    from integration.aftersales.models import RecallCustomer
    from integration.fulfilment.models import Carrier, Shipment
    from integration.insights.models import CoPurchase, CycleReminder, PurchaseCycle
    from integration.planning.models import DemandDay, Plan, Suggestion
    from scm.inventory.models import Category, Product, StockMove, Warehouse
    from scm.purchasing.models import PurchaseOrder, Receipt, Supplier

    orders = SalesOrder.objects.values_list("state").annotate(n=Count("pk")).order_by()
    return {
        "users": get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS]).count(),
        "invited users": users_list(state="invited").count(),
        "warehouses": Warehouse.objects.count(),
        "products": Product.objects.count(),
        "stock moves": StockMove.objects.count(),
        "customers": Customer.objects.count(),
        "customers with invoicing details": Customer.objects.exclude(invoice_tax_id="").count(),
        "contacts": Contact.objects.count(),
        "regions": Region.objects.count(),
        "teams": Team.objects.count(),
        "leads": Lead.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "activities": Activity.objects.count(),
        "quotes": Quote.objects.count(),
        "expired quotes": Quote.objects.filter(state=Quote.State.EXPIRED).count(),
        "orders": SalesOrder.objects.count(),
        "orders by state": dict(orders),
        "shipments": Shipment.objects.count(),
        "invoices": Invoice.objects.count(),
        "open invoices": Invoice.objects.filter(state__in=Invoice.OPEN_STATES).count(),
        "payments": Payment.objects.count(),
        "credit notes": CreditNote.objects.count(),
        "suppliers": Supplier.objects.count(),
        "purchase orders": PurchaseOrder.objects.count(),
        "receipts": Receipt.objects.count(),
        "bills": Bill.objects.count(),
        "open bills": Bill.objects.filter(state__in=Bill.OPEN_STATES).count(),
        "supplier payments": SupplierPayment.objects.count(),
        "demand days": DemandDay.objects.count(),
        "plans": Plan.objects.count(),
        "forecast plans": Plan.objects.filter(source=Plan.Source.FORECAST).count(),
        "hand-set plans": Plan.objects.filter(source=Plan.Source.HAND_SET).count(),
        "open purchases": Suggestion.objects.filter(state="open", kind="purchase").count(),
        "open transfers": Suggestion.objects.filter(state="open", kind="transfer").count(),
        "tickets": Ticket.objects.count(),
        "service teams": ServiceTeam.objects.count(),
        "engineers": Engineer.objects.count(),
        "ticket parts": TicketPart.objects.count(),
        "free parts": TicketPart.objects.filter(state="consumed", under_warranty=True).count(),
        "invoiced parts": TicketPart.objects.filter(state="consumed", invoice_id__isnull=False).count(),
        "surveys": Survey.objects.count(),
        "answered surveys": Survey.objects.filter(answered_at__isnull=False).count(),
        "survey follow-ups": Survey.objects.filter(follow_up__isnull=False).count(),
        "carriers": Carrier.objects.count(),
        "delivered shipments": Shipment.objects.filter(delivered_at__isnull=False).count(),
        "damage tickets": Ticket.objects.filter(category="damage").count(),
        "recalled customers": RecallCustomer.objects.count(),
        "annual cycles": PurchaseCycle.objects.filter(kind="annual").count(),
        "interval cycles": PurchaseCycle.objects.filter(kind="interval").count(),
        "co-purchase rules": CoPurchase.objects.count(),
        "cycle reminders": CycleReminder.objects.count(),
        "quality tickets": Ticket.objects.filter(category="quality", lot__number="TN2026-0815").count(),
        "customer groups": CustomerGroup.objects.count(),
        "pipeline stages": PipelineStage.objects.count(),
        "categories": Category.objects.count(),
        "lead sources": len(preference(LEAD_SOURCES)),
        "key customers": Customer.objects.filter(group__code="KEY").count(),
        "price lists": PriceList.objects.count(),
        "promotions": Promotion.objects.count(),
        **{f"{m._meta.model_name} facts": m.objects.count() for m in FACT_MODELS},
        "set-up steps done": _setup_steps_done(),
    }


def _setup_steps_done() -> int:
    from integration.setup import wizard
    from integration.setup.models import SetupProgress

    progress = SetupProgress.objects.filter(finished_at__isnull=False).first()
    if progress is None:
        return 0
    return sum(1 for step in wizard.steps_offered() if progress.state_of(step.key) == "done")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, and each step's summary line with the database's counts when it was printed
    (the company's logo and seal are written to a media folder of the test's own)."""
    printed = []
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        ctx = demo_load(progress=lambda line: printed.append((line, database_counts())))
        ctx.printed = printed
        yield ctx
        transaction.set_rollback(True)


# Each step's summary line, and the counts its numbers are, in order.
SUMMARIES = {
    "users": (
        r"users: (\d+) \(password tandem-demo\), (\d+) invited without a password yet",
        ["users", "invited users"],
    ),
    "inventory": (r"inventory: (\d+) warehouses, (\d+) products", ["warehouses", "products"]),
    "purchasing": (
        r"purchasing: (\d+) suppliers, (\d+) purchase orders, (\d+) receipts",
        ["suppliers", "purchase orders", "receipts"],
    ),
    "customers": (
        r"customers: (\d+) with (\d+) contacts, (\d+) regions, (\d+) teams",
        ["customers", "contacts", "regions", "teams"],
    ),
    "company": (
        r"company: 北京同行商贸有限公司 \(\w{18}\), logo and seal; (\d+) customers with invoicing details",
        ["customers with invoicing details"],
    ),
    "pipeline": (
        r"pipeline: (\d+) leads, (\d+) opportunities, (\d+) activities and tasks",
        ["leads", "opportunities", "activities"],
    ),
    "orders": (
        r"orders: (\d+) quotes \((\d+) expired\), (\d+) draft orders",
        ["quotes", "expired quotes", "orders by state:draft"],
    ),
    "fulfilment": (
        r"fulfilment: (\d+) orders \(([a-z_ \d,]+)\), (\d+) shipments"
        r"(?:; repeat orders shipped \d+)?(?:; backorder served by a receipt: SO-[\d-]+)?"
        r"(?:; batch pick under way: PB-[\d-]+)?(?:; bin [A-Z\d-]+ short, to count)?",
        ["orders", None, "shipments"],
    ),
    "prices": (
        r"prices: (\d+) customer groups \((\d+) customers in 重点客户\), (\d+) price lists, "
        r"(\d+) promotions; quote QT-[\d-]+ and order SO-[\d-]+ use them",
        ["customer groups", "key customers", "price lists", "promotions"],
    ),
    "service": (
        r"service: (\d+) tickets, (\d+) teams, (\d+) engineers",
        ["tickets", "service teams", "engineers"],
    ),
    "finance": (
        r"finance: (\d+) invoices \((\d+) open\), (\d+) payments, (\d+) credit notes?",
        ["invoices", "open invoices", "payments", "credit notes"],
    ),
    "payables": (
        r"payables: (\d+) bills \((\d+) open, [\d,.]+ owed\), (\d+) supplier payments",
        ["bills", "open bills", "supplier payments"],
    ),
    "selling": (
        r"selling: (\d+) annual and (\d+) regular purchase cycles, (\d+) co-purchase rules, "
        r"(\d+) follow-up tasks \(.+ every March, .+ every six weeks, 订书机 → 订书钉 by 6 customers; "
        r"\d+ orders\)",
        ["annual cycles", "interval cycles", "co-purchase rules", "cycle reminders"],
    ),
    "planning": (
        r"planning: (\d+) demand days, store orders \d+; (\d+) plans \((\d+) forecast, (\d+) hand-set\), "
        r"(\d+) purchase and (\d+) transfer suggestions open \(.*\)",
        ["demand days", "plans", "forecast plans", "hand-set plans", "open purchases", "open transfers"],
    ),
    "service_parts": (
        r"service_parts: (\d+) ticket parts \((\d+) used free under warranty, (\d+) invoiced\)",
        ["ticket parts", "free parts", "invoiced parts"],
    ),
    "surveys": (
        r"surveys: (\d+) surveys \((\d+) answered, NPS -?\d+\), (\d+) low scores opened tickets; "
        r"(\d+) carriers, (\d+) deliveries confirmed, (\d+) damage tickets",
        [
            "surveys",
            "answered surveys",
            "survey follow-ups",
            "carriers",
            "delivered shipments",
            "damage tickets",
        ],
    ),
    "aftersales": (
        r"aftersales: lot TN2026-0815 of .+ shipped to (\d+) customers, (\d+) quality complaints, "
        r"alert raised, lot on hold, recall RC-\d{4}-\d+ \((\d+) customers\)",
        ["recalled customers", "quality tickets", "recalled customers"],
    ),
    "industry": (
        r"industry: template trade applied \(\d+ added, \d+ of them stages\); (\d+) pipeline stages, "
        r"(\d+) product categories, (\d+) lead sources",
        ["pipeline stages", "categories", "lead sources"],
    ),
    # Every figure of the manager's dashboard has data over the last twelve months.
    "insights": (
        r"insights: facts rebuilt: "
        + ", ".join(rf"{m._meta.model_name} (\d+)" for m in FACT_MODELS)
        + "; figures without data: none",
        [f"{m._meta.model_name} facts" for m in FACT_MODELS],
    ),
    # Last: the company's profile, and the set-up recorded as finished (no banner on `make run`).
    "setup": (
        r"setup: set-up finished \((\d+) steps\)",
        ["set-up steps done"],
    ),
}


def test_each_step_prints_one_line_as_it_finishes(demo):
    # Every step, in order; a new one adds its line above.
    assert [line.split(":")[0] for line, _counts in demo.printed] == list(SUMMARIES)
    assert set(SUMMARIES) <= {name for name, _step in STEPS}


@pytest.mark.parametrize("step", list(SUMMARIES))
def test_the_numbers_a_step_prints_are_those_in_the_database(demo, step):
    line, counts = next((line, counts) for line, counts in demo.printed if line.startswith(f"{step}:"))
    pattern, names = SUMMARIES[step]
    match = re.fullmatch(pattern, line)
    assert match, line
    for name, value in zip(names, match.groups(), strict=True):
        if name is None:  # the orders by state
            by_state = dict(pair.rsplit(" ", 1) for pair in value.split(", "))
            assert {state: int(n) for state, n in by_state.items()} == counts["orders by state"], line
        elif name.startswith("orders by state:"):
            assert int(value) == counts["orders by state"].get(name.split(":")[1], 0), line
        else:
            assert int(value) == counts[name], (line, name)


def test_demo_has_orders_older_than_a_year(demo):
    year_ago = timezone.localdate() - timedelta(days=365)
    old = SalesOrder.objects.filter(order_date__lt=year_ago)
    assert old.count() >= 30
    assert old.values("customer").distinct().count() >= 10
    assert old.filter(created_at__date__lt=year_ago).count() == old.count()


def test_demo_has_an_order_of_this_week_with_a_promotion_and_a_price_list(demo):
    recent = SalesOrder.objects.filter(order_date__gte=timezone.localdate() - timedelta(days=7))
    used = recent.filter(promotion__isnull=False, lines__price_source="group_list")
    assert used.filter(lines__price_source="promotion").exists()


def test_demo_orders_reach_most_customers(demo):
    with_orders = SalesOrder.objects.values("customer").distinct().count()
    assert with_orders >= 25


def test_demo_invoices_carry_their_ship_dates(demo):
    today = timezone.localdate()
    from_orders = Invoice.objects.exclude(sales_order=None)
    assert from_orders.filter(issue_date__lt=today - timedelta(days=300)).exists()
    paid_late = Invoice.objects.filter(state=Invoice.State.PAID, issue_date__lt=today - timedelta(days=90))
    assert paid_late.count() >= 20


def test_demo_aging_has_money_in_every_bucket(demo):
    totals = selectors.aging()["totals"]
    assert all(totals[key] > 0 for key in ("current", "d1_30", "d31_60", "d61_90", "over_90")), totals


def test_demo_stock_matches_its_ledger(demo):
    assert stock_differences() == []


def test_demo_has_an_order_in_every_state(demo):
    states = set(SalesOrder.objects.values_list("state", flat=True))
    assert {
        "draft",
        "credit_hold",
        "reserved",
        "partly_reserved",
        "partly_shipped",
        "invoiced",
        "paid",
        "cancelled",
    } <= states, states


def test_demo_has_customers_over_their_credit_limit(demo):
    from crm.customers.models import Customer

    over = [
        c
        for c in Customer.objects.filter(credit_limit__gt=0)
        if selectors.open_receivables(customer_id=c.pk) > c.credit_limit
    ]
    assert len(over) >= 2


def test_demo_loaded_twice_adds_nothing(demo):
    orders, invoices = SalesOrder.objects.count(), Invoice.objects.count()
    demo_load()
    assert (SalesOrder.objects.count(), Invoice.objects.count()) == (orders, invoices)


def test_demo_buys_every_product_from_a_preferred_supplier(demo):
    from scm.inventory.models import Product
    from scm.purchasing.models import SupplierProduct

    stocked = Product.objects.filter(is_template=False)
    preferred = SupplierProduct.objects.filter(is_preferred=True).values("product")
    assert stocked.exists() and not stocked.exclude(pk__in=preferred).exists()


def test_demo_products_have_their_preferred_suppliers_lead_time(demo):
    from django.db.models import OuterRef, Subquery

    from scm.inventory.models import Product
    from scm.purchasing.models import SupplierProduct

    preferred = SupplierProduct.objects.filter(product=OuterRef("pk"), is_preferred=True).values(
        "lead_time_days"
    )
    products = Product.objects.filter(is_template=False).annotate(preferred=Subquery(preferred[:1]))
    assert products.exists() and not products.filter(lead_time_days__isnull=True).exists()
    assert all(p.lead_time_days == p.preferred for p in products)


def test_demo_receipts_are_purchase_order_receipts(demo):
    """Every receipt move of the ledger names a posted receipt of a purchase order."""
    from scm.inventory.models import StockMove
    from scm.purchasing.models import Receipt

    receipts = set(Receipt.objects.filter(state=Receipt.State.POSTED).values_list("number", flat=True))
    moved = set(StockMove.objects.filter(kind=StockMove.Kind.RECEIPT).values_list("reference", flat=True))
    assert moved and moved <= receipts


def test_demo_purchase_history_spans_two_years_with_late_and_partial_deliveries(demo):
    from django.db.models import F

    from scm.purchasing.models import PurchaseOrder, ReceiptLine

    today = timezone.localdate()
    assert PurchaseOrder.objects.filter(order_date__lt=today - timedelta(days=600)).exists()
    posted = ReceiptLine.objects.filter(receipt__state="posted")
    assert posted.filter(receipt__posted_at__date__gt=F("po_line__expected_date")).exists()  # late
    assert posted.filter(receipt__posted_at__date__lte=F("po_line__expected_date")).exists()  # on time
    assert PurchaseOrder.objects.filter(state=PurchaseOrder.State.PARTLY_RECEIVED).exists()
    assert {PurchaseOrder.State.TO_APPROVE, PurchaseOrder.State.DRAFT, PurchaseOrder.State.SENT} <= set(
        PurchaseOrder.objects.values_list("state", flat=True)
    )


def test_demo_has_a_rejected_batch_in_quarantine_and_one_returned(demo):
    from scm.inventory.models import StockLevel, Warehouse
    from scm.purchasing.models import ReceiptLine, SupplierReturn

    assert ReceiptLine.objects.filter(rejected_quantity__gt=0, reject_action="return").exists()
    assert SupplierReturn.objects.exists()
    quarantine = Warehouse.objects.filter(kind=Warehouse.Kind.QUARANTINE)
    assert StockLevel.objects.filter(warehouse__in=quarantine, on_hand__gt=0, reserved=0).exists()


def test_demo_open_orders_show_as_incoming_supply(demo):
    from scm.inventory.models import IncomingSupply

    assert IncomingSupply.objects.filter(expected_date__gte=timezone.localdate()).exists()


def test_demo_fills_every_payables_aging_bucket(demo):
    from finance.payables.selectors import ap_aging

    totals = ap_aging()["totals"]
    assert all(totals[bucket] > 0 for bucket in ("current", "d1_30", "d31_60", "d61_90", "over_90")), totals


def test_demo_shows_receivables_and_payables_of_one_company(demo):
    """The retailer owes about 50,000, the company owes the fabric supplier about 30,000; the
    finance home puts both on one page."""
    from django.db.models import F, Sum

    from finance.payables.selectors import ar_ap_summary, supplier_balance
    from scm.purchasing.models import Supplier

    fabric = supplier_balance(supplier_id=Supplier.objects.get(code="V0012").pk)["balance"]
    retailer = (
        Invoice.objects.filter(state__in=Invoice.OPEN_STATES, customer__industry="批发零售")
        .values("customer")
        .annotate(o=Sum(F("total") - F("paid_amount") - F("credited_amount")))
        .order_by("-o")
        .first()["o"]
    )
    # "about": the history is built back from today, so the figure moves a little with the date
    assert 26_000 <= fabric <= 36_000
    assert 45_000 <= retailer <= 52_000
    summary = ar_ap_summary()
    assert summary["receivable"] > retailer and summary["payable"] > fabric
    assert summary["net"] == summary["receivable"] - summary["payable"]


def test_demo_plans_a_weekend_heavy_product(demo):
    from integration.planning.models import Plan

    plan = Plan.objects.get(product__sku="CL-TS-BX", warehouse__code="GZ")
    assert plan.source == Plan.Source.FORECAST
    assert plan.weekday_factors[5] / plan.weekday_factors[0] == pytest.approx(1.5, rel=0.05)


def test_demo_suggests_moving_stock_from_beijing_to_guangzhou(demo):
    from integration.planning.models import Suggestion

    assert Suggestion.objects.filter(
        state="open",
        kind="transfer",
        product__sku="CL-TS-BX",
        source_warehouse__code="BJ",
        warehouse__code="GZ",
    ).exists()


def test_demo_keeps_an_accepted_and_a_dismissed_suggestion_and_products_below_their_point(demo):
    from integration.planning.models import Suggestion

    accepted = Suggestion.objects.get(state="accepted")
    assert accepted.purchase_order.state == "draft"
    assert Suggestion.objects.get(state="dismissed").dismiss_reason
    assert Suggestion.objects.filter(state="open", kind="purchase").count() >= 3


def test_demo_has_tickets_of_every_category_and_state_some_breached_near_breach_or_waiting(demo):
    from crm.service.models import Category, Holiday, Ticket

    tickets = Ticket.objects.all()
    assert set(tickets.values_list("category", flat=True)) == set(Category.values)
    assert set(tickets.values_list("state", flat=True)) == set(Ticket.State.values)
    assert tickets.filter(resolution_breached_at__isnull=False, state="in_progress").exists()
    assert tickets.filter(breach_warned_at__isnull=False, resolution_breached_at__isnull=True).exists()
    assert tickets.filter(state="waiting", paused_at__isnull=False).exists()
    assert Holiday.objects.filter(is_working_day=True, date__year=2026).count() >= 5
    from crm.service.models import Visit

    assert set(Visit.objects.values_list("state", flat=True)) == {"done", "planned"}


def test_demo_sends_guangzhou_customers_to_the_shenzhen_team(demo):
    from crm.service.models import Ticket

    south = Ticket.objects.filter(customer__region__code="HN").select_related("team")
    assert south.exists() and {t.team.base for t in south} == {"深圳"}


def test_demo_reserves_the_air_conditioner_installation_kit_in_guangzhou(demo):
    from crm.service.models import TicketPart
    from integration.aftersales.demo_parts import KIT_SKU
    from scm.inventory.models import Reservation

    part = TicketPart.objects.get(product__sku=KIT_SKU)
    assert part.state == TicketPart.State.RESERVED and part.ticket.visits.exists()
    assert [r.warehouse.code for r in Reservation.objects.filter(demand=part.demand)] == ["GZ"]


def test_demo_repairs_use_one_part_free_under_warranty_and_invoice_the_other(demo):
    from decimal import Decimal

    from crm.service.models import TicketPart

    used = TicketPart.objects.filter(state=TicketPart.State.CONSUMED)
    free, charged = used.get(under_warranty=True), used.get(under_warranty=False)
    assert free.invoice_id is None and free.unit_price == 0
    assert Invoice.objects.get(pk=charged.invoice_id).total == Decimal("50.85")


def test_demo_nps_is_believable_and_spans_two_years(demo):
    from crm.service import nps
    from crm.service.models import Survey

    figures = nps.nps()
    assert 30 <= figures.score <= 45, figures
    answered = Survey.objects.filter(answered_at__isnull=False)
    first = answered.order_by("created_at").first().created_at
    assert (timezone.now() - first).days > 365
    assert answered.filter(score__lte=6, follow_up__isnull=True).count() == 0


def test_demo_flags_the_carrier_with_a_bad_damage_rate(demo):
    from integration.aftersales.carriers import carrier_figures

    rows = {r.name: r for r in carrier_figures(date_from=timezone.localdate() - timedelta(days=730))}
    assert rows["中通快递"].flagged and 10 <= rows["中通快递"].damage_rate <= 20
    assert not rows["顺丰速运"].flagged
    sources = set(Shipment.objects.exclude(delivery_source="").values_list("delivery_source", flat=True))
    assert sources == {"driver", "customer", "estimate"}


def test_demo_has_the_jammed_printer_lot_on_hold_with_an_alert_and_a_recall(demo):
    from crm.service.models import TicketEvent
    from integration.aftersales.models import QualityAlert, Recall
    from scm.inventory.models import Lot
    from scm.purchasing.models import ReceiptLine

    lot = Lot.objects.get(number="TN2026-0815")
    assert lot.held_at is not None
    assert ReceiptLine.objects.filter(lot=lot, receipt__state="posted").exists()
    assert QualityAlert.objects.get(lot=lot).state == "recalled"
    recall = Recall.objects.get(lot=lot)
    assert recall.customers.count() >= 4 and all(c.authorisation for c in recall.customers.all())
    assert TicketEvent.objects.filter(kind="trace", ticket__lot=lot).count() == 3


def test_demo_company_has_its_profile_and_a_finished_set_up(demo):
    from core.company import company_profile, company_profile_is_complete
    from integration.setup.wizard import setup_banner

    profile = company_profile()
    assert company_profile_is_complete(profile) and profile.logo and profile.seal
    assert setup_banner(demo.users["admin"]) is None


def test_demo_has_the_trade_templates_stages_beside_its_own_and_none_twice(demo):
    from crm.sales.models import PipelineStage

    names = list(PipelineStage.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert {"初步接触", "方案报价", "商务谈判", "寄样试用", "签订合同"} <= set(names)
    assert PipelineStage.objects.filter(is_won=True).count() == 1


def test_demo_has_a_bin_short_at_picking_marked_until_counted(demo):
    from core.events.models import Notification
    from integration.fulfilment.models import ShortPick
    from scm.inventory.models import LocationStock

    short = ShortPick.objects.get()
    assert short.resolution == ShortPick.Resolution.OTHER_BIN and short.location.warehouse.code == "BJ"
    assert LocationStock.objects.filter(location=short.location, missing__gt=0).exists()
    assert Notification.objects.filter(kind="short_pick").exists()
