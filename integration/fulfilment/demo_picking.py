"""Demo step ``fulfilment``, in the warehouse: a batch pick under way in 北京仓, and on it one
bin where the picker finds a unit short (the goods come from an overflow bin, the short bin
waits, marked, to be counted)."""

from decimal import Decimal

from django.db.models import F

from integration.fulfilment.models import ShipmentLine
from scm.inventory.models import Warehouse


def bin_short(batch, picker) -> str:
    """On the batch under way, the first bin the walk visits had part of its stock moved to an
    overflow bin of its zone, and the picker does not find one unit there: it comes from the
    overflow bin, the short bin is marked until counted and the managers are told to count it.
    The short bin's code, or "" when no line allows it."""
    from integration.fulfilment.picking import planned_picks
    from integration.fulfilment.short_picks import short_pick_record
    from scm.inventory import locations
    from scm.inventory.models import Location, LocationStock

    if batch is None:
        return ""
    lines = (
        ShipmentLine.objects.filter(
            shipment__batch=batch, location__isnull=False, quantity__gt=F("picked_quantity")
        )
        .select_related("location", "shipment__warehouse", "product", "lot")
        .order_by("location__sequence", "pk")
    )
    for line in lines:
        bin_, warehouse, key = line.location, line.shipment.warehouse, (line.product_id, line.lot_id)
        held = (
            LocationStock.objects.filter(location=bin_, product_id=line.product_id, lot_id=line.lot_id)
            .values_list("on_hand", flat=True)
            .first()
        ) or Decimal(0)
        spare = held - planned_picks(warehouse_id=warehouse.pk, keys=[key]).get(key, {}).get(
            bin_.pk, Decimal(0)
        )
        overflow = (
            Location.objects.filter(warehouse=warehouse, zone=bin_.zone, is_active=True)
            .exclude(stock__on_hand__gt=0)
            .order_by("sequence", "code")
            .first()
        )
        if spare >= 1 and overflow is not None:
            locations.stock_relocate(
                product=line.product,
                warehouse=warehouse,
                quantity=spare,
                lot=line.lot,
                from_location=bin_,
                to_location=overflow,
                reference="DEMO-OVERFLOW",
                user=picker,
            )
            short_pick_record(shipment_line=line, quantity="1", user=picker)
            return bin_.code
    return ""


def batch_under_way(picker):
    """A batch pick under way in 北京仓 (else the warehouse with the most orders to pick): the
    next three orders of its queue, each in its tote, walked through the bins in pick sequence.
    None when fewer than two orders wait there."""
    from integration.fulfilment.batches import batchable_orders, pick_batch_create

    if picker is None:
        return None
    warehouses = list(Warehouse.objects.for_stock().order_by("code"))
    ranked = sorted(
        warehouses,
        key=lambda w: (w.code != "BJ", -batchable_orders(warehouse_id=w.pk, user=picker).count()),
    )
    for warehouse in ranked:
        if batchable_orders(warehouse_id=warehouse.pk, user=picker).count() >= 2:
            return pick_batch_create(warehouse=warehouse, user=picker, count=3)
    return None
