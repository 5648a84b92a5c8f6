"""Short picks: the picker did not find (all of) a line's goods where the pick list sent them.

What is missing is recorded (``ShortPick``) and resolved, in this order:
1. another bin of the same warehouse holding the same product and lot (less what open pick
   lists already send pickers to take there), or stock not yet put away: a new pick line from
   there; the reservation stays as it is;
2. else the reservation for that quantity is released in this warehouse, and the missing goods
   are written off where they were not found (an adjustment, so that the warehouse does not go
   on promising them: the reservation and backorder rules would otherwise hold them again at
   once); then reserved in the other warehouses, nearest the customer first
   (``scm.inventory.reservations.stock_reserve``), put on the order's open pick list there if
   it has one;
3. what no warehouse has becomes the line's backorder, with a ``stock.shortage`` and the rep
   told, as the reservation rule does (``reservations._short``).
Goods taken from another bin stay on the short bin's books, marked not found there
(``LocationStock.missing``): no pick list sends a picker for them until the bin is counted, and
the managers are told which bin to count.

Locks, as for shipping: the order row, the shipment row, then inventory's rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.db import atomic_with_retry
from core.events.services import notify, notify_many
from core.i18n import message
from core.money import MAX_QUANTITY, decimal_input
from crm.sales.models import SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from integration.fulfilment.models import Backorder, Shipment, ShipmentLine, ShortPick
from integration.fulfilment.picking import pick_line_add, pick_lists_add, planned_picks
from integration.fulfilment.reservations import _short
from integration.fulfilment.services import _lock_order, _managers, _order_url
from integration.fulfilment.walk import ZERO, unit_text
from scm.inventory import locations, reservations
from scm.inventory import services as stock
from scm.inventory.bins import bin_missing
from scm.inventory.models import LocationStock
from scm.inventory.selectors import warehouses_by_distance
from scm.inventory.services import plain_qty

R = ShortPick.Resolution


@dataclass
class ShortOutcome:
    """What became of a short pick: the records, and the picker's message."""

    records: list[ShortPick] = field(default_factory=list)
    message: str = ""

    def quantity(self, resolution: str) -> Decimal:
        return sum((r.quantity for r in self.records if r.resolution == resolution), ZERO)


@atomic_with_retry
def short_pick_record(*, shipment_line: ShipmentLine, quantity=None, user=None) -> ShortOutcome:
    """The picker reports ``quantity`` base units of a pick line (None: all it still lacks) not
    found where the line sends them; resolved as the module says. Nothing is written when the
    input is refused."""
    order = _lock_order(shipment_line.shipment.order_id)
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=shipment_line.shipment_id)
    )
    if shipment.state != Shipment.State.PICKING:
        raise ValidationError({"shipment_line": _("This pick list is closed.")})
    line = (
        ShipmentLine.objects.select_for_update(of=("self",))
        .select_related("product", "lot", "location", "order_line__unit", "order_line__product")
        .get(pk=shipment_line.pk)
    )
    qty = _quantity(line, quantity)
    ShipmentLine.objects.filter(pk=line.pk).update(quantity=F("quantity") - qty)
    outcome = ShortOutcome()
    rest = qty
    moved = _to_other_places(shipment, line, rest)
    if moved:
        outcome.records.append(_record(line, moved, R.OTHER_BIN, user))
        rest -= moved
    if rest > 0:
        got = _reserve_elsewhere(order, shipment, line, rest, user)
        if got:
            outcome.records.append(_record(line, got, R.RESERVED, user))
        if rest - got > 0:
            _backorder(order, line, user)
            outcome.records.append(_record(line, rest - got, R.BACKORDERED, user))
    if moved:
        # Taken from elsewhere, the goods not found stay on the books of the short bin (they may
        # only be misplaced) but no pick list sends a picker for them until it is counted.
        bin_missing(location_id=line.location_id, product_id=line.product_id, lot_id=line.lot_id, base=moved)
    ShortPick.objects.bulk_create(outcome.records)
    order_states.order_refresh_state(order_id=order.pk, user=user)
    outcome.message = _message(line, qty, outcome)
    _tell(order, shipment, line, qty, user)
    audit(
        "fulfilment.short_pick",
        actor=user,
        obj=shipment,
        data={
            "line": line.pk,
            "location": line.location.code if line.location else "",
            "quantity": str(qty),
            **{r.resolution: str(r.quantity) for r in outcome.records},
        },
    )
    return outcome


