"""A warehouse day, as the demo company has it, built quickly for the touch-target walk: the demo's
users, warehouses and catalogue (``integration.setup.demo``'s first steps), then stock, orders
being picked and shipped, returns, transfers, counts and receipts through the services — enough of
each for every warehouse list to have rows and more than one page."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import ALL_ROLES
from crm.sales.models import SalesOrder
from integration.fulfilment import services as fulfilment
from integration.fulfilment import shipping
from integration.fulfilment.models import Shipment
from integration.setup.demo import demo_load
from scm.inventory import counts, services, transfers
from scm.inventory.models import CountSession, Lot, Product, Transfer, Warehouse
from scm.purchasing import receiving
from scm.purchasing.models import Receipt
from tests.integration.fulfilment.factories import CarrierFactory, CustomerFactory, make_order
from tests.scm.purchasing.factories import SupplierFactory, open_purchase_order

CITIES = ["苏州", "宁波", "杭州", "无锡", "南通"]
# One more row than the longest page of each list (the lists page by 20 to 50).
ROWS = 51


@dataclass
class World:
    warehouse: Warehouse  # where the orders are reserved and picked
    picking: Shipment  # a pick list being scanned
    shipped: Shipment
    transfer_draft: Transfer
    transfer_in_transit: Transfer
    count: CountSession
    receipt_counting: Receipt
    receipt_checking: Receipt
    receipt_posted: Receipt
    product: Product  # moved often: its ledger has pages
    lot: Lot  # moved often: its ledger has pages
    users: dict = field(default_factory=dict)


def build() -> World:
    # The role groups come from a migration; a transactional test run before may have flushed them.
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role)
    ctx = demo_load(only=["users", "inventory"])
    users = ctx.users
    warehouses = {w.code: w for w in Warehouse.objects.for_stock()}
    sh, bj, gz = warehouses["SH"], warehouses["BJ"], warehouses["GZ"]
    products = list(Product.objects.filter(is_active=True, template__isnull=True).order_by("sku"))
    plain = [p for p in products if p.tracking == Product.Tracking.NONE and p.barcode]
    lotted = [p for p in products if p.tracking == Product.Tracking.LOT]
    expiry = timezone.localdate() + timedelta(days=200)
    for i, product in enumerate(plain + lotted):
        lot = f"26{i:02d}SH01" if product.tracking == Product.Tracking.LOT else ""
        for wh in (sh, bj):
            services.stock_receive(
                product=product,
                warehouse=wh,
                quantity=500,
                lot_number=lot,
                expiry_date=expiry if lot else None,
                reference="GR-OPENING",
                user=users["warehouse"],
            )
    # Every product below its reorder point: the low-stock list has pages too.
    Product.objects.update(reorder_point=Decimal("100000"))

    busy, lot_product = plain[0], lotted[0]
    lot = Lot.objects.get(product=lot_product)
    for _ in range(ROWS):  # the ledgers of one product and one lot: more than a page each
        services.stock_receive(
            product=busy, warehouse=gz, quantity=1, reference="GR-SMALL", user=users["warehouse"]
        )
        services.stock_receive(
            product=lot_product,
            warehouse=gz,
            quantity=1,
            lot_number=lot.number,
            reference="GR-SMALL",
            user=users["warehouse"],
        )

    picking, shipped = _orders(users, sh, plain)
    transfer_draft, transfer_in_transit = _transfers(users, sh, bj, plain)
    count = None
    for _ in range(ROWS):
        count = counts.count_start(warehouse=gz, user=users["warehouse"])
    receipts = _receipts(users, sh, plain)
    return World(
        warehouse=sh,
        picking=picking,
        shipped=shipped,
        transfer_draft=transfer_draft,
        transfer_in_transit=transfer_in_transit,
        count=count,
        product=busy,
        lot=lot,
        users=users,
        **receipts,
    )


def _orders(users, warehouse, plain):
    """Orders reserved in ``warehouse``: most with a pick list, some shipped, one with returns."""
    rep, picker = users["sales"], users["warehouse"]
    carrier = CarrierFactory(name="顺丰速运")
    customers = [CustomerFactory(owner=rep, name=f"上海{n}号商贸有限公司") for n in range(5)]
    orders = []
    for i in range(ROWS // 2 + 8):
        lines = [(plain[(i + k) % len(plain)], 2 + k) for k in range(3)]
        if i == 0:
            lines = [(plain[1], 40)]  # the order whose goods come back
        order = make_order(customers[i % len(customers)], rep, *lines)
        fulfilment.order_confirm(order=order, user=rep)
        orders.append(SalesOrder.objects.get(pk=order.pk))
    shipments = [shipping.shipment_start(order=o, warehouse=warehouse, user=picker) for o in orders[:-2]]
    for shipment in shipments[:12]:
        quantities = {line.pk: line.quantity for line in shipment.lines.all()}
        shipping.shipment_ship(
            shipment=shipment,
            carrier=carrier,
            tracking_number=f"SF{shipment.pk:010d}",
            user=picker,
            quantities=quantities,
        )
    returned = shipments[0].lines.get()
    for n in range(31):
        shipping.return_create(
            shipment_line=returned,
            quantity=1,
            disposition="restock",
            reason=f"外箱破损 {n + 1}",
            user=picker,
        )
    picking = shipments[-1]
    shipping.shipment_scan(shipment=picking, code=picking.lines.first().product.barcode, user=picker)
    return picking, Shipment.objects.get(pk=shipments[1].pk)


def _transfers(users, source, destination, plain):
    picker = users["warehouse"]
    lines = [{"product": plain[k], "quantity": 3} for k in range(3)]
    in_transit = transfers.transfer_create(source=source, destination=destination, lines=lines, user=picker)
    transfers.transfer_ship(transfer=in_transit, user=picker)
    draft = None
    for _ in range(ROWS):
        draft = transfers.transfer_create(
            source=source, destination=destination, lines=lines[:1], user=picker
        )
    return draft, in_transit


def _receipts(users, warehouse, plain):
    """Purchase orders arriving: receipts counting, one being checked with a rejection, one posted
    (its rejected goods in quarantine)."""
    clerk = users["warehouse"]
    receipts = []
    for i in range(27):
        product = plain[i % len(plain)]
        order = open_purchase_order(
            warehouse=warehouse,
            supplier=SupplierFactory(name=f"{CITIES[i % len(CITIES)]}{i + 1}号供应链有限公司"),
            lines=[{"product": product, "quantity": Decimal("24")}],
            number=f"PO-2026-{i + 1:06d}",
        )
        receipts.append(receiving.receipt_start(purchase_order=order, user=clerk, delivery_note=f"DN{i:04d}"))
    for receipt in receipts[:3]:
        product = receipt.purchase_order.lines.get().product
        receiving.receipt_add_line(receipt=receipt, user=clerk, code=product.barcode, quantity="24")
    posted, checking = receipts[0], receipts[1]
    for receipt in (posted, checking):
        line = receipt.lines.get()
        receiving.receipt_check(
            receipt=receipt,
            user=clerk,
            results=[
                {
                    "line": line.pk,
                    "accepted_quantity": "20",
                    "rejected_quantity": "4",
                    "reject_reason": "外箱破损",
                }
            ],
        )
    receiving.receipt_post(receipt=posted, user=clerk)
    return {
        "receipt_counting": receipts[2],
        "receipt_checking": Receipt.objects.get(pk=checking.pk),
        "receipt_posted": Receipt.objects.get(pk=posted.pk),
    }
