"""Sales order services: every change to an order goes through here.

The fulfilment bridge (``integration.fulfilment``) moves orders with these functions: it
confirms, holds and releases with ``order_transition``, records what it reserved, shipped and
invoiced with ``order_line_progress`` and lets ``order_refresh_state`` derive the order state
from the lines. Signatures here are a contract with that module: keep them stable.

Each function is one transaction. State changes are compare-and-set on the state the caller
saw (``filter(pk=…, state=seen).update(state=new)``), so two people confirming the same order
at the same moment cannot both succeed; progress figures move with ``F()`` expressions, never
read-then-written from Python.
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.money import money
from core.sql import by_ids, insert_select, next_id_sql
from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from scm.inventory.models import Product, ProductUnit
from scm.inventory.services import to_base_quantity

S = SalesOrder.State

# The order's state machine. Confirm / hold / release / cancel are decided by fulfilment; the
# progress states (reserved … invoiced) are derived from the lines by ``order_refresh_state``.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.CONFIRMED, S.CREDIT_HOLD, S.CANCELLED}),
    S.CREDIT_HOLD: frozenset({S.CONFIRMED, S.DRAFT, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTLY_RESERVED: frozenset({S.CONFIRMED, S.RESERVED, S.PARTLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.RESERVED: frozenset({S.CONFIRMED, S.PARTLY_RESERVED, S.PARTLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTLY_SHIPPED: frozenset({S.SHIPPED, S.INVOICED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.PARTLY_SHIPPED, S.INVOICED, S.PAID}),
    S.INVOICED: frozenset({S.SHIPPED, S.PAID}),
    S.PAID: frozenset(),
    S.CANCELLED: frozenset(),
}
# States whose value is decided by people (or finance), never derived from line progress.
FROZEN_STATES = frozenset({S.DRAFT, S.CREDIT_HOLD, S.CANCELLED, S.PAID})
# Orders that still count as "open" (not finished, not cancelled): credit exposure, 360 panel.
OPEN_STATES = frozenset(
    {S.CREDIT_HOLD, S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED, S.SHIPPED}
)
PROGRESS_FIELDS = ("reserved", "shipped", "invoiced", "returned")
HUNDRED = Decimal(100)


@dataclass
class PricedLine:
    """A validated, priced line (order or quote): the fields both line models share."""

    product: Product
    unit: ProductUnit | None
    quantity: Decimal
    base_quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal

    def as_fields(self) -> dict:
        return {
            "product": self.product,
            "unit": self.unit,
            "quantity": self.quantity,
            "base_quantity": self.base_quantity,
            "unit_price": self.unit_price,
            "discount_percent": self.discount_percent,
            "tax_rate": self.tax_rate,
            "net_amount": self.net_amount,
            "tax_amount": self.tax_amount,
        }


# --- pricing and validation (shared with quotes) -----------------------------------------------


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if isinstance(value, float):
        value = str(value)
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("Enter a number.")
        return None


def _load_products_and_units(lines: list[dict]) -> tuple[dict, dict]:
    """Products and units given by id are loaded in two queries (instances are used as they are)."""
    product_ids = {ln.get("product") for ln in lines if isinstance(ln.get("product"), int | str)}
    unit_ids = {ln.get("unit") for ln in lines if isinstance(ln.get("unit"), int | str) and ln.get("unit")}
    products = {str(p.pk): p for p in by_ids(Product, product_ids)}
    units = {str(u.pk): u for u in by_ids(ProductUnit, unit_ids)}
    return products, units


def lines_price(lines: Iterable[dict], *, field: str = "lines") -> list[PricedLine]:
    """Validate and price ``lines``; raise one ``ValidationError`` naming every bad field
    (``lines[0].quantity``, ``lines[2].product`` …). Reads only; writes nothing.

    Each line: ``product`` (instance or id), ``quantity`` (in ``unit``), optional ``unit``
    (instance, id or None for the base unit), ``unit_price`` (per ``unit``; defaults to the list
    price × the unit's factor) and ``discount_percent``.
    """
    lines = list(lines or [])
    if not lines:
        raise ValidationError({field: _("Add at least one line.")})
    products, units = _load_products_and_units(lines)
    errors: dict[str, str] = {}
    priced: list[PricedLine] = []
    for i, raw in enumerate(lines):
        key = f"{field}[{i}]"
        product = raw.get("product")
        if not isinstance(product, Product):
            product = products.get(str(product))
        if product is None:
            errors[f"{key}.product"] = _("Choose a product.")
            continue
        if not product.is_active:
            errors[f"{key}.product"] = _("This product is inactive and cannot be sold.")
            continue
        if product.is_template:
            errors[f"{key}.product"] = _("Choose a variant: a template product cannot be sold.")
            continue
        unit = raw.get("unit") or None
        if unit is not None and not isinstance(unit, ProductUnit):
            unit = units.get(str(unit))
            if unit is None:
                errors[f"{key}.unit"] = _("Choose one of the product's units.")
                continue
        if unit is not None and unit.product_id != product.pk:
            errors[f"{key}.unit"] = _("This unit does not belong to the product.")
            continue
        try:
            base = to_base_quantity(product=product, quantity=raw.get("quantity"), unit=unit)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                sub = "quantity" if name == "quantity" else name
                errors[f"{key}.{sub}"] = " ".join(messages)
            continue
        qty = Decimal(str(raw.get("quantity")).strip())
        price = raw.get("unit_price")
        if price is None or price == "":
            price = Decimal(str(product.list_price)) * (unit.factor if unit is not None else 1)
        else:
            price = _decimal(price, f"{key}.unit_price", errors)
            if price is None:
                continue
            if price < 0:
                errors[f"{key}.unit_price"] = _("The price cannot be negative.")
                continue
        discount = raw.get("discount_percent")
        discount = (
            Decimal(0) if discount in (None, "") else _decimal(discount, f"{key}.discount_percent", errors)
        )
        if discount is None:
            continue
        if not Decimal(0) <= discount <= HUNDRED:
            errors[f"{key}.discount_percent"] = _("The discount must be between 0 and 100 percent.")
            continue
        price = money(price)
        net = money(qty * price * (HUNDRED - discount) / HUNDRED)
        tax_rate = Decimal(str(product.tax_rate))
        priced.append(
            PricedLine(
                product=product,
                unit=unit,
                quantity=qty,
                base_quantity=base,
                unit_price=price,
                discount_percent=discount,
                tax_rate=tax_rate,
                net_amount=net,
                tax_amount=money(net * tax_rate),
            )
        )
    if errors:
        raise ValidationError(errors)
    return priced


def lines_totals(priced: Iterable[PricedLine]) -> dict[str, Decimal]:
    subtotal = sum((p.net_amount for p in priced), Decimal(0))
    tax = sum((p.tax_amount for p in priced), Decimal(0))
    return {"subtotal": money(subtotal), "tax_total": money(tax), "total": money(subtotal + tax)}


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
) -> SalesOrder:
    """A draft order with its lines. Prices default to the product's list price (per unit);
    quantities are converted to base units; taxes come from the product. Bad input raises one
    ``ValidationError`` naming the fields (``lines[i].quantity``) and writes nothing: the input
    is checked before the first write. Inside the caller's transaction it joins it (no
    savepoint: an order placed in one step costs no extra round trips)."""
    _check_customer(customer)
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


def order_add_event(*, order, kind: str, text: str, user=None, data: dict | None = None) -> OrderEvent:
    """Append to the order's timeline (``order`` may be an order or its id).

    ``text`` is best given in English through ``gettext_noop`` with its placeholders filled from
    ``data["params"]``: the timeline translates it into the reader's language when shown
    (``order_event_text``). Any other text is shown as written.
    """
    return OrderEvent.objects.create(**_event_fields(order, kind, text, user, data))


def _event_fields(order, kind: str, text: str, user=None, data: dict | None = None) -> dict:
    order_id = order if isinstance(order, int) else order.pk
    return {
        "order_id": order_id,
        "kind": kind[:40],
        "text": str(text)[:300],
        "user": user,
        "data": data or {},
    }


def order_event_text(event: OrderEvent) -> str:
    """The event's text in the active language (see ``order_add_event``)."""
    text = _(event.text) if event.text else ""
    params = (event.data or {}).get("params")
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return text
    return text


