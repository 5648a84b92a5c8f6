"""Sales order services: every change to an order goes through here or through its state
machine (``states``); lines are priced by ``pricing``.

The fulfilment bridge (``integration.fulfilment``) moves orders with these functions: it
confirms, holds and releases with ``states.order_transition``, records what it reserved, shipped
and invoiced with ``order_line_progress`` and lets ``states.order_refresh_state`` derive the
order state from the lines. Signatures here are a contract with that module: keep them stable.

Each function is one transaction. State changes are compare-and-set on the state the caller
saw (``filter(pk=…, state=seen).update(state=new)``), so two people confirming the same order
at the same moment cannot both succeed; progress figures move with ``F()`` expressions, never
read-then-written from Python.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.i18n import message_text, stored_params
from core.money import decimal_input, money
from core.numbers import document_number
from crm.customers.selectors import customer_check_writable
from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from crm.sales.orders.document_lines import document_lines, lines_promise
from crm.sales.orders.models import LINE_LIST
from crm.sales.orders.pricing import line_amounts, lines_as_input
from scm.inventory.models import Warehouse
from scm.inventory.services import to_base_quantity

S = SalesOrder.State

PROGRESS_FIELDS = ("reserved", "shipped", "invoiced", "returned")

# --- orders ---------------------------------------------------------------------------------


def _check_customer(customer, user) -> None:
    """A customer an order or quote may be written for on behalf of ``user``: one the user may
    read (``crm.customers.selectors.customer_is_visible``; any other answers as one that does not
    exist, so a guessed id tells nothing) and active."""
    if customer is None:
        raise ValidationError({"customer": _("Choose a customer.")})
    customer_check_writable(user, customer)
    if not customer.is_active:
        raise ValidationError({"customer": _("This customer is inactive.")})


def _check_priority(priority) -> None:
    if priority not in SalesOrder.Priority.values:
        raise ValidationError({"priority": _("Choose normal, high or urgent.")})


def _check_ship_from(ship_from) -> None:
    """A ship-from warehouse is an active stock warehouse (never a quarantine) or none."""
    if ship_from is not None and not (ship_from.is_active and ship_from.kind == Warehouse.Kind.STOCK):
        raise ValidationError({"ship_from": _("Choose an active warehouse that holds stock to sell.")})


def order_create(
    *,
    customer,
    owner,
    lines: list[dict],
    order_date: date | None = None,
    requested_date: date | None = None,
    shipping_address: str = "",
    notes: str = "",
    quote=None,
    priority: str = SalesOrder.Priority.NORMAL,
    keep_prices: bool = False,
    ship_from=None,
    ship_complete: bool = False,
) -> SalesOrder:
    """A draft order with its lines. Prices not given are resolved for the customer on the order
    date (``pricing.lines_price``: price lists, promotions, list price per unit), and the order
    may earn an order-level promotion; ``keep_prices`` keeps the prices and promotions the lines
    carry (a quote accepted). Quantities are converted to base units; taxes come from the
    product. Bad input raises one ``ValidationError`` naming the fields (``lines[i].quantity``)
    and writes nothing: the input is checked before the first write. Inside the caller's
    transaction it joins it (no savepoint: an order placed in one step costs no extra round
    trips). The order comes back with its lines as written (ids, products and units) in
    ``order.line_list`` (``LINE_LIST``). The order is written on behalf of ``owner``: the
    customer must be one they may read.

    ``ship_from``: the warehouse that serves the order (None: the reservation rule's nearest
    with stock); ``ship_complete``: wait and ship complete rather than ship what is there. Each
    line keeps the day it can be promised from there (``document_lines``), after the backorders
    that the backorder rule serves before the order (by its priority and requested date)."""
    _check_customer(customer, owner)
    _check_priority(priority)
    _check_ship_from(ship_from)
    order_date = order_date or timezone.localdate()
    found = document_lines(
        lines,
        customer=customer,
        on=order_date,
        keep_prices=keep_prices,
        ship_from=ship_from,
        ahead_of=SalesOrder(priority=priority, requested_date=requested_date),
    )
    priced = found.priced
    if requested_date and requested_date < order_date:
        raise ValidationError({"requested_date": _("The requested date cannot be before the order date.")})
    order = SalesOrder(
        customer=customer,
        owner=owner,
        quote=quote,
        order_date=order_date,
        requested_date=requested_date,
        priority=priority,
        shipping_address=shipping_address or customer.address,
        ship_from=ship_from,
        ship_complete=bool(ship_complete),
        notes=notes,
        **found.totals,
    )
    lines = [SalesOrderLine(order=order, **p.as_fields()) for p in priced]
    if quote is not None:
        text, data = gettext_noop("Order created from quote %(quote)s"), {"params": {"quote": quote.number}}
    else:
        text, data = gettext_noop("Order created"), None
    entry = OrderEvent(**_event_fields(0, "created", text, owner, data))
    _insert_order(order, lines, entry)
    setattr(order, LINE_LIST, lines)
    return order


def _insert_order(order: SalesOrder, lines: list[SalesOrderLine], entry: OrderEvent) -> None:
    """Write a new order with its number (``core.numbers``), its lines and its first timeline
    entry: four statements, in the caller's transaction if there is one."""
    with transaction.atomic(savepoint=False):
        order.number = document_number(prefix="SO", when=order.order_date)
        order.save(force_insert=True)
        for line in lines:
            line.order = order
        SalesOrderLine.objects.bulk_create(lines)
        entry.order = order
        entry.save(force_insert=True)


