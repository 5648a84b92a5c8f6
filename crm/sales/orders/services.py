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

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.i18n import message_text, stored_params
from core.money import money
from core.sql import insert_select, next_id_sql
from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from crm.sales.orders.pricing import line_amounts, lines_price, lines_totals
from scm.inventory.services import to_base_quantity

S = SalesOrder.State

PROGRESS_FIELDS = ("reserved", "shipped", "invoiced", "returned")


def document_number(prefix: str, pk: int, when: date | None = None) -> str:
    """``SO-2026-000042``: readable, unique because the primary key is."""
    return f"{_number_start(prefix, when)}{pk:06d}"


def document_number_sql(prefix: str, id_sql: str, when: date | None = None) -> tuple[str, list]:
    """``document_number`` as SQL over the key ``id_sql`` (PostgreSQL), for a row whose key is
    drawn in the statement that writes it; the SQL and its parameters."""
    digits = f"{id_sql}::text"
    return f"%s || lpad({digits}, greatest(6, length({digits})), '0')", [_number_start(prefix, when)]


def _number_start(prefix: str, when: date | None) -> str:
    return f"{prefix}-{(when or timezone.localdate()).year}-"


def temporary_number() -> str:
    # Unique placeholder until the primary key is known (the number is derived from it).
    return f"new-{uuid.uuid4().hex[:24]}"


# --- orders ---------------------------------------------------------------------------------


def _check_customer(customer) -> None:
    if customer is None:
        raise ValidationError({"customer": _("Choose a customer.")})
    if not customer.is_active:
        raise ValidationError({"customer": _("This customer is inactive.")})


def _check_priority(priority) -> None:
    if priority not in SalesOrder.Priority.values:
        raise ValidationError({"priority": _("Choose normal, high or urgent.")})


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
) -> SalesOrder:
    """A draft order with its lines. Prices default to the product's list price (per unit);
    quantities are converted to base units; taxes come from the product. Bad input raises one
    ``ValidationError`` naming the fields (``lines[i].quantity``) and writes nothing: the input
    is checked before the first write. Inside the caller's transaction it joins it (no
    savepoint: an order placed in one step costs no extra round trips)."""
    _check_customer(customer)
    _check_priority(priority)
    priced = lines_price(lines)
    order_date = order_date or timezone.localdate()
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
        notes=notes,
        **lines_totals(priced),
    )
    lines = [SalesOrderLine(order=order, **p.as_fields()) for p in priced]
    if quote is not None:
        text, data = gettext_noop("Order created from quote %(quote)s"), {"params": {"quote": quote.number}}
    else:
        text, data = gettext_noop("Order created"), None
    entry = OrderEvent(**_event_fields(0, "created", text, owner, data))
    if connection.vendor == "postgresql":
        _insert_order_at_once(order, lines, entry)
    else:
        _insert_order(order, lines, entry)
    # The lines as written (with their ids): the caller can show the order without reading it back.
    lines_qs = SalesOrderLine.objects.filter(order=order)
    lines_qs._result_cache, lines_qs._prefetch_done = lines, True
    order._prefetched_objects_cache = {"lines": lines_qs}
    return order


def _insert_order(order: SalesOrder, lines: list[SalesOrderLine], entry: OrderEvent) -> None:
    """Write a new order, its lines and its first timeline entry with the ORM (the number
    comes from the primary key, so it is set once that is known)."""
    with transaction.atomic(savepoint=False):
        order.number = temporary_number()
        order.save(force_insert=True)
        order.number = document_number("SO", order.pk, order.order_date)
        SalesOrder.objects.filter(pk=order.pk).update(number=order.number)
        for line in lines:
            line.order = order
        SalesOrderLine.objects.bulk_create(lines)
        entry.order = order
        entry.save(force_insert=True)


