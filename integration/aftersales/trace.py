"""The batch trace of one lot (a selector): where it came from and where it went.

- **upstream:** the purchase receipt lines that brought the lot in (by the lot itself, or by the
  receipt number the lot was received with, ``Lot.source_reference``), with their receipt,
  purchase order and supplier;
- **downstream:** every shipped shipment line of the lot (picked quantity above zero), with the
  order, the customer, the customer's primary contact and owner, the quantity net of returns and
  the day it was shipped; every use of the lot as a service part (a ticket's part consumed at a
  visit: inventory's shipment moves of the lot referenced with the ticket's number), with the
  ticket, its customer, the quantity and the day; and both grouped per customer (a customer who
  got the lot both ways is one card with the sum);
- **in stock:** what is left of the lot per warehouse (on hand and reserved), quarantine
  included and marked.

Six queries whatever the number of customers (the lot, the receipts, the shipment lines, the
service parts, the primary contacts, the stock levels): no query per row.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from core.people import display_name
from crm.customers.models import Contact
from crm.service.models import Ticket
from integration.fulfilment.models import Shipment, ShipmentLine
from scm.inventory.models import Lot, StockLevel, StockMove
from scm.purchasing.models import ReceiptLine

ZERO = Decimal("0")
User = get_user_model()


@dataclass
class Upstream:
    receipt_id: int
    receipt_number: str
    received_at: datetime | None
    warehouse_code: str
    quantity: Decimal
    accepted_quantity: Decimal | None
    purchase_order_id: int
    purchase_order_number: str
    supplier_id: int
    supplier_name: str


@dataclass
class Shipped:
    shipment_id: int
    shipment_number: str
    shipped_at: datetime | None
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    quantity: Decimal  # picked − returned
    returned: Decimal
    warehouse_code: str


@dataclass
class ServicePart:
    """The lot used as a part on a ticket (every move of the lot referenced with the ticket)."""

    ticket_id: int
    ticket_number: str
    used_at: datetime | None  # the last move
    customer_id: int
    customer_name: str
    quantity: Decimal


@dataclass
class CustomerTrace:
    customer_id: int
    customer_name: str
    owner_id: int | None
    owner_name: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    quantity: Decimal = ZERO
    shipments: int = 0
    first_shipped_at: datetime | None = None
    last_shipped_at: datetime | None = None
    orders: list[str] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)  # got it as a service part on these


@dataclass
class InStock:
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    on_hand: Decimal
    reserved: Decimal
    quarantine: bool


@dataclass
class Trace:
    lot: Lot
    upstream: list[Upstream]
    shipped: list[Shipped]
    customers: list[CustomerTrace]
    in_stock: list[InStock]
    service_parts: list[ServicePart] = field(default_factory=list)

    @property
    def suppliers(self) -> list[tuple[int, str]]:
        seen = OrderedDict()
        for row in self.upstream:
            seen.setdefault(row.supplier_id, row.supplier_name)
        return list(seen.items())

    @property
    def supplier_id(self) -> int | None:
        return self.upstream[0].supplier_id if self.upstream else None

    @property
    def supplier_name(self) -> str:
        return self.upstream[0].supplier_name if self.upstream else ""

    @property
    def receipt_numbers(self) -> list[str]:
        return list(OrderedDict.fromkeys(row.receipt_number for row in self.upstream))

    @property
    def shipped_quantity(self) -> Decimal:
        return sum((row.quantity for row in self.shipped), ZERO)

    @property
    def service_quantity(self) -> Decimal:
        return sum((row.quantity for row in self.service_parts), ZERO)

    @property
    def stock_quantity(self) -> Decimal:
        return sum((row.on_hand for row in self.in_stock), ZERO)

    def summary(self) -> dict:
        """Plain values (ids, text, numbers as strings) for a timeline entry or a stored run."""
        return {
            "lot_id": self.lot.pk,
            "lot": self.lot.number,
            "supplier_id": self.supplier_id,
            "supplier": self.supplier_name,
            "receipts": self.receipt_numbers,
            "customers": len(self.customers),
            "shipped": f"{self.shipped_quantity.normalize():f}",
            "service_parts": f"{self.service_quantity.normalize():f}",
            "in_stock": f"{self.stock_quantity.normalize():f}",
        }


def _rows(queryset):
    """The rows of a ``values_list`` query. On PostgreSQL the driver's own values (aware
    datetimes, Decimals) are taken as they come, without the ORM's per-row converters: a lot
    shipped to thousands of customers spends most of its trace there otherwise."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _upstream(lot: Lot) -> list[Upstream]:
    match = Q(lot_id=lot.pk)
    if lot.source_reference:
        match |= Q(receipt__number=lot.source_reference, product_id=lot.product_id, lot__isnull=True)
    rows = (
        ReceiptLine.objects.filter(match)
        .exclude(receipt__state="cancelled")
        .order_by("receipt__created_at", "pk")
        .values_list(
            "receipt_id",
            "receipt__number",
            "receipt__posted_at",
            "receipt__warehouse__code",
            "quantity",
            "accepted_quantity",
            "receipt__purchase_order_id",
            "receipt__purchase_order__number",
            "receipt__supplier_id",
            "receipt__supplier__name",
        )
    )
    return [Upstream(*row) for row in rows]


