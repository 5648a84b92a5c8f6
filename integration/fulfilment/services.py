"""The order-to-cash bridge: confirm (credit check), hold and release, cancel. The reservation
rule is in ``reservations``, shipments and returns in ``shipping``.

Locking: every service that changes an order first locks the order row (``select_for_update``),
then, where needed, the customer row; inventory services take their own row locks after that.
One order of locks everywhere, so two services never wait on each other in a circle.
Order state and line progress change only through ``crm.sales.orders.services``; stock only
through ``scm.inventory.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.db import atomic_with_retry
from core.events import names
from core.events.services import notify, outbox_ctes, publish, published
from core.roles import MANAGER
from core.sql import as_id
from crm.customers.models import Customer
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from crm.sales.orders.selectors import orders_actable_by, orders_visible_to, owners_actable_by
from finance.selectors import credit_exposure
from integration.fulfilment.models import Backorder, Shipment
from scm.inventory import reservations
from scm.inventory.models import Product
from scm.inventory.services import plain_qty

ZERO = Decimal("0")
S = SalesOrder.State
RESERVABLE_STATES = (S.CONFIRMED, S.PARTLY_RESERVED)
CANCELLABLE_STATES = (S.DRAFT, S.CREDIT_HOLD, S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED)


def _lock_order(order_or_id) -> SalesOrder:
    pk = getattr(order_or_id, "pk", order_or_id)
    return SalesOrder.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=pk)


def credit_needed(*, order: SalesOrder) -> dict:
    """The credit check's figures: the customer's credit exposure with this order added
    (``finance.selectors.credit_exposure``, the definition the finance pages and the order
    form show). A limit of zero means none was set: such customers are not held, and the
    check costs no query."""
    return credit_exposure(customer=order.customer, adding=order.total, limited_only=True)


def _managers():
    return get_user_model().objects.filter(groups__name=MANAGER, is_active=True).values_list("pk", flat=True)


def _publish_confirmed(order: SalesOrder) -> None:
    publish(names.ORDER_CONFIRMED, {"order_id": order.pk, "customer_id": order.customer_id})


def _confirm_checks(user) -> dict:
    """What confirming needs to know of an order, asked in the query that reads and locks it:
    whether the user may see it and act on it (the order record rules, ``orders_visible_to`` and
    ``orders_actable_by``, as subqueries the ORM writes), whether it has lines, and any of a
    deactivated product."""
    lines = SalesOrderLine.objects.filter(order=OuterRef("pk"))
    return {
        "seen": Exists(orders_visible_to(user).filter(pk=OuterRef("pk"))),
        "acted_on": Exists(orders_actable_by(user).filter(pk=OuterRef("pk"))),
        "has_lines": Exists(lines),
        "has_inactive": Exists(lines.filter(product__is_active=False)),
    }


def order_confirm(*, order: SalesOrder | int, user) -> SalesOrder:
    """Confirm a draft order (an order or its id), or put it on credit hold when the customer's
    exposure would pass the credit limit. ``order.confirmed`` is published in the same
    transaction. Raises ``SalesOrder.DoesNotExist`` if there is no such order or the user may
    not see it, ``PermissionDenied`` if they see it but may not act on it (the record rules).

    Locks the order, then the customer, so two confirmations for one customer check credit one
    after the other (neither sees the other's order as not yet counted). The usual case (a
    customer without credit limit: nothing to check, so nothing to lock) is first tried in one
    statement on PostgreSQL (``_confirm_in_one_statement``; the ``ORDERS_CONFIRM_IN_ONE_STATEMENT``
    setting), which writes what the steps below write; anything else takes the steps."""
    pk = as_id(getattr(order, "pk", order))
    if pk is None:
        raise SalesOrder.DoesNotExist
    if settings.ORDERS_CONFIRM_IN_ONE_STATEMENT and connection.vendor == "postgresql":
        done = _confirm_in_one_statement(order_id=pk, user=user)
        if done is not None:
            return done
    return _confirm_steps(pk, user)


@atomic_with_retry
def _confirm_steps(pk: int, user) -> SalesOrder:
    """``order_confirm``'s steps, in a transaction of their own that runs again on a deadlock."""
    order = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "owner")
        .annotate(**_confirm_checks(user))
        .get(pk=pk)
    )
    if not order.seen:  # an order the user may not see is not found, as everywhere
        raise SalesOrder.DoesNotExist
    if not order.acted_on:
        raise PermissionDenied
    if order.state != S.DRAFT:
        raise ValidationError(
            {
                "state": _("Only a draft order can be confirmed; this order is %(state)s.")
                % {"state": order.get_state_display()}
            }
        )
    if not order.has_lines:
        raise ValidationError({"lines": _("An order needs at least one line to be confirmed.")})
    if order.has_inactive:
        raise ValidationError(
            {"lines": _("A product on this order is no longer active: change the order first.")}
        )
    _confirm_checked(order, user)
    return order


