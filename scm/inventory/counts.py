"""Cycle counts without closing the warehouse.

A session snapshots what the ledger says at the start (``start_move_id`` and each line's on-hand)
for display. Each scan records the ledger position at which the item was counted; at submission
the expected quantity of a line is the ledger sum up to that position, so shipments and receipts
that happen while people count are not mistaken for variances. Posting (after approval) writes
one adjustment per line with a variance, applied to the current on-hand: the result equals what
was counted plus what moved since.

States: counting → submitted → approved → posted (or cancelled before posting).

In a warehouse with bins a count runs by location: a line per bin, product and lot (and one per
product and lot for what is not put away, when the whole warehouse is counted), the counter
scans the bin and then what is in it, a line's expected quantity is the ledger sum of the moves
naming that bin, and posting adjusts the bin. A count may cover one zone (``zone``). A warehouse
without bins counts as before: lines without a location.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.numbers import document_number
from scm.inventory import bins, services
from scm.inventory.models import (
    Category,
    CountLine,
    CountSession,
    Location,
    LocationStock,
    Lot,
    Product,
    ProductUnit,
    StockLevel,
    StockMove,
)
from scm.inventory.putaway import in_bins_expression

ZERO = Decimal(0)

TRANSITIONS = {
    CountSession.State.COUNTING: {CountSession.State.SUBMITTED, CountSession.State.CANCELLED},
    CountSession.State.SUBMITTED: {
        CountSession.State.APPROVED,
        CountSession.State.COUNTING,
        CountSession.State.CANCELLED,
    },
    CountSession.State.APPROVED: {CountSession.State.POSTED, CountSession.State.CANCELLED},
}


def _move(session: CountSession, new: str, **fields) -> None:
    old = session.state
    if new not in TRANSITIONS.get(old, set()):
        raise ValidationError(
            {
                "state": _("A count in state “%(state)s” cannot do this.")
                % {"state": session.get_state_display()}
            }
        )
    if not CountSession.objects.filter(pk=session.pk, state=old).update(state=new, **fields):
        raise ValidationError({"state": _("The count was changed by someone else. Reload it.")})
    session.state = new
    for key, value in fields.items():
        setattr(session, key, value)


def _last_move_id() -> int:
    return StockMove.objects.aggregate(m=Max("pk"))["m"] or 0


def category_ids(category: Category) -> list[int]:
    """The category and all below it."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def _in_scope(session: CountSession, product: Product) -> bool:
    if session.category_id is None:
        return True
    return product.category_id in category_ids(session.category)


def _zone_input(warehouse, zone) -> str:
    """The zone of ``warehouse`` a count covers, as its bins spell it ("" : every bin)."""
    if zone is None:
        return ""
    if not isinstance(zone, str) or "\x00" in zone:
        raise ValidationError({"zone": _("Enter text.")})
    zone = zone.strip()
    if not zone:
        return ""
    found = (
        Location.objects.filter(warehouse=warehouse, zone__iexact=zone[:20])
        .values_list("zone", flat=True)
        .first()
    )
    if found is None:
        raise ValidationError({"zone": _("This warehouse has no zone “%(zone)s”.") % {"zone": zone[:20]}})
    return found