STATE_EVENT_TEXT = {
    S.DRAFT: gettext_noop("Order returned to draft"),
    S.CREDIT_HOLD: gettext_noop("Order put on credit hold"),
    S.CONFIRMED: gettext_noop("Order confirmed"),
    S.PARTLY_RESERVED: gettext_noop("Stock partly reserved"),
    S.RESERVED: gettext_noop("Stock reserved for every line"),
    S.PARTLY_SHIPPED: gettext_noop("Order partly shipped"),
    S.SHIPPED: gettext_noop("Order shipped"),
    S.INVOICED: gettext_noop("Order invoiced"),
    S.PAID: gettext_noop("Order paid"),
    S.CANCELLED: gettext_noop("Order cancelled"),
}


def order_transition(
    *, order: SalesOrder, to_state: str, user=None, text: str = "", also: Iterable[dict] = ()
) -> SalesOrder:
    """Move ``order`` from the state the caller saw (``order.state``) to ``to_state``.

    Compare-and-set: if the order is no longer in ``order.state`` (someone else moved it, or the
    same request was sent twice) nothing changes and ``ValidationError`` on ``state`` is raised.
    An illegal move (``ALLOWED_TRANSITIONS``) raises the same way. Writes an ``OrderEvent``, and
    after it, in the same statement, the timeline entries ``also`` (``order_add_event``'s
    keyword arguments without ``order``).
    """
    orders_transition(moves=[(order, to_state, list(also))], user=user, text=text)
    return order


