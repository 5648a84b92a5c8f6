"""A small company with something waiting on every role's "today" page: ``build(n)`` adds ``n``
of each waiting thing (call it twice to grow the data and compare the page's queries), and
another team's records that a rep must not see."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.events.services import notify
from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import services as order_services
from crm.service.models import Ticket
from finance.payables.models import Bill
from integration.aftersales.models import QualityAlert
from scm.inventory import counts
from scm.inventory.models import Reservation
from scm.purchasing.models import PurchaseOrder
from tests.crm.customers.factories import TeamFactory
from tests.crm.sales.factories import CustomerFactory, TaskFactory
from tests.crm.service.factories import EngineerFactory, TicketFactory
from tests.factories import UserFactory
from tests.finance.factories import make_invoice
from tests.integration.planning.factories import SuggestionFactory
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import PurchaseOrderFactory, SupplierFactory, open_purchase_order


def users() -> dict:
    """One user per role, a rep of another team, and an engineer of the service desk."""
    made = {
        role: UserFactory(username=f"w-{role}", roles=[role])
        for role in ("sales", "warehouse", "purchasing", "finance", "manager", "admin")
    }
    made["other_rep"] = UserFactory(username="w-other-rep", roles=["sales"])
    made["service"] = EngineerFactory(user=UserFactory(username="w-service", roles=["service"])).user
    TeamFactory(name="North", members=[made["sales"]])
    TeamFactory(name="South", members=[made["other_rep"]])
    return made


def _order(owner, *, state, reserved=Decimal(0), warehouse=None, **fields):
    order = order_services.order_create(
        customer=CustomerFactory(owner=owner),
        owner=owner,
        lines=[{"product": ProductFactory(), "quantity": 2}],
    )
    SalesOrder.objects.filter(pk=order.pk).update(state=state, confirmed_at=timezone.now(), **fields)
    if reserved:
        line = order.lines.get()
        type(line).objects.filter(pk=line.pk).update(reserved_quantity=reserved)
        Reservation.objects.create(
            demand=line.demand, product=line.product, warehouse=warehouse, quantity=reserved
        )
    return order


def build(n: int, people: dict, tag: str = "a") -> None:
    """``n`` of each waiting thing for each role of ``people`` (from ``users``)."""
    now = timezone.now()
    today = timezone.localdate()
    rep, other, manager = people["sales"], people["other_rep"], people["manager"]
    warehouse = WarehouseFactory()
    for i in range(n):
        code = f"{tag}{i}"
        for owner in (rep, other):
            customer = CustomerFactory(owner=owner)
            # Sales: a task due, a quote expiring, orders on hold and backordered, a stock notice.
            TaskFactory(customer=customer, owner=owner, due_at=now - timedelta(hours=2))
            Quote.objects.create(
                number=f"Q-{owner.pk}-{code}",
                customer=customer,
                owner=owner,
                state=Quote.State.SENT,
                valid_until=today + timedelta(days=3),
            )
            _order(owner, state=SalesOrder.State.CREDIT_HOLD)
            _order(owner, state=SalesOrder.State.CONFIRMED)
            product = ProductFactory()
            notify(
                users=[owner],
                title="Stock is tight: %(sku)s %(product)s",
                params={"sku": product.sku, "product": product.name},
                url=f"/inventory/products/{product.pk}/",
                kind="stock_tight",
                key=f"stock-tight:{product.pk}:{today}",
            )
        # Warehouse: an order to pick, a delivery expected today, an open count.
        _order(rep, state=SalesOrder.State.RESERVED, reserved=Decimal(2), warehouse=warehouse)
        open_purchase_order(lines=[{"expected_date": today}])
        counts.count_start(warehouse=WarehouseFactory(), user=people["warehouse"])
        # Purchasing: a suggestion, an overdue receipt of the buyer's.
        SuggestionFactory()
        open_purchase_order(owner=people["purchasing"], lines=[{"expected_date": today - timedelta(days=3)}])
        # Finance: an overdue invoice, a bill due, a bill that does not match.
        make_invoice(CustomerFactory(owner=rep), issue_date=today - timedelta(days=90))
        supplier = SupplierFactory()
        for state, number in ((Bill.State.APPROVED, "D"), (Bill.State.ON_HOLD, "H")):
            Bill.objects.create(
                number=f"B-{number}-{code}",
                supplier=supplier,
                supplier_invoice_number=f"S-{number}-{code}",
                issue_date=today - timedelta(days=20),
                due_date=today + timedelta(days=2),
                state=state,
                subtotal=Decimal("500.00"),
                total=Decimal("500.00"),
            )
        # Service: a ticket of the engineer's due within the hour.
        TicketFactory(
            state=Ticket.State.IN_PROGRESS,
            assignee=people["service"],
            resolution_due=now + timedelta(hours=1),
        )
        # Manager: a purchase order to approve, a quality alert (and the credit holds above).
        PurchaseOrderFactory(state=PurchaseOrder.State.TO_APPROVE, total=Decimal("80000"))
        QualityAlert.objects.create(product=ProductFactory(), complaints=3, window_days=30)
    assert manager is not None