def _bin_lines(session: CountSession, category: Category | None) -> list[CountLine]:
    """A line per bin, product and lot holding something (the session's zone only), and unless
    a zone is counted, a line per product and lot for what is not put away."""
    rows = (
        LocationStock.objects.filter(location__warehouse_id=session.warehouse_id, on_hand__gt=0)
        .select_related("product")
        .order_by("pk")
    )
    if session.zone:
        rows = rows.filter(location__zone=session.zone)
    if category is not None:
        rows = rows.filter(product__category_id__in=category_ids(category))
    lines = [
        CountLine(
            session=session,
            product_id=row.product_id,
            lot_id=row.lot_id,
            location_id=row.location_id,
            snapshot_on_hand=row.on_hand,
            unit_cost=row.product.cost,
        )
        for row in rows
    ]
    if session.zone:
        return lines
    levels = (
        StockLevel.objects.filter(warehouse_id=session.warehouse_id)
        .exclude(on_hand=0)
        .select_related("product")
        .annotate(in_bins=in_bins_expression())
        .order_by("pk")
    )
    if category is not None:
        levels = levels.filter(product__category_id__in=category_ids(category))
    for lv in levels:
        if lv.on_hand - lv.in_bins != 0:
            lines.append(
                CountLine(
                    session=session,
                    product_id=lv.product_id,
                    lot_id=lv.lot_id,
                    snapshot_on_hand=lv.on_hand - lv.in_bins,
                    unit_cost=lv.product.cost,
                )
            )
    return lines


@atomic_with_retry
def count_start(*, warehouse, category: Category | None = None, zone: str = "", user=None) -> CountSession:
    """Open a count: one line per product and lot the ledger says is there (per bin in a
    warehouse with bins; ``zone``: the bins of that zone only)."""
    services._check_warehouse(warehouse)
    zone = _zone_input(warehouse, zone)
    session = CountSession.objects.create(
        number=document_number(prefix="CC"),
        warehouse=warehouse,
        category=category,
        zone=zone,
        created_by=user,
        start_move_id=_last_move_id(),
    )
    if bins.has_locations(warehouse.pk):
        CountLine.objects.bulk_create(_bin_lines(session, category))
    else:
        levels = StockLevel.objects.filter(warehouse=warehouse).exclude(on_hand=0).select_related("product")
        if category is not None:
            levels = levels.filter(product__category_id__in=category_ids(category))
        CountLine.objects.bulk_create(
            CountLine(
                session=session,
                product_id=lv.product_id,
                lot_id=lv.lot_id,
                snapshot_on_hand=lv.on_hand,
                unit_cost=lv.product.cost,
            )
            for lv in levels
        )
    audit(
        "inventory.count_started",
        actor=user,
        obj=session,
        data={"warehouse": warehouse.code, **({"zone": zone} if zone else {})},
    )
    return session


def _check_count_location(session: CountSession, location: Location | None) -> None:
    """A bin counted must be one of the count's warehouse (and zone); a zone's count names one."""
    if location is not None:
        bins.check_location(location, session.warehouse_id, field="location")
        if session.zone and location.zone != session.zone:
            raise ValidationError(
                {
                    "location": _("Location %(code)s is not in zone %(zone)s, which this count covers.")
                    % {"code": location.code, "zone": session.zone}
                }
            )
    elif session.zone:
        raise ValidationError({"location": _("Scan the bin first: this count covers one zone.")})


@atomic_with_retry
def count_record(
    *,
    session: CountSession,
    product: Product,
    quantity,
    unit: ProductUnit | None = None,
    lot: Lot | None = None,
    replace: bool = False,
    user=None,
    location: Location | None = None,
) -> CountLine:
    """Record what was found: add ``quantity`` (a scan) or, with ``replace``, set it, in the
    bin ``location`` (none: what is not put away, or a warehouse without bins). Stock found
    that the ledger did not know gets a new line."""
    if session.state != CountSession.State.COUNTING:
        raise ValidationError({"state": _("This count is not open for counting.")})
    _check_count_location(session, location)
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product holds no stock.")})
    if not _in_scope(session, product):
        raise ValidationError({"product": _("This product is not part of this count.")})
    if replace and Decimal(str(quantity)) == 0:
        base = ZERO
    else:
        base = services.to_base_quantity(product=product, quantity=quantity, unit=unit)
    if product.tracking != Product.Tracking.NONE and lot is None:
        raise ValidationError({"lot": _("Scan the lot or serial number.")})
    if product.tracking == Product.Tracking.NONE:
        lot = None
    elif lot.product_id != product.pk:
        raise ValidationError({"lot": _("This lot belongs to another product.")})
    line = (
        CountLine.objects.select_for_update()
        .filter(session=session, product=product, lot=lot, location=location)
        .order_by("pk")
        .first()
    )
    if line is None:
        line = CountLine.objects.create(
            session=session, product=product, lot=lot, location=location, unit_cost=product.cost
        )
    line.counted = base if replace or line.counted is None else line.counted + base
    if product.tracking == Product.Tracking.SERIAL and line.counted > 1:
        raise ValidationError({"lot": _("This serial number was already counted.")})
    line.counted_move_id = _last_move_id()
    line.counted_at = timezone.now()
    line.save(update_fields=["counted", "counted_move_id", "counted_at"])
    return line