def orders_transition(
    *, moves: list[tuple[SalesOrder, str | None, list[dict]]], user=None, text: str = ""
) -> None:
    """``order_transition`` for several orders at once (the reservation rule's batch). Each move
    is (order, target state, timeline entries); a target of None writes the entries only. One
    UPDATE per kind of move and one INSERT for every timeline entry. If an order is no longer in
    the state the caller saw, ``ValidationError`` is raised: with several moves, call this inside
    a transaction that then rolls back."""
    now = timezone.now()
    groups: dict[tuple[str, str, bool], list[SalesOrder]] = {}
    rows = []
    for order, to_state, also in moves:
        from_state = order.state
        if to_state is not None:
            _check_transition(from_state, to_state)
            stamp = to_state == S.CONFIRMED and order.confirmed_at is None
            groups.setdefault((from_state, to_state, stamp), []).append(order)
            rows.append(
                _event_fields(
                    order,
                    f"state:{to_state}",
                    text or STATE_EVENT_TEXT.get(to_state),
                    user,
                    {"from": from_state, "to": to_state},
                )
            )
        rows.extend(_event_fields(order, **extra) for extra in also)
    stale = None
    # Joins the caller's transaction without a savepoint: nothing is raised inside the block.
    with transaction.atomic(savepoint=False):
        for (from_state, to_state, stamp), orders in groups.items():
            changes = {"state": to_state, "updated_at": now, **({"confirmed_at": now} if stamp else {})}
            updated = SalesOrder.objects.filter(pk__in=[o.pk for o in orders], state=from_state).update(
                **changes
            )
            if updated != len(orders):
                stale = from_state
                break
            for order in orders:
                for name, value in changes.items():
                    setattr(order, name, value)
        if rows and stale is None:
            OrderEvent.objects.bulk_create([OrderEvent(**row) for row in rows])
    if stale is not None:
        # One order: nothing was written. Several: the caller's transaction must roll back.
        raise ValidationError(
            {
                "state": _(
                    "The order is no longer %(state)s: it was changed meanwhile. Reload and try again."
                )
                % {"state": S(stale).label}
            }
        )


