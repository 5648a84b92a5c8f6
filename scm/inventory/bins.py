"""What the bins of a warehouse hold (``LocationStock``), moved in step with the ledger.

The warehouse's level (``StockLevel``) holds the whole warehouse and its reservations; its bins
hold part or all of it, and the rest is in the implicit location (not put away). Every move that
names a bin changes that bin here in the same transaction. Locks are taken in one order: the
level row first, then bin rows in primary-key order, so two services never wait on each other
crosswise. Quantities move with conditional UPDATEs, never read and written back.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Least
from django.utils.translation import gettext as _

from scm.inventory.ledger import write_move
from scm.inventory.models import Location, LocationStock, StockLevel, StockMove, Warehouse

ZERO = Decimal("0")


def has_locations(warehouse_id: int) -> bool:
    """Whether the warehouse keeps stock in bins (any location, active or not, holds history)."""
    return Location.objects.filter(warehouse_id=warehouse_id).exists()


def check_location(location: Location, warehouse: Warehouse | int, field: str = "location") -> None:
    """A location used for stock must be an active bin of that warehouse."""
    warehouse_id = warehouse if isinstance(warehouse, int) else warehouse.pk
    if location.warehouse_id != warehouse_id:
        raise ValidationError(
            {
                field: _("Location %(code)s belongs to another warehouse (%(warehouse)s).")
                % {"code": location.code, "warehouse": location.warehouse}
            }
        )
    if not location.is_active:
        raise ValidationError({field: _("Location %(code)s is no longer used.") % {"code": location.code}})


def _row_key(location_id: int, product_id: int, lot_id: int | None) -> dict:
    return {"location_id": location_id, "product_id": product_id, "lot_id": lot_id}


def bin_add(*, location_id: int, product_id: int, lot_id: int | None, base: Decimal) -> None:
    """on_hand += base in the bin (its row created if needed; two creators: one wins)."""
    key = _row_key(location_id, product_id, lot_id)
    if LocationStock.objects.filter(**key).update(on_hand=F("on_hand") + base):
        return
    try:
        with transaction.atomic():
            LocationStock.objects.create(on_hand=base, **key)
    except IntegrityError:
        LocationStock.objects.filter(**key).update(on_hand=F("on_hand") + base)


def bin_remove(
    *, location: Location, product_id: int, lot_id: int | None, base: Decimal, field: str = "quantity"
) -> None:
    """on_hand -= base in the bin, only if it holds that much: one conditional UPDATE (what was
    reported not found there never exceeds what is left)."""
    key = _row_key(location.pk, product_id, lot_id)
    left = F("on_hand") - base
    if LocationStock.objects.filter(**key, on_hand__gte=base).update(
        on_hand=left, missing=Least(F("missing"), left)
    ):
        return
    held = LocationStock.objects.filter(**key).values_list("on_hand", flat=True).first() or ZERO
    raise ValidationError(
        {
            field: _("Location %(code)s holds only %(held)s of this.")
            % {"code": location.code, "held": format(held.normalize(), "f")}
        }
    )


def bin_missing(*, location_id: int, product_id: int, lot_id: int | None, base: Decimal) -> None:
    """A picker did not find ``base`` units in the bin: pick lists leave them out until the bin is
    counted (``bin_counted``). The books keep them: the goods may only be misplaced. One UPDATE,
    never more than the bin holds."""
    LocationStock.objects.filter(**_row_key(location_id, product_id, lot_id)).update(
        missing=Least(F("on_hand"), F("missing") + base)
    )


def bin_counted(keys) -> None:
    """The bins were counted: what was reported not found there is forgotten (the count has put
    the books right). ``keys``: (location id, product id, lot id). Two queries."""
    keys = set(keys)
    if not keys:
        return
    flagged = LocationStock.objects.filter(
        missing__gt=0, location_id__in={location_id for location_id, _p, _l in keys}
    ).values_list("pk", "location_id", "product_id", "lot_id")
    ids = [pk for pk, *key in flagged if tuple(key) in keys]
    if ids:
        LocationStock.objects.filter(pk__in=ids).update(missing=0)


def bins_total(*, product_id: int, warehouse_id: int, lot_id: int | None) -> Decimal:
    return (
        LocationStock.objects.filter(
            location__warehouse_id=warehouse_id, product_id=product_id, lot_id=lot_id
        ).aggregate(t=Sum("on_hand"))["t"]
        or ZERO
    )


def draw_to_implicit(
    *, product_id: int, warehouse_id: int, lot_id: int | None, base: Decimal, reference: str = "", user=None
) -> None:
    """Make sure ``base`` units are in the warehouse's implicit location before stock leaves
    without naming a bin (a transfer, an adjustment, a scrap, a pick that scanned no bin): what
    the implicit location lacks is moved out of the bins in pick-sequence order (relocation
    moves). Nothing to do in a warehouse without bins. The level row is locked first."""
    if not has_locations(warehouse_id):
        return
    level = (
        StockLevel.objects.select_for_update()
        .filter(product_id=product_id, warehouse_id=warehouse_id, lot_id=lot_id)
        .values_list("on_hand", flat=True)
        .first()
    )
    if level is None:
        return
    rows = list(
        LocationStock.objects.select_for_update(of=("self",))
        .filter(location__warehouse_id=warehouse_id, product_id=product_id, lot_id=lot_id, on_hand__gt=0)
        .select_related("location")
        .order_by("pk")
    )
    implicit = level - sum((row.on_hand for row in rows), ZERO)
    need = base - implicit
    if need <= 0:
        return
    # In walk order, what pickers may be sent for first; what was reported not found last.
    walk = sorted(rows, key=lambda r: (r.location.sequence, r.location.code))
    takes = [(row, row.pickable) for row in walk] + [(row, row.missing) for row in walk]
    for row, there in takes:
        if need <= 0:
            break
        take = min(need, there)
        if take <= 0:
            continue
        relocate(
            product_id=product_id,
            warehouse_id=warehouse_id,
            lot_id=lot_id,
            base=take,
            from_location=row.location,
            to_location=None,
            reference=reference,
            user=user,
        )
        need -= take


def relocate(
    *,
    product_id: int,
    warehouse_id: int,
    lot_id: int | None,
    base: Decimal,
    from_location: Location | None,
    to_location: Location | None,
    reference: str = "",
    user=None,
    field: str = "quantity",
) -> tuple[StockMove, StockMove]:
    """A pair of relocation moves (out of ``from_location``, into ``to_location``; None: the
    implicit location), netting to zero for the warehouse, with the bins moved to match. The
    caller checked that the implicit location holds ``base`` when it is the source."""
    if from_location is not None:
        bin_remove(location=from_location, product_id=product_id, lot_id=lot_id, base=base, field=field)
    if to_location is not None:
        bin_add(location_id=to_location.pk, product_id=product_id, lot_id=lot_id, base=base)
    common = {
        "kind": StockMove.Kind.RELOCATION,
        "product_id": product_id,
        "warehouse_id": warehouse_id,
        "lot_id": lot_id,
        "reference": reference,
        "user": user,
    }
    out = write_move(quantity=-base, location_id=from_location.pk if from_location else None, **common)
    into = write_move(quantity=base, location_id=to_location.pk if to_location else None, **common)
    return out, into