UNSET = object()


@transaction.atomic
def order_update(
    *,
    order: SalesOrder,
    user=None,
    requested_date=UNSET,
    shipping_address: str | None = None,
    notes: str | None = None,
    customer=None,
    priority: str | None = None,
    ship_from=UNSET,
    ship_complete: bool | None = None,
) -> SalesOrder:
    """Change a draft order's header. Arguments left out (``None``; ``UNSET`` for the requested
    date and the ship-from warehouse, which ``None`` clears) stay as they are. Another
    ship-from warehouse, priority or requested date promises the lines again (from there, after
    the backorders the order now comes after)."""
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.state != S.DRAFT:
        raise ValidationError({"state": _("Only a draft order can be changed.")})
    changes = {}
    if customer is not None and customer.pk != locked.customer_id:
        _check_customer(customer, user)
        changes["customer"] = customer
    if requested_date is not UNSET:
        if requested_date and requested_date < locked.order_date:
            raise ValidationError(
                {"requested_date": _("The requested date cannot be before the order date.")}
            )
        changes["requested_date"] = requested_date
    if shipping_address is not None:
        changes["shipping_address"] = shipping_address
    if notes is not None:
        changes["notes"] = notes
    if priority is not None:
        _check_priority(priority)
        changes["priority"] = priority
    if ship_from is not UNSET and getattr(ship_from, "pk", None) != locked.ship_from_id:
        _check_ship_from(ship_from)
        changes["ship_from"] = ship_from
    if ship_complete is not None and bool(ship_complete) != locked.ship_complete:
        changes["ship_complete"] = bool(ship_complete)
    for name, value in changes.items():
        setattr(order, name, value)
    if changes:
        order.save(update_fields=[*changes.keys(), "updated_at"])
    if "customer" in changes:
        # Another customer, other prices: the lines are priced again for them (typed prices kept).
        lines = list(order.lines.select_related("product", "unit").order_by("pk"))
        if lines:
            order_update_lines(order=order, lines=lines_as_input(lines), user=user)
    elif changes.keys() & {"ship_from", "priority", "requested_date"}:
        # Shipped from elsewhere, or another place among the orders that receipts serve first.
        _promise_again(order)
    return order


