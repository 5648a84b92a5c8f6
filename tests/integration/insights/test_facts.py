"""The facts kept by events equal the facts rebuilt from the documents, and each fact says
what the documents say."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.sales.models import SalesOrder
from crm.service import services as ticket_services
from crm.service import surveys
from crm.service.models import Survey
from finance import payments
from finance.models import Invoice
from finance.payables import bills
from finance.payables import payments as supplier_payments
from integration.fulfilment import delivery, services, shipping
from integration.fulfilment.models import Shipment
from integration.insights import facts, handlers
from integration.insights.facts import FACT_MODELS, facts_rebuild
from integration.insights.models import (
    CashDay,
    OrderFact,
    ReceiptDay,
    SalesDay,
    ShipmentFact,
    StockDay,
    SurveyDay,
    TicketDay,
)
from scm.purchasing import receiving
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import open_purchase_order

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every fact table's rows, without their ids, in a stable order."""
    out = {}
    for model in FACT_MODELS:
        fields = [f.name for f in model._meta.concrete_fields if f.name != "id"]
        out[model._meta.model_name] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*fields)
        )
    return out


@pytest.fixture
def world(
    sales_user,
    warehouse_user,
    finance_user,
    purchasing_user,
    service_user,
    django_capture_on_commit_callbacks,
):
    """A small company's week: orders confirmed, one short of stock, one cancelled; a shipment
    shipped, invoiced, delivered, surveyed and paid; a purchase received (serving the
    backorder); a supplier's bill paid; a ticket opened and closed."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    warehouses = three_warehouses()
    shanghai = warehouses["SH"]
    stocked = ProductFactory(barcode="6900000000101", list_price=Decimal("50.00"), cost=Decimal("30.0000"))
    short = ProductFactory(barcode="6900000000102", list_price=Decimal("80.00"), cost=Decimal("45.0000"))
    receive(stocked, shanghai, 10)
    customer = CustomerFactory(owner=sales_user)
    ContactFactory(customer=customer, email="buyer@customer.example")

    first = make_order(customer, sales_user, (stocked, 4))
    run(services.order_confirm, order=first, user=sales_user)
    second = make_order(customer, sales_user, (stocked, 2), (short, 3))
    run(services.order_confirm, order=second, user=sales_user)
    third = make_order(customer, sales_user, (stocked, 1))
    run(services.order_confirm, order=third, user=sales_user)
    run(services.order_cancel, order=third, user=sales_user)

    shipment = shipping.shipment_start(order=first, warehouse=shanghai, user=warehouse_user)
    for _ in range(4):
        shipping.shipment_scan(shipment=shipment, code=stocked.barcode, user=warehouse_user)
    run(
        shipping.shipment_ship,
        shipment=shipment,
        carrier="顺丰速运",
        tracking_number="SF1",
        user=warehouse_user,
    )
    run(delivery.shipment_deliver, shipment=Shipment.objects.get(pk=shipment.pk), source="driver")
    survey = Survey.objects.get(shipment_id=shipment.pk)
    run(surveys.survey_answer, survey=survey, score=9)
    invoice = Invoice.objects.get(sales_order=first)
    run(payments.payment_record, customer=customer, amount=invoice.total, user=finance_user)

    po = open_purchase_order(lines=[{"product": short, "quantity": Decimal("10")}], warehouse=shanghai)
    receipt = receiving.receipt_start(purchase_order=po, user=warehouse_user)
    receiving.receipt_add_line(receipt=receipt, user=warehouse_user, product=short, quantity=Decimal("10"))
    receiving.receipt_check(receipt=receipt, user=warehouse_user, results=[])
    run(receiving.receipt_post, receipt=receipt, user=warehouse_user)
    bill = run(
        bills.bill_create,
        supplier=po.supplier,
        supplier_invoice_number="INV-77",
        lines=[{"description": "运费", "quantity": "1", "unit_price": "200.00", "tax_rate": "0"}],
        user=finance_user,
    )
    run(supplier_payments.supplier_payment_record, supplier=po.supplier, amount=bill.total, user=finance_user)

    ticket = run(ticket_services.ticket_open, customer=customer, category="question", subject="发票抬头")
    run(ticket_services.ticket_transition, ticket=ticket, action="resolve", user=service_user)
    run(ticket_services.ticket_transition, ticket=ticket, action="close", user=service_user)
    return {"first": first, "second": second, "third": third, "shipment": shipment, "owner": sales_user}


def test_rebuild_equals_what_the_events_kept(world):
    kept = snapshot()
    assert all(kept[m._meta.model_name] for m in FACT_MODELS), {k: len(v) for k, v in kept.items()}
    facts_rebuild()
    assert snapshot() == kept


def test_rebuild_of_some_days_equals_what_the_events_kept(world):
    kept = snapshot()
    today = timezone.localdate()
    for model in FACT_MODELS:
        model.objects.all().delete()
    facts_rebuild(start=today - timedelta(days=1), end=today + timedelta(days=1))
    assert snapshot() == kept


def test_insights_rebuild_command_recomputes_every_fact(world):
    kept = snapshot()
    for model in FACT_MODELS:
        model.objects.all().delete()
    call_command("insights_rebuild", verbosity=0)
    assert snapshot() == kept


def test_an_event_handled_twice_has_the_effect_of_once(world):
    kept = snapshot()
    from core.events.models import Event

    for event in Event.objects.filter(name="order.confirmed"):
        handlers.facts_on_order_confirmed(event)
    for event in Event.objects.filter(name="shipment.shipped"):
        handlers.facts_on_shipment_shipped(event)
    for event in Event.objects.filter(name="payment.recorded"):
        handlers.facts_on_payment(event)
    assert snapshot() == kept


def test_order_facts_say_what_the_orders_say(world):
    today = timezone.localdate()
    first = OrderFact.objects.get(order_id=world["first"].pk)
    assert (first.day, first.lines, first.backordered_lines, first.net) == (
        today,
        1,
        0,
        world["first"].subtotal,
    )
    assert first.shipped_in_full and first.delivered_day == today and first.on_time_in_full
    assert first.due_day == today + timedelta(days=facts.DEFAULT_DUE_DAYS)
    second = OrderFact.objects.get(order_id=world["second"].pk)
    assert (second.lines, second.backordered_lines, second.on_time_in_full) == (2, 1, False)
    assert OrderFact.objects.get(order_id=world["third"].pk).cancelled


def test_sales_day_counts_live_orders_and_what_shipped_at_its_cost(world):
    row = SalesDay.objects.get(owner_id=world["owner"].pk, day=timezone.localdate())
    first, second = (SalesOrder.objects.get(pk=world[k].pk) for k in ("first", "second"))
    assert (row.orders, row.lines, row.backordered_lines) == (2, 3, 1)
    assert row.net == first.subtotal + second.subtotal
    assert row.revenue == first.subtotal == Decimal("200.00")
    assert row.cost == Decimal("120.00")  # 4 × 30.00 from the ledger
    shipment = ShipmentFact.objects.get(shipment_id=world["shipment"].pk)
    assert (shipment.quantity, shipment.net, shipment.cost) == (
        Decimal("4"),
        Decimal("200.00"),
        Decimal("120.00"),
    )


def test_stock_day_values_the_ledger_and_the_goods_shipped(world):
    warehouse = world["shipment"].warehouse
    row = StockDay.objects.get(warehouse_id=warehouse.pk, day=timezone.localdate())
    # In: 10 × 30 (the test receipt at the product's cost) + 10 × 50 (the purchase order's
    # price); out: 4 × 30 shipped.
    assert row.cogs == Decimal("120.00") and row.issued_quantity == Decimal("4")
    assert row.value_change == Decimal("300.00") + Decimal("500.00") - Decimal("120.00")


def test_cash_receipt_ticket_and_survey_days(world):
    today = timezone.localdate()
    cash = CashDay.objects.get(day=today)
    invoice = Invoice.objects.get(sales_order=world["first"])
    assert (cash.invoiced, cash.received) == (invoice.total, invoice.total)
    assert (cash.billed, cash.paid_out) == (Decimal("200.00"), Decimal("200.00"))
    receipt = ReceiptDay.objects.get(day=today)
    assert (receipt.lines, receipt.on_time_lines, receipt.amount) == (1, 1, Decimal("500.00"))
    ticket = TicketDay.objects.get(day=today, category="question")
    assert (ticket.opened, ticket.closed) == (1, 1)
    survey = SurveyDay.objects.get(day=today, kind="delivery")
    assert (survey.answers, survey.promoters, survey.detractors) == (1, 1, 0)


def test_a_cancelled_order_leaves_the_sales_of_its_day(world):
    row = SalesDay.objects.get(owner_id=world["owner"].pk, day=timezone.localdate())
    assert row.orders == 2  # the third, cancelled, is not counted


def test_the_nightly_refresh_recomputes_the_recent_days(world):
    from integration.insights.tasks import insights_refresh_recent

    kept = snapshot()
    SalesDay.objects.all().delete()
    OrderFact.objects.filter(order_id=world["first"].pk).update(lines=99)
    insights_refresh_recent()
    assert snapshot() == kept


def test_a_transfer_moves_value_between_the_warehouses_of_its_days(django_capture_on_commit_callbacks):
    from scm.inventory import transfers

    warehouses = three_warehouses()
    product = ProductFactory(cost=Decimal("20.0000"))
    with django_capture_on_commit_callbacks(execute=True):
        receive(product, warehouses["SH"], 10)
    transfer = transfers.transfer_create(
        source=warehouses["SH"], destination=warehouses["BJ"], lines=[{"product": product, "quantity": 4}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        transfers.transfer_ship(transfer=transfer)
        transfers.transfer_receive(transfer=transfer)
    today = timezone.localdate()
    values = dict(StockDay.objects.filter(day=today).values_list("warehouse_id", "value_change"))
    assert values == {warehouses["SH"].pk: Decimal("120.00"), warehouses["BJ"].pk: Decimal("80.00")}
    kept = snapshot()
    facts_rebuild()
    assert snapshot() == kept


def test_a_line_shortened_on_an_old_order_reaches_its_fact_at_night(world):
    from integration.insights.tasks import insights_refresh_recent

    second = world["second"]
    long_ago = timezone.now() - timedelta(days=60)
    SalesOrder.objects.filter(pk=second.pk).update(confirmed_at=long_ago)
    facts_rebuild()
    short_line = second.lines.order_by("pk").last()

    services.order_line_shorten(
        order=second, line_id=short_line.pk, quantity=Decimal("1"), user=world["owner"]
    )
    insights_refresh_recent()

    fact = OrderFact.objects.get(order_id=second.pk)
    assert fact.day == timezone.localdate(long_ago)
    assert fact.net == SalesOrder.objects.get(pk=second.pk).subtotal


def test_service_parts_used_leave_the_stock_value_of_their_day(django_capture_on_commit_callbacks):
    from crm.service import parts
    from scm.inventory import services as stock
    from tests.crm.customers.factories import CustomerFactory as ServiceCustomerFactory
    from tests.crm.service.factories import TicketFactory
    from tests.crm.service.parts.factories import GUANGZHOU_CUSTOMER, VisitFactory, city_warehouses
    from tests.factories import UserFactory

    warehouses = city_warehouses()
    lat, lon = GUANGZHOU_CUSTOMER
    ticket = TicketFactory(customer=ServiceCustomerFactory(latitude=lat, longitude=lon), category="repair")
    kit = ProductFactory(name="空调安装支架", cost=Decimal("40.0000"))
    with django_capture_on_commit_callbacks(execute=True):
        stock.stock_receive(product=kit, warehouse=warehouses["广州"], quantity=10)
    parts.ticket_part_add(ticket=ticket, product=kit, quantity=2, user=UserFactory(roles=["service"]))

    with django_capture_on_commit_callbacks(execute=True):
        parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket))

    # The stock days only: the factory's ticket was opened without its event.
    kept = snapshot()["stockday"]
    facts_rebuild()
    assert snapshot()["stockday"] == kept
    assert (
        StockDay.objects.get(warehouse_id=warehouses["广州"].pk, day=timezone.localdate()).quantity_change
        == 8
    )
