"""Parts on tickets: added by an engineer, reserved from the warehouse nearest the customer that
has them, used when the visit is done (lots and serials recorded), free under warranty.

Where a part is taken from is the orders' allocation (``warehouses_by_distance`` from the
customer, inventory's ``stock_reserve``, lots first-expiry-first-out), with one preference: one
warehouse that holds the whole quantity, the nearest such, rather than a split; only when no
warehouse holds it all is it split over the warehouses nearest first. Stock moves only through
``scm.inventory.reservations`` (reserve, release, consume); the demand is ``ticket-part:<id>``.

Parts that are charged are invoiced by the module above that knows finance: it handles
``ticket.parts_used`` and records the invoice with ``ticket_parts_invoiced``. It may also
register how an invoice is linked from the ticket page (``register_invoice_links``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.db import atomic_with_retry
from core.events import names
from core.events.services import notify, publish
from crm.service.models import Ticket, TicketEvent, TicketPart
from crm.service.timeline import ticket_event_add
from crm.service.warranty import ticket_warranty
from scm.inventory import holds, reservations
from scm.inventory.models import Lot, Reservation
from scm.inventory.selectors import available_to_promise, warehouses_by_distance
from scm.inventory.services import plain_qty, to_base_quantity

ZERO = Decimal(0)

# The timeline kinds this module writes.
PART_ADDED = "part_added"
PART_REMOVED = "part_removed"
PARTS_USED = "parts_used"
PARTS_INVOICED = "parts_invoiced"
PART_MOVED = "part_moved"
PART_SHORT = "part_short"

DEMAND_PREFIX = "ticket-part:"
# A part that still holds stock and may be taken off its ticket.
HOLDING_STATES = ("reserved", "short")


# --- what the module above registers ----------------------------------------------------------

# (invoice ids, user) -> {invoice id: {"number": str, "url": str or ""}}
_invoice_links: Callable | None = None


def register_invoice_links(func: Callable) -> None:
    global _invoice_links
    _invoice_links = func


def invoice_links(invoice_ids, user) -> dict[int, dict]:
    """Each invoice's number and the link this user may follow (empty when none), as the module
    that raises the invoices tells; nothing when none is registered."""
    ids = sorted({i for i in invoice_ids if i})
    if not ids or _invoice_links is None:
        return {}
    return _invoice_links(ids, user)


# --- helpers ------------------------------------------------------------------------------------


def _lock_ticket(ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)


def _check_part_product(product) -> None:
    if product is None:
        raise ValidationError({"product": _("Choose a part.")})
    if not product.is_active:
        raise ValidationError({"product": _("This product is inactive.")})
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product holds no stock.")})


def _visit_day(visit) -> date:
    if visit is not None and visit.done_at is not None:
        return timezone.localdate(visit.done_at)
    return timezone.localdate()


def _holdings(demands: list[str]) -> dict[str, list[Reservation]]:
    """What each demand holds, by demand (one query)."""
    out: dict[str, list[Reservation]] = {d: [] for d in demands}
    if not demands:
        return out
    rows = (
        Reservation.objects.filter(demand__in=demands, quantity__gt=0)
        .select_related("warehouse", "lot")
        .order_by("pk")
    )
    for res in rows:
        out[res.demand].append(res)
    return out


def _where(res) -> dict:
    return {
        "warehouse_id": res.warehouse_id,
        "warehouse": res.warehouse.name,
        "lot_id": res.lot_id,
        "lot": res.lot.number if res.lot_id else "",
        "quantity": plain_qty(res.quantity),
    }


# --- availability -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: int
    name: str
    available: Decimal
    rank: int  # 0: nearest the customer


def nearest_stock(*, customer, product) -> list[WarehouseStock]:
    """The active warehouses nearest ``customer`` first, with what each has free of ``product``
    (on hand − reserved, expired lots left out). Four queries."""
    order = warehouses_by_distance(latitude=customer.latitude, longitude=customer.longitude)
    rank = {pk: i for i, pk in enumerate(order)}
    rows = [r for r in available_to_promise(product_id=product.pk) if r["warehouse"].pk in rank]
    rows.sort(key=lambda r: rank[r["warehouse"].pk])
    return [
        WarehouseStock(
            r["warehouse"].pk, r["warehouse"].name, max(r["available"], ZERO), rank[r["warehouse"].pk]
        )
        for r in rows
    ]


def warehouse_for(stock: list[WarehouseStock], quantity: Decimal) -> WarehouseStock | None:
    """The nearest warehouse that holds the whole ``quantity``, or None (then it is split)."""
    return next((s for s in stock if s.available >= quantity), None)


# --- services -----------------------------------------------------------------------------------


@atomic_with_retry
def ticket_part_add(*, ticket, product, quantity, unit=None, user) -> TicketPart:
    """Add ``quantity`` (in ``unit``, base units by default) of ``product`` to an open ticket and
    reserve it: from the nearest warehouse to the customer that holds it all, else split over the
    warehouses nearest first. Serial-numbered parts reserve particular units. Free when the
    ticket's unit is under warranty today, else charged at the product's list price. Stock short
    everywhere: ``ValidationError`` on ``quantity`` saying how much there is, nothing written."""
    _check_part_product(product)
    base = to_base_quantity(product=product, quantity=quantity, unit=unit)
    locked = _lock_ticket(ticket)
    if not locked.is_open:
        raise ValidationError({"ticket": _("Parts can be added only to an open ticket.")})
    customer = locked.customer
    stock = nearest_stock(customer=customer, product=product)
    total = sum((s.available for s in stock), ZERO)
    if total < base:
        if total <= 0:
            msg = _("No warehouse has %(product)s in stock.") % {"product": product.name}
        else:
            msg = _("Only %(available)s %(unit)s of %(product)s are available in all warehouses.") % {
                "available": plain_qty(total),
                "unit": product.base_unit,
                "product": product.name,
            }
        raise ValidationError({"quantity": msg})
    warranty = ticket_warranty(locked)
    free = warranty.covers(timezone.localdate())
    part = TicketPart.objects.create(
        ticket=locked,
        product=product,
        quantity=base,
        under_warranty=free,
        unit_price=ZERO if free else product.list_price,
        added_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )
    allocations = None
    whole = warehouse_for(stock, base)
    if whole is not None:
        try:
            allocations = reservations.stock_reserve(
                product=product,
                quantity=base,
                demand=part.demand,
                warehouse_ids=[whole.warehouse_id],
                partial=False,
            )
        except ValidationError:
            allocations = None  # taken meanwhile: split over them all below
    if allocations is None:
        allocations = reservations.stock_reserve(
            product=product,
            quantity=base,
            demand=part.demand,
            warehouse_ids=[s.warehouse_id for s in stock],
            partial=False,
        )
    names_by_id = {s.warehouse_id: s.name for s in stock}
    ticket_event_add(
        ticket=locked,
        kind=PART_ADDED,
        actor=user,
        data={
            "part_id": part.pk,
            "product_id": product.pk,
            "product": product.name,
            "quantity": plain_qty(base),
            "under_warranty": free,
            "warranty_until": warranty.until.isoformat() if warranty.until else None,
            "unit_price": str(part.unit_price),
            "from": [
                {
                    "warehouse_id": a.warehouse_id,
                    "warehouse": names_by_id.get(a.warehouse_id, ""),
                    "lot_id": a.lot_id,
                    "quantity": plain_qty(a.quantity),
                }
                for a in allocations
            ],
        },
    )
    audit(
        "ticket.part_added",
        actor=user,
        obj=part,
        data={"ticket": locked.number, "product": product.sku, "quantity": plain_qty(base)},
    )
    return part


@atomic_with_retry
def ticket_part_remove(*, part, user) -> TicketPart:
    """Take a reserved part off its ticket: what it holds goes back to stock, the part is
    released. A used or released part, or a part of a closed ticket, is refused."""
    ticket = _lock_ticket(part.ticket)
    locked = TicketPart.objects.select_for_update(of=("self",)).get(pk=part.pk)
    if ticket.state == Ticket.State.CLOSED:
        raise ValidationError({"ticket": _("The ticket is closed: its parts can no longer change.")})
    if locked.state not in HOLDING_STATES:
        raise ValidationError(
            {
                "part": _("Only a reserved part can be removed; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            }
        )
    released = reservations.stock_release(demand=locked.demand, user=user)
    locked.state = TicketPart.State.RELEASED
    locked.save(update_fields=["state"])
    ticket_event_add(
        ticket=ticket,
        kind=PART_REMOVED,
        actor=user,
        data={"part_id": locked.pk, "product_id": locked.product_id, "quantity": plain_qty(released)},
    )
    audit("ticket.part_removed", actor=user, obj=locked, data={"ticket": ticket.number})
    part.state = locked.state
    return locked


def ticket_parts_release(*, ticket, user=None) -> list:
    """Give back what every part still holding stock (reserved, or short after a hold) holds:
    the ticket was resolved or closed without them. Called by the ticket's transition inside its
    transaction, the ticket locked. Returns the parts released."""
    parts = list(
        TicketPart.objects.select_for_update(of=("self",))
        .filter(ticket_id=ticket.pk, state__in=HOLDING_STATES)
        .order_by("pk")
    )
    for part in parts:
        released = reservations.stock_release(demand=part.demand, user=user)
        part.state = TicketPart.State.RELEASED
        part.save(update_fields=["state"])
        ticket_event_add(
            ticket=ticket,
            kind=PART_REMOVED,
            actor=user,
            data={"part_id": part.pk, "product_id": part.product_id, "quantity": plain_qty(released)},
        )
    return parts


def ticket_parts_consume(*, ticket, visit, user=None) -> list:
    """Use every reserved part of ``ticket`` at ``visit`` (called by ``visit_complete`` inside its
    transaction). Returns the parts used.

    Each part's stock is consumed from the warehouses, lots and serials it holds (inventory
    writes the ledger moves, referenced with the ticket number); the warranty is decided again
    on the visit's day (free, or the list price). Publishes ``ticket.parts_used`` when any part
    was used. A part already used is never used again: the parts are locked and only reserved
    ones are taken."""
    with transaction.atomic():
        parts = list(
            TicketPart.objects.select_for_update(of=("self",))
            .filter(ticket_id=ticket.pk, state=TicketPart.State.RESERVED)
            .select_related("product")
            .order_by("pk")
        )
        if not parts:
            return []
        day = _visit_day(visit)
        free = ticket_warranty(ticket).covers(day)
        held = _holdings([p.demand for p in parts])
        now = timezone.now()
        used = []
        for part in parts:
            taken = []
            for res in held[part.demand]:
                reservations.stock_consume(
                    demand=part.demand,
                    warehouse=res.warehouse,
                    quantity=res.quantity,
                    lot=res.lot,
                    reference=ticket.number,
                    user=user,
                )
                taken.append(_where(res))
            part.state = TicketPart.State.CONSUMED
            part.consumed_at = now
            part.under_warranty = free
            part.unit_price = ZERO if free else part.product.list_price
            part.save(update_fields=["state", "consumed_at", "under_warranty", "unit_price"])
            used.append(
                {"part_id": part.pk, "product": part.product.name, "under_warranty": free, "from": taken}
            )
        ticket_event_add(
            ticket=ticket,
            kind=PARTS_USED,
            actor=user,
            data={"visit_id": visit.pk if visit is not None else None, "parts": used},
        )
        publish(
            names.TICKET_PARTS_USED,
            {
                "ticket_id": ticket.pk,
                "visit_id": visit.pk if visit is not None else None,
                "part_ids": [p.pk for p in parts],
            },
        )
        return parts


def _reserve_near(*, part, quantity: Decimal) -> list | None:
    """Reserve ``quantity`` more for ``part`` the way ``ticket_part_add`` does (the nearest
    warehouse holding it all, else split nearest first); None, and nothing held, when the stock
    free everywhere is short."""
    stock = nearest_stock(customer=part.ticket.customer, product=part.product)
    if sum((s.available for s in stock), ZERO) < quantity:
        return None
    whole = warehouse_for(stock, quantity)
    tries = ([[whole.warehouse_id]] if whole is not None else []) + [[s.warehouse_id for s in stock]]
    for warehouse_ids in tries:
        try:
            return reservations.stock_reserve(
                product=part.product,
                quantity=quantity,
                demand=part.demand,
                warehouse_ids=warehouse_ids,
                partial=False,
            )
        except ValidationError:
            continue  # taken meanwhile
    return None


@atomic_with_retry
def ticket_parts_rereserve(*, lot_id: int, user=None) -> dict[int, str]:
    """The ``lot.held`` rule of the ticket parts: every part holding stock of the held lot lets
    it go and is reserved again from the nearest warehouse that has the part free (as
    ``ticket_part_add`` chooses), a ``part_moved`` line on its ticket. When nothing else is free
    the part is marked short (it keeps what it holds of other lots), a ``part_short`` line goes
    on the ticket and the assignee (and the team's manager) are told. Returns each part's
    outcome (``moved`` or ``short``). Idempotent: a second run finds nothing of the lot held."""
    part_ids = sorted(
        {
            int(d[len(DEMAND_PREFIX) :])
            for d in Reservation.objects.filter(
                lot_id=lot_id, demand__startswith=DEMAND_PREFIX, quantity__gt=0
            ).values_list("demand", flat=True)
        }
    )
    if not part_ids:
        return {}
    ticket_ids = sorted(set(TicketPart.objects.filter(pk__in=part_ids).values_list("ticket_id", flat=True)))
    # Locks in the one order: the tickets, the parts, then inventory's rows.
    list(Ticket.objects.select_for_update(of=("self",)).filter(pk__in=ticket_ids).order_by("pk").values("pk"))
    parts = list(
        TicketPart.objects.select_for_update(of=("self",))
        .filter(pk__in=part_ids)
        .select_related("product", "ticket", "ticket__customer", "ticket__team")
        .order_by("pk")
    )
    released = holds.lot_reservations_release(lot_id=lot_id, demand_prefix=DEMAND_PREFIX, user=user)
    lot_number = Lot.objects.filter(pk=lot_id).values_list("number", flat=True).first() or ""
    out: dict[int, str] = {}
    for part in parts:
        quantity = released.get(part.demand, ZERO)
        if quantity <= 0:
            continue
        facts = {
            "part_id": part.pk,
            "product_id": part.product_id,
            "product": part.product.name,
            "quantity": plain_qty(quantity),
            "lot_id": lot_id,
            "lot": lot_number,
        }
        allocations = _reserve_near(part=part, quantity=quantity)
        if allocations is not None:
            ticket_event_add(
                ticket=part.ticket,
                kind=PART_MOVED,
                actor=user,
                data={
                    **facts,
                    "to": [
                        {
                            "warehouse_id": a.warehouse_id,
                            "lot_id": a.lot_id,
                            "quantity": plain_qty(a.quantity),
                        }
                        for a in allocations
                    ],
                },
            )
            out[part.pk] = "moved"
            continue
        part.state = TicketPart.State.SHORT
        part.save(update_fields=["state"])
        ticket_event_add(ticket=part.ticket, kind=PART_SHORT, actor=user, data=facts)
        ticket = part.ticket
        notify(
            users=[u for u in (ticket.assignee_id, ticket.team.manager_id if ticket.team_id else None) if u],
            title=gettext_noop("Ticket %(number)s: part %(product)s is short, lot %(lot)s was put on hold"),
            params={"number": ticket.number, "product": part.product.name, "lot": lot_number},
            url=f"/service/tickets/{ticket.pk}/",
            kind="service.part_short",
            key=f"service.part_short:{part.pk}:{lot_id}",
        )
        out[part.pk] = "short"
    return out


@atomic_with_retry
def ticket_parts_invoiced(
    *, ticket_id: int, part_ids: list[int], invoice_id: int, invoice_number: str = ""
) -> int:
    """Record that the used, charged parts ``part_ids`` of a ticket were invoiced on
    ``invoice_id`` (by the module that raises invoices). A part already invoiced keeps its
    invoice. Returns how many parts were recorded."""
    ticket = _lock_ticket(Ticket(pk=ticket_id))
    ids = list(
        TicketPart.objects.select_for_update(of=("self",))
        .filter(
            ticket_id=ticket.pk,
            pk__in=part_ids,
            state=TicketPart.State.CONSUMED,
            under_warranty=False,
            invoice_id__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    TicketPart.objects.filter(pk__in=ids).update(invoice_id=invoice_id)
    ticket_event_add(
        ticket=ticket,
        kind=PARTS_INVOICED,
        data={"invoice_id": invoice_id, "number": invoice_number, "part_ids": ids},
    )
    return len(ids)


# --- reads for the ticket page and the API ----------------------------------------------------


def chargeable_parts(*, part_ids) -> list[TicketPart]:
    """The used, charged, not yet invoiced parts among ``part_ids`` (product loaded)."""
    return list(
        TicketPart.objects.filter(
            pk__in=list(part_ids),
            state=TicketPart.State.CONSUMED,
            under_warranty=False,
            invoice_id__isnull=True,
            unit_price__gt=0,
        )
        .select_related("product", "ticket", "ticket__customer")
        .order_by("pk")
    )


def ticket_parts(*, ticket, user=None) -> list[dict]:
    """The ticket's parts for its page: each part with where it is held (reserved) or where it
    was taken from (used), its price or "under warranty", its invoice. Four queries whatever
    the number of parts (plus the invoice lookup of the module that registers it)."""
    parts = list(TicketPart.objects.filter(ticket_id=ticket.pk).select_related("product").order_by("pk"))
    held = _holdings([p.demand for p in parts if p.state in HOLDING_STATES])
    used_from: dict[int, list[dict]] = {}
    if any(p.state == TicketPart.State.CONSUMED for p in parts):
        for data in TicketEvent.objects.filter(ticket_id=ticket.pk, kind=PARTS_USED).values_list(
            "data", flat=True
        ):
            for row in (data or {}).get("parts", []):
                used_from[row.get("part_id")] = row.get("from", [])
    links = invoice_links([p.invoice_id for p in parts], user)
    rows = []
    for p in parts:
        if p.state in HOLDING_STATES:
            where = [_where(r) for r in held.get(p.demand, [])]
        elif p.state == TicketPart.State.CONSUMED:
            where = used_from.get(p.pk, [])
        else:
            where = []
        rows.append(
            {
                "part": p,
                "where": where,
                "amount": ZERO if p.under_warranty else p.unit_price * p.quantity,
                "invoice": links.get(p.invoice_id) if p.invoice_id else None,
                "removable": p.state in HOLDING_STATES and ticket.state != Ticket.State.CLOSED,
            }
        )
    return rows


def ticket_parts_serve_short(*, product_ids, user=None) -> dict[int, str]:
    """The ``stock.available`` rule of the ticket parts: a short part of one of ``product_ids``
    (its lot was put on hold and nothing else was free) is reserved what it still lacks, the
    way ``ticket_part_add`` chooses, and is reserved again (a ``part_moved`` line on its ticket).
    A part the free stock still cannot cover stays short. Returns each served part (``served``).
    Idempotent: a served part is no longer short."""
    ids = sorted({int(p) for p in product_ids})
    if not ids:
        return {}
    candidates = list(
        TicketPart.objects.filter(state=TicketPart.State.SHORT, product_id__in=ids).values_list(
            "pk", "ticket_id"
        )
    )
    if not candidates:
        return {}
    out: dict[int, str] = {}
    with transaction.atomic():
        # Locks in the one order: the tickets, the parts, then inventory's rows.
        ticket_ids = sorted({t for _p, t in candidates})
        list(
            Ticket.objects.select_for_update(of=("self",))
            .filter(pk__in=ticket_ids)
            .order_by("pk")
            .values("pk")
        )
        parts = list(
            TicketPart.objects.select_for_update(of=("self",))
            .filter(pk__in=[p for p, _t in candidates], state=TicketPart.State.SHORT)
            .select_related("product", "ticket", "ticket__customer")
            .order_by("pk")
        )
        held = _holdings([p.demand for p in parts])
        for part in parts:
            lacking = part.quantity - sum((r.quantity for r in held[part.demand]), ZERO)
            allocations = _reserve_near(part=part, quantity=lacking) if lacking > 0 else []
            if allocations is None:
                continue
            part.state = TicketPart.State.RESERVED
            part.save(update_fields=["state"])
            ticket_event_add(
                ticket=part.ticket,
                kind=PART_MOVED,
                actor=user,
                data={
                    "part_id": part.pk,
                    "product_id": part.product_id,
                    "product": part.product.name,
                    "quantity": plain_qty(lacking),
                    "to": [
                        {
                            "warehouse_id": a.warehouse_id,
                            "lot_id": a.lot_id,
                            "quantity": plain_qty(a.quantity),
                        }
                        for a in allocations
                    ],
                },
            )
            out[part.pk] = "served"
    return out