def _promise_again(order: SalesOrder) -> None:
    """The draft's lines promised again (its ship-from warehouse changed): four statements."""
    lines = list(SalesOrderLine.objects.filter(order_id=order.pk).select_related("product").order_by("pk"))
    lines_promise(lines, ship_from=order.ship_from, ahead_of=order)
    SalesOrderLine.objects.bulk_update(lines, ["promise_date"])


@transaction.atomic
def order_update_lines(*, order: SalesOrder, lines: list[dict], user=None) -> SalesOrder:
    """Replace a draft order's lines (and its totals), priced for the order's customer on its
    order date (``pricing.lines_price``). Only drafts: nothing is reserved yet."""
    locked = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "ship_from")
        .get(pk=order.pk)
    )
    if locked.state != S.DRAFT:
        raise ValidationError({"state": _("Only a draft order's lines can be changed.")})
    found = document_lines(
        lines, customer=locked.customer, on=locked.order_date, ship_from=locked.ship_from, ahead_of=locked
    )
    priced, totals = found.priced, found.totals
    SalesOrderLine.objects.filter(order=order).delete()
    SalesOrderLine.objects.bulk_create([SalesOrderLine(order=order, **p.as_fields()) for p in priced])
    SalesOrder.objects.filter(pk=order.pk).update(updated_at=timezone.now(), **totals)
    for name, value in totals.items():
        setattr(order, name, value)
    order_add_event(order=order, kind="lines_changed", text=gettext_noop("Lines changed"), user=user)
    return order


def order_line_reduce(*, line: SalesOrderLine, quantity) -> SalesOrderLine:
    """A confirmed order's line asks for less: its quantity becomes ``quantity`` (in the line's
    unit, less than now and not below what has shipped), its base quantity and amounts follow
    at the line's price and discount, and the order's totals are summed again.

    For the fulfilment bridge (``order_line_shorten``), which holds the order's lock (so the
    line's figures it read stay true) and releases what the line no longer needs. Bad input
    raises ``ValidationError`` on ``quantity`` and writes nothing. The line keeps its share of an
    order-level promotion in proportion to what it still asks for (the promotion given is not
    taken back), and the order's promotion discount is summed again with its totals."""
    new_quantity = decimal_input(quantity, field="quantity")
    base = to_base_quantity(product=line.product, quantity=new_quantity, unit=line.unit)
    if new_quantity >= line.quantity:
        raise ValidationError(
            {
                "quantity": _("Enter a quantity less than the line's %(quantity)s.")
                % {"quantity": f"{line.quantity.normalize():f}"}
            }
        )
    if base < line.shipped_quantity:
        raise ValidationError(
            {
                "quantity": _("%(shipped)s have already shipped: the line cannot ask for less.")
                % {"shipped": f"{line.shipped_quantity.normalize():f}"}
            }
        )
    share = (
        money(line.promotion_discount * new_quantity / line.quantity)
        if line.promotion_discount
        else Decimal(0)
    )
    net, tax = line_amounts(
        quantity=new_quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        tax_rate=line.tax_rate,
        promotion_discount=share,
    )
    SalesOrderLine.objects.filter(pk=line.pk).update(
        quantity=new_quantity, base_quantity=base, net_amount=net, tax_amount=tax, promotion_discount=share
    )
    sums = SalesOrderLine.objects.filter(order_id=line.order_id).aggregate(
        n=Sum("net_amount"), t=Sum("tax_amount"), p=Sum("promotion_discount")
    )
    subtotal, tax_total = money(sums["n"] or 0), money(sums["t"] or 0)
    SalesOrder.objects.filter(pk=line.order_id).update(
        subtotal=subtotal,
        tax_total=tax_total,
        total=money(subtotal + tax_total),
        promotion_discount=money(sums["p"] or 0),
        updated_at=timezone.now(),
    )
    line.quantity, line.base_quantity, line.net_amount, line.tax_amount = new_quantity, base, net, tax
    line.promotion_discount = share
    return line