def _quantity(line: ShipmentLine, raw) -> Decimal:
    left = line.quantity - line.picked_quantity
    if left <= 0:
        raise ValidationError({"quantity": _("Everything on this line has been picked.")})
    if raw is None or str(raw).strip() == "":
        return left
    qty = decimal_input(raw, field="quantity")
    if qty <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    if qty > left:
        raise ValidationError(
            {
                "quantity": _("Only %(left)s of this line is left to pick.")
                % {"left": unit_text(left, unit=line.order_line.unit, base_unit=line.product.base_unit)}
            }
        )
    return qty


def _record(line, quantity, resolution, user) -> ShortPick:
    return ShortPick(
        shipment_line=line, location=line.location, quantity=quantity, resolution=resolution, user=user
    )


def _to_other_places(shipment: Shipment, line: ShipmentLine, qty: Decimal) -> Decimal:
    """New pick lines from the warehouse's other bins holding the line's product and lot, and
    from stock not put away: what open pick lists do not already take. Only when a bin was
    short (a line of the implicit location has nowhere else to look). Returns the quantity."""
    if line.location_id is None:
        return ZERO
    key = (line.product_id, line.lot_id)
    planned = planned_picks(warehouse_id=shipment.warehouse_id, keys=[key]).get(key, {})
    planned[line.location_id] = MAX_QUANTITY  # the bin that was short gives nothing
    sources = locations.pick_sources(
        warehouse_id=shipment.warehouse_id,
        product_id=line.product_id,
        lot_id=line.lot_id,
        quantity=qty,
        planned=planned,
    )
    places = [(location, q) for location, q in sources if location is not None]
    loose = sum((q for location, q in sources if location is None), ZERO)
    if loose:
        free = locations.implicit_quantity(
            product_id=line.product_id, warehouse_id=shipment.warehouse_id, lot_id=line.lot_id
        ) - _planned_loose(shipment.warehouse_id, line)
        if min(loose, free) > 0:
            places.append((None, min(loose, free)))
    for location, q in places:
        pick_line_add(
            shipment_id=shipment.pk,
            order_line=line.order_line,
            lot_id=line.lot_id,
            location=location,
            quantity=q,
        )
    return sum((q for _loc, q in places), ZERO)


def _planned_loose(warehouse_id: int, line: ShipmentLine) -> Decimal:
    """What open pick lists already send pickers to take from stock not put away."""
    return (
        ShipmentLine.objects.filter(
            shipment__warehouse_id=warehouse_id,
            shipment__state=Shipment.State.PICKING,
            product_id=line.product_id,
            lot_id=line.lot_id,
            location__isnull=True,
        ).aggregate(q=Sum(F("quantity") - F("picked_quantity")))["q"]
        or ZERO
    )


def _reserve_elsewhere(order, shipment: Shipment, line: ShipmentLine, qty: Decimal, user) -> Decimal:
    """Release ``qty`` here, write it off where it was not found, and reserve it in the other
    warehouses, nearest the customer first. Returns what was reserved."""
    order_line = line.order_line
    released = reservations.stock_release(
        demand=order_line.demand, quantity=qty, warehouse=shipment.warehouse, lot=line.lot, user=user
    )
    if released != qty:
        raise ValidationError(
            {"quantity": _("This line no longer holds that much here: reload the pick list.")}
        )
    order_services.order_line_progress(line_id=order_line.pk, reserved=-qty)
    _write_off(shipment, line, qty, user)
    product = line.product
    if not product.is_active or product.is_template:
        return ZERO
    others = [
        pk
        for pk in warehouses_by_distance(latitude=order.customer.latitude, longitude=order.customer.longitude)
        if pk != shipment.warehouse_id
    ]
    if not others:
        return ZERO
    allocations = reservations.stock_reserve(
        product=product, quantity=qty, demand=order_line.demand, warehouse_ids=others, partial=True, user=user
    )
    got = sum((a.quantity for a in allocations), ZERO)
    if got:
        order_services.order_line_progress(line_id=order_line.pk, reserved=got)
        pick_lists_add(lines={order_line.demand: order_line}, allocations={order_line.demand: allocations})
    return got