def _expected(session: CountSession, line: CountLine) -> Decimal:
    """The ledger sum of the line's product and lot up to where it was counted: of the moves
    naming its bin, or naming none (the implicit location; in a warehouse without bins, every
    move)."""
    return StockMove.objects.filter(
        warehouse_id=session.warehouse_id,
        product_id=line.product_id,
        lot_id=line.lot_id,
        location_id=line.location_id,
        pk__lte=line.counted_move_id,
    ).aggregate(s=Coalesce(Sum("quantity"), ZERO))["s"]


@atomic_with_retry
def count_submit(*, session: CountSession, user=None) -> CountSession:
    """Close counting: lines nobody found count as zero; expected quantities are fixed."""
    watermark = _last_move_id()
    CountLine.objects.filter(session=session, counted__isnull=True).update(
        counted=0, counted_move_id=watermark
    )
    for line in CountLine.objects.filter(session=session):
        line.expected = _expected(session, line)
        line.save(update_fields=["expected"])
    _move(session, CountSession.State.SUBMITTED, submitted_at=timezone.now())
    audit("inventory.count_submitted", actor=user, obj=session)
    return session


@atomic_with_retry
def count_reopen(*, session: CountSession, user=None) -> CountSession:
    _move(session, CountSession.State.COUNTING)
    return session


@atomic_with_retry
def count_approve(*, session: CountSession, user=None) -> CountSession:
    _move(session, CountSession.State.APPROVED, approved_by=user, approved_at=timezone.now())
    audit("inventory.count_approved", actor=user, obj=session)
    return session


@atomic_with_retry
def count_cancel(*, session: CountSession, user=None) -> CountSession:
    _move(session, CountSession.State.CANCELLED)
    audit("inventory.count_cancelled", actor=user, obj=session)
    return session


@atomic_with_retry
def count_post(*, session: CountSession, user=None) -> CountSession:
    """Write an adjustment per line with a variance; all or nothing."""
    _move(session, CountSession.State.POSTED, posted_at=timezone.now())
    lines = (
        CountLine.objects.filter(session=session)
        .exclude(Q(counted__isnull=True) | Q(expected__isnull=True))
        .select_related("product", "lot", "location")
        .order_by("pk")
    )
    reason = _("Stock count %(number)s") % {"number": session.number}
    found = []
    for line in lines:
        variance = line.counted - line.expected
        if variance == 0:
            continue
        if variance > 0:
            found.append(line.product_id)
        try:
            services._adjust(
                product=line.product,
                warehouse=session.warehouse,
                quantity=variance,
                lot=line.lot,
                reason=reason,
                reference=session.number,
                user=user,
                location=line.location,
            )
        except ValidationError as exc:
            where = f"{line.location.code} " if line.location else ""
            raise ValidationError({"lines": f"{where}{line.product.sku}: {' '.join(exc.messages)}"}) from exc
    # The bins counted hold what was found: what pickers had not found there is settled.
    bins.bin_counted((line.location_id, line.product_id, line.lot_id) for line in lines if line.location_id)
    if found:
        # One announcement for the whole count, whatever the number of lines that found more.
        services.stock_available_publish(
            product_ids=found, warehouse_id=session.warehouse_id, reason="count", reference=session.number
        )
    audit("inventory.count_posted", actor=user, obj=session)
    return session
