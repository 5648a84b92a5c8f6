"""What was shipped to a customer, for the service desk (``crm.service.hooks``): the lots and
serials of shipped shipment lines (picked above zero) of the customer's orders, and those the
customer got as service parts (a ticket's part used at a visit: inventory's shipment moves of a
lot referenced with one of the customer's ticket numbers). Registered from
``AftersalesConfig.ready``; at most four queries whatever the number of lots."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Max, Q, Sum

from crm.service.hooks import ShippedLot, ShippedParcel
from crm.service.models import Ticket
from integration.fulfilment.models import Shipment, ShipmentLine
from scm.inventory.models import StockMove


def _lines(customer_id: int):
    return ShipmentLine.objects.filter(
        shipment__order__customer_id=customer_id,
        shipment__state=Shipment.State.SHIPPED,
        picked_quantity__gt=0,
        lot__isnull=False,
    )


def _first_shipments(customer_id: int, lot_ids: list[int]) -> dict[int, tuple]:
    """Each lot's first shipment to the customer (shipment, order, day). One query."""
    rows = (
        _lines(customer_id)
        .filter(lot_id__in=lot_ids)
        .order_by("lot_id", "shipment__shipped_at", "pk")
        .values_list(
            "lot_id",
            "shipment_id",
            "shipment__number",
            "shipment__order_id",
            "shipment__order__number",
            "shipment__shipped_at",
        )
    )
    first: dict[int, tuple] = {}
    for lot_id, *rest in rows:
        first.setdefault(lot_id, tuple(rest))
    return first


@dataclass
class _AsPart:
    lot_number: str
    product_id: int
    product_name: str
    ticket_number: str  # the first ticket
    first: datetime
    last: datetime
    quantity: Decimal


def _as_parts(customer_id: int, lot_filter: Q) -> dict[int, _AsPart]:
    """The lots the customer got as service parts, by lot. One query (a customer's part moves
    are few)."""
    rows = (
        StockMove.objects.filter(
            lot_filter,
            kind=StockMove.Kind.SHIPMENT,
            lot__isnull=False,
            reference__in=Ticket.objects.filter(customer_id=customer_id).values("number"),
        )
        .order_by("created_at", "pk")
        .values_list(
            "lot_id", "lot__number", "product_id", "product__name", "reference", "created_at", "quantity"
        )
    )
    out: dict[int, _AsPart] = {}
    for lot_id, lot_number, product_id, product_name, reference, at, quantity in rows:
        got = out.get(lot_id)
        if got is None:
            got = out[lot_id] = _AsPart(lot_number, product_id, product_name, reference, at, at, Decimal(0))
        got.last = max(got.last, at)
        got.quantity -= quantity  # the moves take stock out: negative
    return {lot_id: got for lot_id, got in out.items() if got.quantity > 0}


def _totals(customer_id: int, lot_filter: Q, limit: int | None) -> list[dict]:
    qs = (
        _lines(customer_id)
        .filter(lot_filter)
        .values("lot_id", "lot__number", "product_id", "product__name")
        .annotate(
            quantity=Sum("picked_quantity") - Sum("returned_quantity"), last=Max("shipment__shipped_at")
        )
        .order_by("-last", "-lot_id")
    )
    return list(qs[:limit] if limit is not None else qs)


def _shipped(customer_id: int, lot_filter: Q, limit: int) -> list[ShippedLot]:
    from django.utils import timezone

    limit = max(int(limit), 0)
    as_parts = _as_parts(customer_id, lot_filter)
    totals = _totals(customer_id, lot_filter & ~Q(lot_id__in=list(as_parts)), limit)
    if as_parts:
        # The lots the customer got both ways: their shipments, whatever their age.
        totals += _totals(customer_id, Q(lot_id__in=list(as_parts)), None)
    first = _first_shipments(customer_id, [row["lot_id"] for row in totals]) if totals else {}
    out = []
    for row in totals:
        shipment_id, shipment_number, order_id, order_number, shipped_at = first[row["lot_id"]]
        part = as_parts.pop(row["lot_id"], None)
        last = row["last"]
        if part is not None and (last is None or part.last > last):
            last = part.last
        out.append(
            (
                last,
                ShippedLot(
                    lot_id=row["lot_id"],
                    lot_number=row["lot__number"],
                    product_id=row["product_id"],
                    product_name=row["product__name"],
                    shipment_id=shipment_id,
                    shipment_number=shipment_number,
                    order_id=order_id,
                    order_number=order_number,
                    shipped_on=timezone.localdate(shipped_at) if shipped_at else None,
                    quantity=row["quantity"] + (part.quantity if part is not None else 0),
                    ticket_number=part.ticket_number if part is not None else "",
                ),
            )
        )
    for lot_id, part in as_parts.items():  # got only as parts
        out.append(
            (
                part.last,
                ShippedLot(
                    lot_id=lot_id,
                    lot_number=part.lot_number,
                    product_id=part.product_id,
                    product_name=part.product_name,
                    shipment_id=None,
                    shipment_number="",
                    order_id=None,
                    order_number="",
                    shipped_on=timezone.localdate(part.first),
                    quantity=part.quantity,
                    ticket_number=part.ticket_number,
                ),
            )
        )
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    out.sort(key=lambda pair: (pair[0] or epoch, pair[1].lot_id), reverse=True)
    return [lot for _last, lot in out[:limit]]


def shipped_lots(customer_id, product_id, search, limit) -> list[ShippedLot]:
    """The lots shipped to the customer or used as parts on their tickets (of one product if
    given, whose number contains ``search``), the latest first."""
    lot_filter = Q()
    if product_id:
        lot_filter &= Q(product_id=product_id)
    if search:
        lot_filter &= Q(lot__number__icontains=search)
    return _shipped(customer_id, lot_filter, limit)


def shipped_lot(customer_id, lot_id) -> ShippedLot | None:
    """The lot as shipped to the customer (or used as a part on their ticket), or None when
    they never got it."""
    found = _shipped(customer_id, Q(lot_id=lot_id), 1)
    return found[0] if found else None


def shipped_parcels(customer_id, order_id, shipment_id) -> list[ShippedParcel]:
    """The customer's shipped shipments (of one order, or the one shipment), latest first. One
    query."""
    from django.utils import timezone

    qs = Shipment.objects.filter(order__customer_id=customer_id, state=Shipment.State.SHIPPED)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    if shipment_id is not None:
        qs = qs.filter(pk=shipment_id)
    rows = qs.order_by("-shipped_at", "-pk").values_list("pk", "number", "order_id", "shipped_at")[:50]
    return [
        ShippedParcel(
            shipment_id=pk,
            shipment_number=number,
            order_id=order,
            shipped_on=timezone.localdate(at) if at else None,
        )
        for pk, number, order, at in rows
    ]