def _service_parts(lot: Lot):
    """The tickets that took the lot as a part, with their customer and the quantity and day of
    the lot's moves referenced with the ticket's number. One query: the tickets named by the
    lot's shipment moves (few per lot), the sums per ticket as subqueries."""
    moves = StockMove.objects.filter(lot_id=lot.pk, kind=StockMove.Kind.SHIPMENT)
    per_ticket = moves.filter(reference=OuterRef("number")).order_by().values("reference")
    return (
        Ticket.objects.filter(number__in=moves.values("reference"))
        .annotate(
            taken=Coalesce(Subquery(per_ticket.annotate(s=Sum("quantity")).values("s")), ZERO),
            used_at=Subquery(per_ticket.order_by("-created_at", "-pk").values("created_at")[:1]),
        )
        .order_by("used_at", "pk")
        .values_list(
            "pk",
            "number",
            "used_at",
            "customer_id",
            "customer__name",
            "customer__owner_id",
            "customer__owner__username",
            "customer__owner__first_name",
            "customer__owner__last_name",
            "taken",
            "customer__phone",
            "customer__email",
        )
    )


def _downstream(lot: Lot) -> tuple[list[Shipped], list[CustomerTrace], list[ServicePart]]:
    lines = (
        ShipmentLine.objects.filter(
            lot_id=lot.pk, shipment__state=Shipment.State.SHIPPED, picked_quantity__gt=0
        )
        .order_by("shipment__shipped_at", "pk")
        .values_list(
            "shipment_id",
            "shipment__number",
            "shipment__shipped_at",
            "shipment__order_id",
            "shipment__order__number",
            "shipment__order__customer_id",
            "shipment__order__customer__name",
            "shipment__order__customer__owner_id",
            "shipment__order__customer__owner__username",
            "shipment__order__customer__owner__first_name",
            "shipment__order__customer__owner__last_name",
            "picked_quantity",
            "returned_quantity",
            "shipment__warehouse__code",
            "shipment__order__customer__phone",
            "shipment__order__customer__email",
        )
    )
    shipped: list[Shipped] = []
    customers: dict[int, CustomerTrace] = {}
    names: dict[int | None, str] = {}
    for (
        shipment_id,
        shipment_number,
        shipped_at,
        order_id,
        order_number,
        customer_id,
        customer_name,
        owner_id,
        username,
        first,
        last,
        picked,
        returned,
        warehouse_code,
        customer_phone,
        customer_email,
    ) in _rows(lines):
        net = picked - returned
        shipped.append(
            Shipped(
                shipment_id,
                shipment_number,
                shipped_at,
                order_id,
                order_number,
                customer_id,
                customer_name,
                net,
                returned,
                warehouse_code,
            )
        )
        owner_name = names.get(owner_id)
        if owner_name is None:
            # One name per owner, not per row: thousands of customers share a few reps.
            owner_name = names[owner_id] = (
                display_name(User(username=username or "", first_name=first or "", last_name=last or ""))
                if owner_id
                else ""
            )
        card = customers.get(customer_id)
        if card is None:
            card = customers[customer_id] = CustomerTrace(customer_id, customer_name, owner_id, owner_name)
            # The customer's own phone and e-mail until a contact is found.
            card.contact_phone, card.contact_email = customer_phone, customer_email
        card.quantity += net
        card.shipments += 1
        if shipped_at is not None:
            card.first_shipped_at = min(card.first_shipped_at or shipped_at, shipped_at)
            card.last_shipped_at = max(card.last_shipped_at or shipped_at, shipped_at)
        if order_number not in card.orders:
            card.orders.append(order_number)
    service: list[ServicePart] = []
    for (
        ticket_id,
        ticket_number,
        used_at,
        customer_id,
        customer_name,
        owner_id,
        username,
        first,
        last,
        taken,
        customer_phone,
        customer_email,
    ) in _rows(_service_parts(lot)):
        quantity = -Decimal(taken)  # the moves take stock out: negative
        if quantity <= 0:
            continue
        service.append(ServicePart(ticket_id, ticket_number, used_at, customer_id, customer_name, quantity))
        owner_name = names.get(owner_id)
        if owner_name is None:
            owner_name = names[owner_id] = (
                display_name(User(username=username or "", first_name=first or "", last_name=last or ""))
                if owner_id
                else ""
            )
        card = customers.get(customer_id)
        if card is None:
            card = customers[customer_id] = CustomerTrace(customer_id, customer_name, owner_id, owner_name)
            card.contact_phone, card.contact_email = customer_phone, customer_email
        card.quantity += quantity
        if used_at is not None:
            card.first_shipped_at = min(card.first_shipped_at or used_at, used_at)
            card.last_shipped_at = max(card.last_shipped_at or used_at, used_at)
        if ticket_number not in card.tickets:
            card.tickets.append(ticket_number)
    if customers:
        # The primary contact (or else the first by name) of every customer, in one query: the
        # customers are named by a subquery, not a list of thousands of ids.
        customer_ids = ShipmentLine.objects.filter(
            lot_id=lot.pk, shipment__state=Shipment.State.SHIPPED, picked_quantity__gt=0
        ).values("shipment__order__customer_id")
        match = Q(customer_id__in=customer_ids)
        if service:
            # The service customers by their ids: a handful, where the shipments may be thousands.
            match |= Q(customer_id__in=sorted({row.customer_id for row in service}))
        contacts = (
            Contact.objects.filter(match)
            .order_by("customer_id", "-is_primary", "name", "pk")
            .values_list("customer_id", "name", "phone", "email")
        )
        if connection.vendor == "postgresql":
            contacts = contacts.distinct("customer_id")  # the first of each customer only
        for customer_id, name, phone, email in contacts:
            card = customers.get(customer_id)
            if card is not None and not card.contact_name:
                card.contact_name = name
                card.contact_phone = phone or card.contact_phone
                card.contact_email = email or card.contact_email
    ordered = sorted(customers.values(), key=lambda c: (c.customer_name, c.customer_id))
    return shipped, ordered, service


def _in_stock(lot: Lot) -> list[InStock]:
    rows = (
        StockLevel.objects.filter(lot_id=lot.pk, on_hand__gt=0)
        .order_by("warehouse__code")
        .values_list(
            "warehouse_id", "warehouse__code", "warehouse__name", "on_hand", "reserved", "warehouse__kind"
        )
    )
    return [
        InStock(w, code, name, on_hand, reserved, kind == "quarantine")
        for w, code, name, on_hand, reserved, kind in rows
    ]


def lot_trace(*, lot: Lot | int) -> Trace:
    """The trace of ``lot`` (a lot or its id; ``Lot.DoesNotExist`` for no such lot)."""
    if not isinstance(lot, Lot):
        lot = Lot.objects.select_related("product").get(pk=lot)
    shipped, customers, service = _downstream(lot)
    return Trace(
        lot=lot,
        upstream=_upstream(lot),
        shipped=shipped,
        customers=customers,
        in_stock=_in_stock(lot),
        service_parts=service,
    )
