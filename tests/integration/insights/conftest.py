from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from integration.insights.selling_services import selling_refresh
from tests.crm.sales.factories import CustomerFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import receive, three_warehouses
from tests.integration.insights.factories import bought, every
from tests.scm.inventory.factories import ProductFactory


@dataclass
class World:
    rep: object
    customer: object  # the rep's: bought a printer, buys paper every six weeks
    other: object  # another rep's customer, alike
    printer: object
    toner: object
    paper: object
    today: object


def build_selling_world() -> World:
    """Printers and their toner (in stock in 上海仓), bought together by three customers (three
    others bought paper only); a rep
    whose customer bought a printer and buys paper every six weeks (due in twelve days); another
    rep's customer alike. The nightly refresh has run (today)."""
    today = timezone.localdate()
    warehouses = three_warehouses()
    printer = ProductFactory(name="激光打印机 M405", sku="PR-M405")
    toner = ProductFactory(name="硒鼓 CF226A", sku="TN-226A")
    paper = ProductFactory(name="A4 复印纸", sku="PA-A4", base_unit="包")
    receive(toner, warehouses["SH"], 20)
    for _ in range(3):
        buyer = CustomerFactory()
        bought(buyer, today - timedelta(days=200), (printer, 1))
        bought(buyer, today - timedelta(days=190), (toner, 2))
    for _ in range(3):
        bought(CustomerFactory(), today - timedelta(days=150), (paper, 5))
    rep = UserFactory(roles=["sales"])
    customer = CustomerFactory(owner=rep, name="华东精密制造有限公司")
    other = CustomerFactory(name="岭南贸易有限公司")
    for who in (customer, other):
        bought(who, today - timedelta(days=120), (printer, 1))
        every(who, paper, gaps=[42, 42, 42], last=today - timedelta(days=30), quantity=20)
    selling_refresh(today=today)
    return World(rep, customer, other, printer, toner, paper, today)


@pytest.fixture
def selling_world(db):
    return build_selling_world()
