"""A small company's sales for the dashboard's page tests: warehouses with stock, a sales team,
customers with orders confirmed and shipped and an invoice paid, all through the services, so
the facts fill from the events those publish."""

import contextlib
from decimal import Decimal

from finance import payments
from finance.models import Invoice
from integration.fulfilment import services, shipping
from tests.crm.customers.factories import TeamFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CITIES, CustomerFactory, make_order, receive
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory


def sell(*, orders: int = 2, warehouses: int = 1, capture=None) -> dict:
    """``orders`` orders of the team's rep (of two products, from ``warehouses`` warehouses),
    confirmed and shipped; the first order's invoice paid. ``capture`` runs the commit hooks
    (``django_capture_on_commit_callbacks``) in tests inside one transaction."""
    run = (lambda: capture(execute=True)) if capture else contextlib.nullcontext
    rep = UserFactory(roles=["sales"])
    team = TeamFactory(name="华东销售一部")
    team.members.add(rep)
    finance = UserFactory(roles=["finance"])
    stores = []
    for code in list(CITIES)[:warehouses]:
        name, lat, lng = CITIES[code]
        stores.append(WarehouseFactory(code=code, name=name, latitude=lat, longitude=lng))
    tea = ProductFactory(name="乌龙茶 250ml", list_price=Decimal("120.00"), cost=Decimal("70.0000"))
    paper = ProductFactory(name="A4 复印纸 500 张", list_price=Decimal("25.50"), cost=Decimal("18.0000"))
    with run():
        for store in stores:
            receive(tea, store, 500)
            receive(paper, store, 500)
    customers = [CustomerFactory(owner=rep, credit_limit=Decimal("0")) for _ in range(2)]
    done = []
    for i in range(orders):
        store = stores[i % len(stores)]
        order = make_order(customers[i % 2], rep, (tea, 3 + i), (paper, 10))
        with run():
            services.order_confirm(order=order, user=rep)
        shipment = shipping.shipment_start(order=order, warehouse=store)
        with run():
            shipment = shipping.shipment_ship(
                shipment=shipment,
                carrier="顺丰速运",
                tracking_number=f"SF{i:012d}",
                quantities={line.pk: line.order_line.quantity for line in shipment.lines.select_related("order_line")},
            )
        done.append(shipment)
    invoice = Invoice.objects.filter(sales_order=done[0].order_id).first()
    if invoice is not None:
        with run():
            payments.payment_record(customer=invoice.customer, amount=invoice.total, reference="BANK-1", user=finance)
    return {"rep": rep, "team": team, "warehouses": stores, "customers": customers, "shipments": done}