def _confirm_in_one_statement(*, order_id: int, user) -> SalesOrder | None:
    """``order_confirm``'s usual case in one statement, without a transaction of its own
    (PostgreSQL): a draft order the user may act on, with lines, none of them of an inactive
    product, for a customer without a credit limit, is confirmed, its timeline entry is written
    and ``order.confirmed`` is published, as the steps of ``order_confirm`` do.

    Returns the confirmed order, or None, having changed nothing, when anything else applies;
    ``order_confirm`` then takes its steps, with their locks, credit check and messages. The
    conditions are ``_confirm_checks``'s, written out here, where the ORM would cost more to
    build them than the statement costs to run: the order record rule in its SQL form
    (``owners_actable_by``, the one definition's owners), lines, active products, no credit
    limit."""
    owners = owners_actable_by(user)
    line, product = SalesOrderLine._meta.db_table, Product._meta.db_table
    condition = f"""so.id = %s
        AND EXISTS (SELECT 1 FROM {line} l WHERE l.order_id = so.id)
        AND NOT EXISTS (SELECT 1 FROM {line} l JOIN {product} p ON p.id = l.product_id
                        WHERE l.order_id = so.id AND NOT p.is_active)
        AND EXISTS (SELECT 1 FROM {Customer._meta.db_table} c
                    WHERE c.id = so.customer_id AND c.credit_limit <= 0)"""
    params = [order_id]
    if owners is not None:  # None: the user may act on anyone's order
        condition += " AND so.owner_id = ANY(%s)"
        params.append(list(owners))
    moved, moved_params = order_states.transition_ctes(
        from_state=S.DRAFT,
        to_state=S.CONFIRMED,
        condition=condition,
        params=params,
        user=user,
    )
    payload = "jsonb_build_object('order_id', moved.id, 'customer_id', moved.customer_id)"
    outbox, outbox_params = outbox_ctes(names.ORDER_CONFIRMED, payload, "moved")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {moved}, {outbox} SELECT moved.*, (SELECT array_agg(id) FROM published) FROM moved",
            [*moved_params, *outbox_params],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    published(names.ORDER_CONFIRMED, row[-1] or [])
    return order_states.order_from_row(row)


def _confirm_checked(order: SalesOrder, user) -> None:
    """Confirm, or hold for credit, a draft order that is locked (or was created in this
    transaction) and known to have lines of active products."""
    if order.customer.credit_limit > 0:
        # Credit checks for one customer run one after the other.
        Customer.objects.select_for_update().filter(pk=order.customer_id).values_list("pk").get()
    check = credit_needed(order=order)
    if check["over_limit"]:
        # Stored as message keys with their figures: each reader sees them in their language.
        text = gettext_noop("Credit hold: exposure %(exposure)s over the limit %(limit)s.")
        params = {"number": order.number, "exposure": check["exposure"], "limit": check["limit"]}
        order_states.order_transition(
            order=order, to_state=S.CREDIT_HOLD, user=user, text=text, params=params
        )
        audit(
            "fulfilment.credit_hold",
            actor=user,
            obj=order,
            data={k: str(v) for k, v in check.items()},
        )
        notify(
            users=list(_managers()),
            title=gettext_noop("Order %(number)s is on credit hold"),
            body=text,
            params=params,
            url=_order_url(order),
            kind="credit_hold",
            key=f"credit-hold:{order.pk}",
        )
    else:
        # The timeline's own text ("Order confirmed"), shown in the reader's language.
        order_states.order_transition(order=order, to_state=S.CONFIRMED, user=user)
        _publish_confirmed(order)


@atomic_with_retry
def order_place(*, customer, owner, lines: list[dict], **fields) -> SalesOrder:
    """Create and confirm an order in one step, as a web shop or an EDI link places it: one
    transaction, so bad input leaves no draft behind. The credit check applies as for any
    confirmation (the order may end on credit hold). Returns the order as created, in its new
    state."""
    order = order_services.order_create(customer=customer, owner=owner, lines=lines, **fields)
    order.customer, order.owner = customer, owner
    confirmed = order_confirm(order=order, user=owner)
    order.state, order.confirmed_at, order.updated_at = (
        confirmed.state,
        confirmed.confirmed_at,
        confirmed.updated_at,
    )
    return order


@atomic_with_retry
def order_release_hold(*, order: SalesOrder, user, text: str = "") -> SalesOrder:
    """A manager lets an order on credit hold through (audited); it is confirmed and reserved."""
    order = _lock_order(order)
    if order.state != S.CREDIT_HOLD:
        raise ValidationError({"state": _("This order is not on credit hold.")})
    # The manager's own words as written, else the message key.
    order_states.order_transition(
        order=order, to_state=S.CONFIRMED, user=user, text=text or gettext_noop("Credit hold released")
    )
    audit("fulfilment.credit_release", actor=user, obj=order, data={"text": text, "total": str(order.total)})
    _publish_confirmed(order)
    notify(
        users=[order.owner_id],
        title=gettext_noop("Credit hold released on %(number)s"),
        params={"number": order.number},
        url=_order_url(order),
        kind="credit_release",
        key=f"credit-release:{order.pk}",
    )
    return order


