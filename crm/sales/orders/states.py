"""The sales order's state machine: which moves are allowed, the compare-and-set transition
that makes one (and writes its timeline entry), and the progress states derived from the lines.

Confirm, hold, release and cancel are decided by ``integration.fulfilment``; the progress states
(reserved … invoiced) follow the lines' figures (``order_refresh_state``). A state changes with
``filter(pk=…, state=seen).update(state=new)``, so two people moving the same order at the same
moment cannot both succeed.
"""

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from crm.sales.orders.services import _event_fields, order_add_event

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
# Orders past the draft that are not finished (invoiced, paid) nor cancelled.
OPEN_STATES = frozenset(
    {S.CREDIT_HOLD, S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED, S.SHIPPED}
)
# Orders we have accepted and not yet invoiced in full: their uninvoiced part is what the
# customer will owe once we ship (``selectors.open_orders``, the "open orders" of credit
# exposure). Not a draft (no commitment yet), not an order on credit hold (not accepted: a
# manager decides), not a cancelled one.
CREDIT_STATES = frozenset({S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED, S.SHIPPED})
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
    *,
    order: SalesOrder,
    to_state: str,
    user=None,
    text: str = "",
    params: dict | None = None,
    also: Iterable[dict] = (),
) -> SalesOrder:
    """Move ``order`` from the state the caller saw (``order.state``) to ``to_state``.

    Compare-and-set: if the order is no longer in ``order.state`` (someone else moved it, or the
    same request was sent twice) nothing changes and ``ValidationError`` on ``state`` is raised.
    An illegal move (``ALLOWED_TRANSITIONS``) raises the same way. Writes an ``OrderEvent``
    (``text``, a message key with ``params``, or the state's own text), and after it, in the
    same statement, the timeline entries ``also`` (``order_add_event``'s keyword arguments
    without ``order``).
    """
    orders_transition(moves=[(order, to_state, list(also))], user=user, text=text, params=params)
    return order


def orders_transition(
    *,
    moves: list[tuple[SalesOrder, str | None, list[dict]]],
    user=None,
    text: str = "",
    params: dict | None = None,
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
                    params if text else None,
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