def transition_ctes(
    *, from_state: str, to_state: str, condition: str, params: Iterable = (), user=None, text: str = ""
) -> tuple[str, list]:
    """For a service that moves orders and does more in the same statement (PostgreSQL): the
    common table expressions ``moved`` (the moved orders, every column in the order of
    ``SalesOrder._meta.concrete_fields``: see ``order_from_row``) and ``logged`` (their
    timeline entries, as ``order_transition`` writes them). Orders where ``condition`` holds
    (SQL over the order row, aliased ``so``, with ``params``) move from ``from_state`` to
    ``to_state``: compare-and-set on the state, so an order moved meanwhile is left alone and
    ``moved`` is empty for it."""
    _check_transition(from_state, to_state)
    now = timezone.now()
    quote = connection.ops.quote_name
    columns = ", ".join(f"so.{quote(f.column)}" for f in SalesOrder._meta.concrete_fields)
    stamp = "COALESCE(so.confirmed_at, %s)" if to_state == S.CONFIRMED else "so.confirmed_at"
    entry = _event_fields(
        0,
        f"state:{to_state}",
        text or STATE_EVENT_TEXT.get(to_state),
        user,
        {"from": from_state, "to": to_state},
    )
    sql = f"""moved AS (
            UPDATE {SalesOrder._meta.db_table} so SET state = %s, updated_at = %s, confirmed_at = {stamp}
            WHERE so.state = %s AND ({condition}) RETURNING {columns}
        ), logged AS (
            INSERT INTO {OrderEvent._meta.db_table} (order_id, kind, text, data, user_id, created_at)
            SELECT moved.id, %s, %s, %s::jsonb, %s, %s FROM moved
        )"""
    return sql, [
        to_state,
        now,
        *([now] if to_state == S.CONFIRMED else []),
        from_state,
        *params,
        entry["kind"],
        entry["text"],
        json.dumps(entry["data"]),
        getattr(user, "pk", None),
        now,
    ]


def order_from_row(row) -> SalesOrder:
    """An order from a row of ``transition_ctes``'s ``moved`` (its first columns)."""
    fields = SalesOrder._meta.concrete_fields
    return SalesOrder.from_db(connection.alias, [f.attname for f in fields], row[: len(fields)])


def _check_transition(from_state: str, to_state: str) -> None:
    if to_state not in S.values:
        raise ValidationError({"state": _("Unknown state %(state)s.") % {"state": to_state}})
    if to_state not in ALLOWED_TRANSITIONS.get(from_state, ()):
        raise ValidationError(
            {
                "state": _("An order cannot go from %(from)s to %(to)s.")
                % {"from": S(from_state).label, "to": S(to_state).label}
            }
        )


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


def derived_state(lines: list[dict]) -> str:
    """The progress state that lines with these figures (``base_quantity``,
    ``reserved_quantity``, ``shipped_quantity``, ``invoiced_quantity``) give an order; for a
    caller that holds the order's lock and knows its lines (``order_refresh_state`` reads them)."""
    return _derived_state(lines)


def _derived_state(lines: list[dict]) -> str:
    if not lines:
        return S.CONFIRMED
    all_shipped = all(ln["shipped_quantity"] >= ln["base_quantity"] for ln in lines)
    if all_shipped:
        if all(ln["invoiced_quantity"] >= ln["base_quantity"] for ln in lines):
            return S.INVOICED
        return S.SHIPPED
    if any(ln["shipped_quantity"] > 0 for ln in lines):
        return S.PARTLY_SHIPPED
    covered = [ln["reserved_quantity"] + ln["shipped_quantity"] >= ln["base_quantity"] for ln in lines]
    if all(covered):
        return S.RESERVED
    if any(ln["reserved_quantity"] > 0 for ln in lines):
        return S.PARTLY_RESERVED
    return S.CONFIRMED


@transaction.atomic(savepoint=False)
def order_refresh_state(*, order_id: int, user=None) -> str:
    """Derive the order's state from its lines' progress: confirmed, partly reserved, reserved,
    partly shipped, shipped or invoiced. An order in draft, credit hold, cancelled or paid is
    never moved. Locks the order row so two refreshes cannot write stale results over each
    other. Returns the (possibly unchanged) state."""
    order = SalesOrder.objects.select_for_update().only("pk", "state").get(pk=order_id)
    if order.state in FROZEN_STATES:
        return order.state
    lines = list(
        SalesOrderLine.objects.filter(order_id=order_id).values(
            "base_quantity", "reserved_quantity", "shipped_quantity", "invoiced_quantity"
        )
    )
    target = _derived_state(lines)
    if target == order.state:
        return target
    SalesOrder.objects.filter(pk=order_id).update(state=target, updated_at=timezone.now())
    order_add_event(
        order=order_id,
        kind=f"state:{target}",
        text=STATE_EVENT_TEXT[target],
        user=user,
        data={"from": order.state, "to": target},
    )
    return target
