"""Batch picks: several orders' pick lists of one warehouse walked at once.

Each order gets a tote (T1, T2 …) in the order the orders are picked (``selectors.pick_order``);
the walk is one list of every order's lines in the bins' pick sequence, and a product scan says
which tote the goods go into (``scanning``). Each tote ships as its own shipment, one at a time
or all together; what is not picked when the batch is finished goes back to the queue as an
ordinary open pick list.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.money import decimal_input
from core.numbers import document_number
from core.sql import as_id
from crm.sales.orders.selectors import order_visible_q
from integration.fulfilment import selectors, shipping
from integration.fulfilment.models import PickBatch, Shipment, ShipmentLine
from integration.fulfilment.picking import pick_lists_open
from integration.fulfilment.scanning import ScanResult, scan_apply
from integration.fulfilment.walk import tote_rank
from scm.inventory.models import Warehouse

MAX_ORDERS = 50


def batchable_orders(*, warehouse_id: int, user):
    """Orders ready to pick in the warehouse that the user may read and no batch pick holds, in
    ``pick_order`` (one query when evaluated, after the queue's own)."""
    in_batch = Shipment.objects.filter(
        warehouse_id=warehouse_id, state=Shipment.State.PICKING, batch__isnull=False
    ).values("order_id")
    return (
        selectors.pick_list_orders(warehouse_id=warehouse_id)
        .filter(order_visible_q(user))
        .exclude(pk__in=in_batch)
    )


@atomic_with_retry
def pick_batch_create(*, warehouse: Warehouse, user, order_ids=None, count=None) -> PickBatch:
    """A batch pick of the chosen orders (``order_ids``, in the queue's order) or of the next
    ``count`` orders of the queue, each with its tote. An order already open on a pick list
    joins with what was picked of it; an order of another batch, one the user may not read or
    one with nothing held in this warehouse is refused by name; nothing is written then."""
    chosen = _chosen(warehouse, user, order_ids, count)
    batch = PickBatch.objects.create(
        number=document_number(prefix="PB", digits=5), warehouse=warehouse, created_by=user
    )
    totes = {pk: f"T{i}" for i, pk in enumerate(chosen, 1)}
    opened = pick_lists_open(order_ids=chosen, warehouse=warehouse, user=user, batch=batch, totes=totes)
    if not opened:
        raise ValidationError({"orders": _("Nothing is held for these orders in this warehouse.")})
    audit(
        "fulfilment.batch_create",
        actor=user,
        obj=batch,
        data={"orders": chosen, "warehouse": warehouse.pk},
    )
    return batch


def _chosen(warehouse, user, order_ids, count) -> list[int]:
    queue = batchable_orders(warehouse_id=warehouse.pk, user=user)
    if order_ids is not None and not order_ids:
        raise ValidationError({"orders": _("Tick the orders to pick together.")})
    if order_ids:
        ids = []
        for raw in order_ids:
            pk = as_id(raw)
            if pk is None:
                raise ValidationError({"orders": _("%(id)s is not an order.") % {"id": str(raw)[:20]}})
            ids.append(pk)
        if len(set(ids)) > MAX_ORDERS:
            raise ValidationError(
                {"orders": _("A batch pick holds at most %(n)s orders.") % {"n": MAX_ORDERS}}
            )
        found = list(queue.filter(pk__in=set(ids)).values_list("pk", "number"))
        missing = set(ids) - {pk for pk, _n in found}
        if missing:
            raise ValidationError(
                {
                    "orders": _(
                        "These orders cannot go into a batch pick here (not ready to pick in this "
                        "warehouse, or already in a batch): %(ids)s"
                    )
                    % {"ids": ", ".join(str(pk) for pk in sorted(missing))}
                }
            )
        return [pk for pk, _n in found]
    if count is None or str(count).strip() == "":
        raise ValidationError({"count": _("Choose orders, or say how many of the next ones to pick.")})
    number = decimal_input(count, field="count")
    if number != number.to_integral_value() or not 1 <= number <= MAX_ORDERS:
        raise ValidationError({"count": _("Give a whole number from 1 to %(n)s.") % {"n": MAX_ORDERS}})
    chosen = list(queue.values_list("pk", flat=True)[: int(number)])
    if not chosen:
        raise ValidationError({"count": _("Nothing to pick in this warehouse.")})
    return chosen


def _locked_shipments(batch: PickBatch) -> list[Shipment]:
    shipments = list(
        Shipment.objects.select_for_update(of=("self",))
        .filter(batch=batch, state=Shipment.State.PICKING)
        .select_related("order", "warehouse")
        .order_by("pk")
    )
    return sorted(shipments, key=lambda s: tote_rank(s.tote))


@atomic_with_retry
def pick_batch_scan(*, batch: PickBatch, code: str, quantity=None, user=None) -> ScanResult:
    """A scan of the batch's walk (``scanning``): the answer says the tote."""
    locked = PickBatch.objects.select_for_update().filter(pk=batch.pk).first()
    if locked is None or locked.state != PickBatch.State.PICKING:
        raise ValidationError({"code": _("This batch pick is closed.")})
    shipments = _locked_shipments(locked)
    if not shipments:
        raise ValidationError({"code": _("Every tote of this batch has shipped.")})
    return scan_apply(shipments=shipments, code=code, quantity=quantity)


@atomic_with_retry
def pick_batch_ship(*, batch: PickBatch, carrier, tracking_numbers: dict, user=None) -> list[Shipment]:
    """Ship totes of the batch: ``tracking_numbers`` is shipment id → tracking number (each tote
    is a parcel of its own). All or nothing: a tote with nothing picked, of another batch or
    without its tracking number refuses the lot. The batch is done when no tote is left."""
    if not tracking_numbers:
        raise ValidationError({"tracking_numbers": _("Choose the totes to ship.")})
    wanted = {}
    for raw, tracking in tracking_numbers.items():
        pk = as_id(raw)
        if pk is None:
            raise ValidationError(
                {"tracking_numbers": _("%(id)s is not a tote of this batch.") % {"id": raw}}
            )
        wanted[pk] = (tracking or "").strip()
    totes = {
        s.pk: s
        for s in Shipment.objects.filter(batch=batch, pk__in=list(wanted))
        .annotate(picked=Exists(ShipmentLine.objects.filter(shipment=OuterRef("pk"), picked_quantity__gt=0)))
        .order_by("pk")
    }
    for pk, tracking in wanted.items():
        shipment = totes.get(pk)
        if shipment is None:
            raise ValidationError({"tracking_numbers": _("%(id)s is not a tote of this batch.") % {"id": pk}})
        if shipment.state != Shipment.State.PICKING:
            raise ValidationError(
                {"tracking_numbers": _("Tote %(tote)s has already shipped.") % {"tote": shipment.tote}}
            )
        if not shipment.picked:
            raise ValidationError(
                {
                    "tracking_numbers": _("Nothing has been picked into tote %(tote)s yet.")
                    % {"tote": shipment.tote}
                }
            )
        if not tracking:
            raise ValidationError(
                {
                    "tracking_numbers": _("Enter the tracking number of tote %(tote)s.")
                    % {"tote": shipment.tote}
                }
            )
    shipped = []
    # Orders locked one after the other in primary-key order (as every order lock is taken).
    for shipment in sorted(totes.values(), key=lambda s: s.order_id):
        shipped.append(
            shipping.shipment_ship(
                shipment=shipment, carrier=carrier, tracking_number=wanted[shipment.pk], user=user
            )
        )
    # The last tote shipped closes the batch (``picking.batch_settle``, called by shipping).
    return shipped


@atomic_with_retry
def pick_batch_finish(*, batch: PickBatch, user=None) -> PickBatch:
    """End a batch pick: totes not shipped go back to the queue as ordinary open pick lists
    (what was picked of them stays picked)."""
    locked = PickBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.state != PickBatch.State.PICKING:
        raise ValidationError({"batch": _("This batch pick is closed.")})
    Shipment.objects.filter(batch=locked, state=Shipment.State.PICKING).update(batch=None, tote="")
    PickBatch.objects.filter(pk=locked.pk).update(state=PickBatch.State.DONE)
    audit("fulfilment.batch_finish", actor=user, obj=locked, data={})
    locked.refresh_from_db()
    return locked