def _insert_order_at_once(order: SalesOrder, lines: list[SalesOrderLine], entry: OrderEvent) -> None:
    """``_insert_order`` in one statement (PostgreSQL): the primary key is drawn first, so the
    number (``document_number``'s format) goes in with the row; the lines and the entry refer
    to it in the same statement. No transaction of its own: one statement is atomic."""
    order_fields = [f for f in SalesOrder._meta.concrete_fields if f.name not in ("id", "number")]
    line_fields = [f for f in SalesOrderLine._meta.concrete_fields if f.name not in ("id", "order")]
    entry_fields = [f for f in OrderEvent._meta.concrete_fields if f.name not in ("id", "order")]
    number_sql, number_params = document_number_sql("SO", "id", order.order_date)
    from_ids = {"id": "ids.id", "number": "ids.number"}
    order_sql, order_params = insert_select(
        SalesOrder, [order], order_fields, source="ids", source_columns=from_ids
    )
    lines_sql, lines_params = insert_select(
        SalesOrderLine, lines, line_fields, source="ids", source_columns={"order_id": "ids.id"}
    )
    entry_sql, entry_params = insert_select(
        OrderEvent, [entry], entry_fields, source="ids", source_columns={"order_id": "ids.id"}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH ids AS (
                    SELECT id, {number_sql} AS number
                    FROM (SELECT {next_id_sql(SalesOrder)} AS id) AS next
                ), new_order AS ({order_sql}),
                new_lines AS ({lines_sql} RETURNING id),
                new_entry AS ({entry_sql})
                SELECT ids.id, ids.number, ARRAY(SELECT id FROM new_lines ORDER BY id) FROM ids""",
            [*number_params, *order_params, *lines_params, *entry_params],
        )
        order.pk, order.number, line_ids = cursor.fetchone()
    order._state.adding, order._state.db = False, connection.alias
    for line, pk in zip(lines, line_ids, strict=True):
        line.pk, line.order = pk, order
        line._state.adding, line._state.db = False, connection.alias


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
) -> SalesOrder:
    """Change a draft order's header. Arguments left out (``None``; ``UNSET`` for the requested
    date, which ``None`` clears) stay as they are."""
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.state != S.DRAFT:
        raise ValidationError({"state": _("Only a draft order can be changed.")})
    changes = {}
    if customer is not None and customer.pk != locked.customer_id:
        _check_customer(customer)
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
    for name, value in changes.items():
        setattr(order, name, value)
    if changes:
        order.save(update_fields=[*changes.keys(), "updated_at"])
    return order


@transaction.atomic
def order_update_lines(*, order: SalesOrder, lines: list[dict], user=None) -> SalesOrder:
    """Replace a draft order's lines (and its totals). Only drafts: nothing is reserved yet."""
    priced = lines_price(lines)
    totals = lines_totals(priced)
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.state != S.DRAFT:
        raise ValidationError({"state": _("Only a draft order's lines can be changed.")})
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
    raises ``ValidationError`` on ``quantity`` and writes nothing."""
    try:
        new_quantity = Decimal(str(quantity).strip())
    except ArithmeticError:
        raise ValidationError({"quantity": _("Enter a number.")})
    if not new_quantity.is_finite():
        raise ValidationError({"quantity": _("Enter a number.")})
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
    net, tax = line_amounts(
        quantity=new_quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        tax_rate=line.tax_rate,
    )
    SalesOrderLine.objects.filter(pk=line.pk).update(
        quantity=new_quantity, base_quantity=base, net_amount=net, tax_amount=tax
    )
    sums = SalesOrderLine.objects.filter(order_id=line.order_id).aggregate(
        n=Sum("net_amount"), t=Sum("tax_amount")
    )
    subtotal, tax_total = money(sums["n"] or 0), money(sums["t"] or 0)
    SalesOrder.objects.filter(pk=line.order_id).update(
        subtotal=subtotal, tax_total=tax_total, total=money(subtotal + tax_total), updated_at=timezone.now()
    )
    line.quantity, line.base_quantity, line.net_amount, line.tax_amount = new_quantity, base, net, tax
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
