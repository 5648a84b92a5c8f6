"""Lots on hold: a quality problem stops a lot (``Lot.held_at``). A held lot is never reserved
(``holding.candidate_levels_for`` leaves it out, which every reservation path reads) and never
shipped (fulfilment refuses to pick or ship it); what was already reserved of it is released by
the ``lot.held`` rule of the modules that reserved it (``lot_reservations_release``).

Holding and releasing are a manager's decisions, audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.events import names
from core.events.services import publish
from scm.inventory import holding
from scm.inventory.models import Lot, Reservation, StockLevel

ZERO = Decimal("0")


def _locked(lot: Lot | int) -> Lot:
    pk = lot.pk if isinstance(lot, Lot) else lot
    return Lot.objects.select_for_update(of=("self",)).select_related("product").get(pk=pk)


def lot_hold(*, lot: Lot | int, reason: str, user=None) -> Lot:
    """Put ``lot`` on hold for ``reason`` (required): never reserved or shipped until released.
    Publishes ``lot.held`` (what is reserved of it is released and the orders reserved again
    elsewhere). A lot already on hold is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lot is put on hold.")})
    if len(reason) > Lot._meta.get_field("held_reason").max_length:
        raise ValidationError({"reason": _("The reason is too long.")})
    with transaction.atomic():
        lot = _locked(lot)
        if lot.held_at is not None:
            raise ValidationError({"lot": _("Lot %(lot)s is already on hold.") % {"lot": lot.number}})
        lot.held_at, lot.held_reason, lot.held_by = timezone.now(), reason, user
        lot.save(update_fields=["held_at", "held_reason", "held_by"])
        audit("stock.lot_hold", actor=user, obj=lot, data={"reason": reason})
        publish(names.LOT_HELD, {"lot_id": lot.pk, "product_id": lot.product_id})
    return lot


def lot_release(*, lot: Lot | int, user=None) -> Lot:
    """Take ``lot`` off hold: it may be reserved and shipped again (``stock.available`` is
    announced for the warehouses that have it, so waiting orders are served)."""
    from scm.inventory.services import stock_available_publish

    with transaction.atomic():
        lot = _locked(lot)
        if lot.held_at is None:
            raise ValidationError({"lot": _("Lot %(lot)s is not on hold.") % {"lot": lot.number}})
        audit("stock.lot_release", actor=user, obj=lot, data={"reason": lot.held_reason})
        lot.held_at, lot.held_reason, lot.held_by = None, "", None
        lot.save(update_fields=["held_at", "held_reason", "held_by"])
        warehouses = (
            StockLevel.objects.filter(lot=lot, on_hand__gt=F("reserved"))
            .values_list("warehouse_id", flat=True)
            .distinct()
        )
        for warehouse_id in sorted(set(warehouses)):
            stock_available_publish(
                product_ids={lot.product_id},
                warehouse_id=warehouse_id,
                reason="release",
                reference=lot.number,
            )
    return lot


def lot_reservations_release(*, lot_id: int, demand_prefix: str, user=None) -> dict[str, Decimal]:
    """Release everything the demands starting with ``demand_prefix`` (``sales.orderline:``)
    hold of one lot: the ``lot.held`` rule of the module that owns those demands. Returns what
    each demand released. Locks the reservations in primary-key order; joins the caller's
    transaction. Nothing is announced as available: the lot is held."""
    rows = list(
        Reservation.objects.select_for_update()
        .filter(lot_id=lot_id, demand__startswith=demand_prefix, quantity__gt=0)
        .order_by("pk")
    )
    out: dict[str, Decimal] = {}
    by_warehouse: dict[int, Decimal] = {}
    for res in rows:
        by_warehouse[res.warehouse_id] = by_warehouse.get(res.warehouse_id, ZERO) + res.quantity
        out[res.demand] = out.get(res.demand, ZERO) + res.quantity
    if by_warehouse:
        # The levels in primary-key order, the one order every reservation path takes them in.
        levels = dict(
            StockLevel.objects.filter(lot_id=lot_id, warehouse_id__in=list(by_warehouse)).values_list(
                "pk", "warehouse_id"
            )
        )
        holding.lock_levels(sorted(levels))
        for level_id in sorted(levels):
            StockLevel.objects.filter(pk=level_id).update(
                reserved=F("reserved") - by_warehouse[levels[level_id]]
            )
    if rows:
        Reservation.objects.filter(pk__in=[r.pk for r in rows]).delete()
        audit(
            "stock.lot_hold_release_reservations",
            actor=user,
            data={"lot_id": lot_id, "released": {d: str(q) for d, q in out.items()}},
        )
    return out


def held_lots():
    """The lots on hold, the latest first."""
    return (
        Lot.objects.filter(held_at__isnull=False)
        .select_related("product", "held_by")
        .order_by("-held_at", "-pk")
    )