def order_add_event(
    *, order, kind: str, text: str, user=None, data: dict | None = None, params: dict | None = None
) -> OrderEvent:
    """Append to the order's timeline (``order`` may be an order or its id).

    ``text`` is the message key: the English text through ``gettext_noop``, its placeholders
    filled from ``params`` (``core.i18n``), so that each reader sees it in their own language
    (``order_event_text``); the parameters are stored in ``data["params"]``. A text typed by a
    user is stored and shown as written.
    """
    return OrderEvent.objects.create(**_event_fields(order, kind, text, user, data, params))


def _event_fields(
    order, kind: str, text: str, user=None, data: dict | None = None, params: dict | None = None
) -> dict:
    """An ``OrderEvent``'s columns. What is stored: ``text`` = the message key (English), and
    ``data`` = any extra facts plus, when the key has placeholders, ``"params"``."""
    order_id = order if isinstance(order, int) else order.pk
    data = dict(data or {})
    if params:
        data["params"] = stored_params({**data.get("params", {}), **params})
    return {
        "order_id": order_id,
        "kind": kind[:40],
        "text": str(text)[:300],
        "user": user,
        "data": data,
    }


def order_event_text(event: OrderEvent) -> str:
    """The event's text in the active language (see ``order_add_event``); an entry stored as
    translated text (before entries kept their key) is shown as written."""
    return message_text(event.text, (event.data or {}).get("params"))


def order_line_progress(*, line_id: int, reserved=0, shipped=0, invoiced=0, returned=0) -> None:
    """Add the deltas (base units; negative to release or correct) to one line's progress.

    One UPDATE with ``F()`` expressions, so concurrent callers never lose each other's changes.
    A result below zero, or shipped above the ordered quantity, is refused by the database's
    CHECK constraints and raised as ``ValidationError``; the caller's transaction decides what
    else rolls back.
    """
    deltas = {"reserved": reserved, "shipped": shipped, "invoiced": invoiced, "returned": returned}
    changes = {
        f"{name}_quantity": F(f"{name}_quantity") + Decimal(str(value))
        for name, value in deltas.items()
        if value
    }
    if not changes:
        return
    try:
        with transaction.atomic():
            updated = SalesOrderLine.objects.filter(pk=line_id).update(**changes)
    except IntegrityError:
        raise ValidationError(
            {"quantity": _("This would take the line's progress below zero or above the ordered quantity.")}
        )
    if not updated:
        raise ValidationError({"line": _("No such order line.")})


def order_lines_progress(*, reserved: dict[int, Decimal]) -> None:
    """``order_line_progress`` for several lines at once (``reserved``: line id → delta, in base
    units): one UPDATE. Joins the caller's transaction without a savepoint, so a result the
    CHECK constraints refuse (``ValidationError``) leaves that transaction to be rolled back.

    Written as SQL: the reservation rule runs it for every order, and the ORM's CASE/WHEN
    costs more to build than the statement costs to run."""
    deltas = {int(pk): Decimal(str(value)) for pk, value in reserved.items() if value}
    if not deltas:
        return
    cases = " ".join("WHEN %s THEN CAST(%s AS NUMERIC)" for _pk in deltas)
    params = [v for pk, value in deltas.items() for v in (pk, value)]
    ids = ", ".join(["%s"] * len(deltas))
    sql = (
        f"UPDATE {SalesOrderLine._meta.db_table} SET reserved_quantity = reserved_quantity + "
        f"CASE id {cases} END WHERE id IN ({ids})"
    )
    try:
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(sql, [*params, *deltas])
            updated = cursor.rowcount
    except IntegrityError:
        raise ValidationError(
            {"quantity": _("This would take the line's progress below zero or above the ordered quantity.")}
        )
    if updated != len(deltas):
        raise ValidationError({"line": _("No such order line.")})