def _write_off(shipment: Shipment, line: ShipmentLine, qty: Decimal, user) -> None:
    """The goods not found leave the books where they were looked for (a count or an adjustment
    puts them back if they turn up): at most what the place is believed to hold."""
    if line.location_id is not None:
        held = (
            LocationStock.objects.filter(location_id=line.location_id, product_id=line.product_id)
            .filter(Q(lot_id=line.lot_id) if line.lot_id else Q(lot__isnull=True))
            .values_list("on_hand", flat=True)
            .first()
        ) or ZERO
    else:
        held = locations.implicit_quantity(
            product_id=line.product_id, warehouse_id=shipment.warehouse_id, lot_id=line.lot_id
        )
    amount = min(qty, held)
    if amount <= 0:
        return
    stock.stock_adjust(
        product=line.product,
        warehouse=shipment.warehouse,
        quantity=-amount,
        reason=_("Not found when picking %(number)s") % {"number": shipment.number},
        lot=line.lot,
        reference=shipment.number,
        user=user,
        location=line.location,
    )


def _backorder(order, line: ShipmentLine, user) -> None:
    """The line lacks what no warehouse had: its backorder and a shortage, as the reservation
    rule records them; the rep is told."""
    order_line = SalesOrderLine.objects.select_related("product").get(pk=line.order_line_id)
    order_line.backordered = Backorder.objects.filter(line=order_line).exists()
    short = order_line.base_quantity - order_line.reserved_quantity - order_line.shipped_quantity
    _short(order_line, max(short, ZERO))
    text = gettext_noop("%(product)s not found when picking: %(short)s on backorder.")
    params = {"product": line.product.name, "short": plain_qty(max(short, ZERO))}
    notify_many(
        [
            {
                "users": [order.owner_id],
                "title": gettext_noop("Order %(number)s: %(text)s"),
                "params": {"number": order.number, "text": message(text, params)},
                "url": _order_url(order),
                "kind": "reservation",
            }
        ]
    )


def _tell(order, shipment: Shipment, line: ShipmentLine, qty: Decimal, user) -> None:
    """The order's timeline, and the managers: the bin (or the stock not put away) to count."""
    where = line.location.code if line.location else _("not put away")
    params = {
        "number": shipment.number,
        "quantity": plain_qty(qty),
        "product": line.product.name,
        "bin": str(where),
        "warehouse": str(shipment.warehouse),
    }
    order_services.order_add_event(
        order=order,
        kind="short_pick",
        text=gettext_noop("%(quantity)s of %(product)s not found in %(bin)s when picking %(number)s"),
        params=params,
        user=user,
    )
    notify(
        users=list(_managers()),
        title=gettext_noop(
            "Count %(bin)s in %(warehouse)s: %(quantity)s of %(product)s not found when picking"
        ),
        params=params,
        url="",
        kind="short_pick",
    )


def _message(line: ShipmentLine, qty: Decimal, outcome: ShortOutcome) -> str:
    unit, base = line.order_line.unit, line.product.base_unit
    parts = []
    if outcome.quantity(R.OTHER_BIN):
        parts.append(
            _("%(q)s to pick from another place (see the list)")
            % {"q": unit_text(outcome.quantity(R.OTHER_BIN), unit=unit, base_unit=base)}
        )
    if outcome.quantity(R.RESERVED):
        parts.append(
            _("%(q)s reserved in another warehouse")
            % {"q": unit_text(outcome.quantity(R.RESERVED), unit=unit, base_unit=base)}
        )
    if outcome.quantity(R.BACKORDERED):
        parts.append(
            _("%(q)s on backorder")
            % {"q": unit_text(outcome.quantity(R.BACKORDERED), unit=unit, base_unit=base)}
        )
    return _("%(product)s: %(q)s not found. %(outcome)s.") % {
        "product": line.product.name,
        "q": unit_text(qty, unit=unit, base_unit=base),
        "outcome": "; ".join(parts),
    }
