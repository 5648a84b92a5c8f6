"""A small company's sales for the dashboard's page tests: warehouses with stock, a sales team,
customers with orders confirmed and shipped, invoices paid, open opportunities, all through the
services, so the facts fill from the events those publish."""

import contextlib
from decimal import Decimal

from crm.customers.models import Team
from crm.sales.models import PipelineStage
from finance import payments
from finance.models import Invoice
from integration.fulfilment import services, shipping
from tests.crm.sales.factories import OpportunityFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CITIES, CustomerFactory, make_order, receive
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory


def _runner(capture):
    """Runs the commit hooks (``django_capture_on_commit_callbacks``) in tests inside one
    transaction; nothing to do in a transactional test."""
    return (lambda: capture(execute=True)) if capture else contextlib.nullcontext


def company(*, warehouses: int = 1, stock: int = 500, capture=None) -> dict:
    """The team's rep, ``warehouses`` warehouses with ``stock`` of two products each, two
    customers near each warehouse (their orders are reserved there), open opportunities in three
    stages of the pipeline."""
    run = _runner(capture)
    rep = UserFactory(roles=["sales"])
    team = Team.objects.get_or_create(name="华东销售一部")[0]
    team.members.add(rep)
    stores = []
    for code in list(CITIES)[:warehouses]:
        name, lat, lng = CITIES[code]
        stores.append(WarehouseFactory(code=code, name=name, latitude=lat, longitude=lng))
    tea = ProductFactory(name="乌龙茶 250ml", list_price=Decimal("120.00"), cost=Decimal("70.0000"))
    paper = ProductFactory(name="A4 复印纸 500 张", list_price=Decimal("25.50"), cost=Decimal("18.0000"))
    with run():
        for store in stores:
            receive(tea, store, stock)
            receive(paper, store, stock)
    customers = [
        CustomerFactory(
            owner=rep, credit_limit=Decimal("0"), latitude=store.latitude, longitude=store.longitude
        )
        for store in stores
        for _ in range(2)
    ]
    # A test database flushed between tests has lost the stages the migrations wrote.
    stages = [
        PipelineStage.objects.get_or_create(name=name, defaults={"order": n, "probability": 20 * n})[0]
        for n, name in enumerate(("初步接触", "需求确认", "方案报价"), start=1)
    ]
    for stage, count in zip(stages, (5, 3, 1), strict=True):
        for _ in range(count):
            OpportunityFactory(customer=customers[0], owner=rep, stage=stage)
    return {
        "rep": rep,
        "team": team,
        "warehouses": stores,
        "products": [tea, paper],
        "customers": customers,
        "finance": UserFactory(roles=["finance"]),
        "shipments": [],
    }


def ship_orders(world: dict, *, orders: int, pay: int = 1, capture=None) -> list:
    """``orders`` orders of the rep, confirmed and shipped in full from the warehouse near each
    customer; the invoices of the first ``pay`` of them paid."""
    run = _runner(capture)
    stores, customers = world["warehouses"], world["customers"]
    tea, paper = world["products"]
    done = []
    for i in range(orders):
        n = len(world["shipments"]) + i
        store = stores[n % len(stores)]
        customer = customers[2 * (n % len(stores)) + (n // len(stores)) % 2]
        order = make_order(customer, world["rep"], (tea, 3 + n % 5), (paper, 10 + 2 * (n % 3)))
        with run():
            services.order_confirm(order=order, user=world["rep"])
        shipment = shipping.shipment_start(order=order, warehouse=store)
        with run():
            shipment = shipping.shipment_ship(
                shipment=shipment,
                carrier="顺丰速运",
                tracking_number=f"SF{n:012d}",
                quantities={
                    line.pk: line.order_line.quantity for line in shipment.lines.select_related("order_line")
                },
            )
        done.append(shipment)
    for shipment in done[:pay]:
        invoice = Invoice.objects.filter(sales_order=shipment.order_id).first()
        if invoice is not None:
            with run():
                payments.payment_record(
                    customer=invoice.customer,
                    amount=invoice.total,
                    reference=f"BANK-{shipment.pk}",
                    user=world["finance"],
                )
    world["shipments"].extend(done)
    return done


def sell(*, orders: int = 2, warehouses: int = 1, capture=None) -> dict:
    """``company`` with ``orders`` orders shipped and the first one paid."""
    world = company(warehouses=warehouses, capture=capture)
    ship_orders(world, orders=orders, capture=capture)
    return world
