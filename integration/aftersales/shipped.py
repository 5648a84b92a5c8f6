"""What was shipped to a customer, for the service desk (``crm.service.hooks``): the lots and
serials of shipped shipment lines (picked above zero) of the customer's orders. Registered from
``AftersalesConfig.ready``; two queries whatever the number of lots."""

from django.db.models import Max, Q, Sum

from crm.service.hooks import ShippedLot, ShippedParcel
from integration.fulfilment.models import Shipment, ShipmentLine


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


def _shipped(customer_id: int, lot_filter: Q, limit: int) -> list[ShippedLot]:
    from django.utils import timezone

    totals = list(
        _lines(customer_id)
        .filter(lot_filter)
        .values("lot_id", "lot__number", "product_id", "product__name")
        .annotate(
            quantity=Sum("picked_quantity") - Sum("returned_quantity"), last=Max("shipment__shipped_at")
        )
        .order_by("-last", "-lot_id")[: max(int(limit), 0)]
    )
    if not totals:
        return []
    first = _first_shipments(customer_id, [row["lot_id"] for row in totals])
    out = []
    for row in totals:
        shipment_id, shipment_number, order_id, order_number, shipped_at = first[row["lot_id"]]
        out.append(
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
                quantity=row["quantity"],
            )
        )
    return out


def shipped_lots(customer_id, product_id, search, limit) -> list[ShippedLot]:
    """The lots shipped to the customer (of one product if given, whose number contains
    ``search``), the latest shipped first."""
    lot_filter = Q()
    if product_id:
        lot_filter &= Q(product_id=product_id)
    if search:
        lot_filter &= Q(lot__number__icontains=search)
    return _shipped(customer_id, lot_filter, limit)


def shipped_lot(customer_id, lot_id) -> ShippedLot | None:
    """The lot as shipped to the customer, or None when it never was."""
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