@atomic_with_retry
def order_cancel(*, order: SalesOrder, user, text: str = "") -> SalesOrder:
    """Cancel an order that has not shipped: every reservation is released, backorders and open
    pick lists closed."""
    order = _lock_order(order)
    if order.state not in CANCELLABLE_STATES:
        raise ValidationError(
            {
                "state": _("An order that is %(state)s can no longer be cancelled.")
                % {"state": order.get_state_display()}
            }
        )
    lines = {line.demand: line for line in order.lines.all()}
    released = reservations.stock_release_many(demands=list(lines), reference=order.number, user=user)
    order_services.order_lines_progress(
        reserved={lines[demand].pk: -qty for demand, qty in released.items() if qty}
    )
    released_total = sum(released.values(), ZERO)
    Backorder.objects.filter(order=order).update(quantity=0, updated_at=timezone.now())
    Shipment.objects.filter(order=order, state=Shipment.State.PICKING).update(state=Shipment.State.CANCELLED)
    order_states.order_transition(
        order=order, to_state=S.CANCELLED, user=user, text=text or gettext_noop("Cancelled")
    )
    publish(names.ORDER_CANCELLED, {"order_id": order.pk, "customer_id": order.customer_id})
    audit("fulfilment.cancel", actor=user, obj=order, data={"released": str(released_total)})
    return order


SHORTENABLE_STATES = (S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED)


def order_line_shorten(*, order: SalesOrder, line_id, quantity, user, text: str = "") -> SalesOrder:
    """The customer wants less of a confirmed order's line: the line asks for ``quantity`` (in
    its unit) from now on, what it holds beyond that is released (free for other orders:
    inventory announces it), its backorder shrinks, the order's totals and state follow.
    Audited, with a timeline entry. Open pick lists of the order holding the line are cancelled
    when stock is released (they would offer more than is held): the warehouse opens a new one.

    Locks the order, then inventory's rows (``stock_release``)."""
    with transaction.atomic():
        order = _lock_order(order)
        if order.state not in SHORTENABLE_STATES:
            raise ValidationError(
                {
                    "state": _("The lines of an order that is %(state)s cannot be shortened.")
                    % {"state": order.get_state_display()}
                }
            )
        line = _order_line(order, line_id)
        old_quantity = line.quantity
        reserved_before = line.reserved_quantity
        order_services.order_line_reduce(line=line, quantity=quantity)
        released = _release_beyond_need(order, line, reserved_before, user)
        short = max(line.base_quantity - (reserved_before - released) - line.shipped_quantity, ZERO)
        Backorder.objects.filter(line=line).update(quantity=short, updated_at=timezone.now())
        order_services.order_add_event(
            order=order,
            kind="line_shortened",
            text=gettext_noop("%(product)s reduced from %(old)s to %(new)s; %(released)s released."),
            user=user,
            data={
                "params": {
                    "product": line.product.name,
                    "old": plain_qty(old_quantity),
                    "new": plain_qty(line.quantity),
                    "released": plain_qty(released),
                },
                "line_id": line.pk,
                "text": text,
            },
        )
        order_states.order_refresh_state(order_id=order.pk, user=user)
        audit(
            "fulfilment.line_shorten",
            actor=user,
            obj=order,
            data={
                "line": line.pk,
                "from": str(old_quantity),
                "to": str(line.quantity),
                "released": str(released),
                "text": text,
            },
        )
    order.refresh_from_db()
    return order


def _order_line(order: SalesOrder, line_id) -> SalesOrderLine:
    pk = as_id(line_id)
    line = SalesOrderLine.objects.select_related("product", "unit").filter(order=order, pk=pk).first()
    if pk is None or line is None:
        raise ValidationError({"line": _("This line is not on the order.")})
    return line


def _release_beyond_need(order: SalesOrder, line: SalesOrderLine, reserved_before: Decimal, user) -> Decimal:
    """What a shortened line holds beyond its new need is released; open pick lists holding the
    line are cancelled (they would offer more than is held). Returns what was released."""
    excess = reserved_before - (line.base_quantity - line.shipped_quantity)
    if excess <= 0:
        return ZERO
    released = reservations.stock_release(demand=line.demand, quantity=excess, user=user)
    order_services.order_line_progress(line_id=line.pk, reserved=-released)
    Shipment.objects.filter(order=order, state=Shipment.State.PICKING, lines__order_line=line).update(
        state=Shipment.State.CANCELLED
    )
    return released


def _order_url(order) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("sales:orders:order_detail", "sales:order_detail"):
        try:
            return reverse(name, args=[order.pk])
        except NoReverseMatch:
            continue
    return ""
