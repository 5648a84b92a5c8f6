"""The order-to-cash bridge: confirm (credit check), hold and release, cancel. The reservation
rule is in ``reservations``, shipments and returns in ``shipping``.

Locking: every service that changes an order first locks the order row (``select_for_update``),
then, where needed, the customer row; inventory services take their own row locks after that.
One order of locks everywhere, so two services never wait on each other in a circle.
Order state and line progress change only through ``crm.sales.orders.services``; stock only
through ``scm.inventory.services``.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.events import names
from core.events.services import notify, outbox_ctes, publish, published
from core.roles import MANAGER, is_manager
from core.sql import as_id
from crm.customers.models import Customer
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from finance.selectors import credit_exposure
from integration.fulfilment.models import Backorder, Shipment
from scm.inventory import reservations
from scm.inventory.models import Product

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


def order_confirm(*, order: SalesOrder, user, at_once: bool = True) -> SalesOrder:
    """Confirm a draft order, or put it on credit hold when the customer's exposure would pass
    the credit limit. ``order.confirmed`` is published in the same transaction.

    Locks the order, then the customer, so two confirmations for one customer check credit one
    after the other (neither sees the other's order as not yet counted). The usual case (no
    credit limit) is tried first in one statement (``order_confirm_at_once``; ``at_once=False``
    skips that try when the caller has just made it)."""
    if at_once:
        done = order_confirm_at_once(order_id=order.pk, user=user)
        if done is not None:
            return done
    with transaction.atomic():
        # The lock also tells whether the order has lines, and any of a deactivated product.
        lines = SalesOrderLine.objects.filter(order=OuterRef("pk"))
        order = (
            SalesOrder.objects.select_for_update(of=("self",))
            .select_related("customer", "owner")
            .annotate(has_lines=Exists(lines), has_inactive=Exists(lines.filter(product__is_active=False)))
            .get(pk=order.pk)
        )
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
    return _without_backorders(order)


def _without_backorders(order: SalesOrder) -> SalesOrder:
    # A draft was never reserved, so it has no backorder yet: the caller can show the order
    # without asking.
    none = Backorder.objects.none()
    none._result_cache, none._prefetch_done = [], True
    order._prefetched_objects_cache = {"backorders": none}
    return order


def order_confirm_at_once(*, order_id, user, record_rule: bool = False) -> SalesOrder | None:
    """The usual confirmation in one statement, without a transaction of its own (PostgreSQL):
    a draft order with lines, none of them of an inactive product, for a customer without a
    credit limit (nothing to check, so nothing to lock) is confirmed, its timeline entry is
    written and ``order.confirmed`` is published, exactly as ``order_confirm`` does.

    Returns the confirmed order, or None, having changed nothing, when anything else applies:
    the order is not a draft, has no lines or an inactive product, the customer has a credit
    limit, or, with ``record_rule``, the user may not act on the order
    (``crm.sales.orders.selectors``). ``order_confirm`` then takes the long way, with its locks,
    credit check and messages."""
    order_id = as_id(order_id)
    if connection.vendor != "postgresql" or order_id is None:
        return None
    line, product = SalesOrderLine._meta.db_table, Product._meta.db_table
    condition = f"""so.id = %s
        AND EXISTS (SELECT 1 FROM {line} l WHERE l.order_id = so.id)
        AND NOT EXISTS (SELECT 1 FROM {line} l JOIN {product} p ON p.id = l.product_id
                        WHERE l.order_id = so.id AND NOT p.is_active)
        AND EXISTS (SELECT 1 FROM {Customer._meta.db_table} c
                    WHERE c.id = so.customer_id AND COALESCE(c.credit_limit, 0) <= 0)"""
    params = [order_id]
    if record_rule and not is_manager(user):
        condition += " AND so.owner_id = %s"
        params.append(user.pk)
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
    return _without_backorders(order_states.order_from_row(row))


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


def order_place(*, customer, owner, lines: list[dict], **fields) -> SalesOrder:
    """Create and confirm an order in one step, as a web shop or an EDI link places it: one
    transaction, so bad input leaves no draft behind. The credit check applies as for any
    confirmation (the order may end on credit hold). Returns the order with its lines."""
    with transaction.atomic():
        order = order_services.order_create(customer=customer, owner=owner, lines=lines, **fields)
        order.customer, order.owner = customer, owner
        confirmed = order_confirm_at_once(order_id=order.pk, user=owner)
        if confirmed is not None:
            order.state, order.confirmed_at, order.updated_at = (
                confirmed.state,
                confirmed.confirmed_at,
                confirmed.updated_at,
            )
        else:
            # Nobody else can see the new row before commit: no lock, no second read. The
            # service has just checked its lines (at least one, every product active).
            _confirm_checked(order, owner)  # sets the order's new state on it
    return order


def order_release_hold(*, order: SalesOrder, user, text: str = "") -> SalesOrder:
    """A manager lets an order on credit hold through (audited); it is confirmed and reserved."""
    with transaction.atomic():
        order = _lock_order(order)
        if order.state != S.CREDIT_HOLD:
            raise ValidationError({"state": _("This order is not on credit hold.")})
        # The manager's own words as written, else the message key.
        order_states.order_transition(
            order=order, to_state=S.CONFIRMED, user=user, text=text or gettext_noop("Credit hold released")
        )
        audit(
            "fulfilment.credit_release", actor=user, obj=order, data={"text": text, "total": str(order.total)}
        )
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


def order_cancel(*, order: SalesOrder, user, text: str = "") -> SalesOrder:
    """Cancel an order that has not shipped: every reservation is released, backorders and open
    pick lists closed."""
    with transaction.atomic():
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
        Backorder.objects.filter(order=order).update(quantity=0)
        Shipment.objects.filter(order=order, state=Shipment.State.PICKING).update(
            state=Shipment.State.CANCELLED
        )
        order_states.order_transition(
            order=order, to_state=S.CANCELLED, user=user, text=text or gettext_noop("Cancelled")
        )
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
        pk = as_id(line_id)
        line = (
            SalesOrderLine.objects.select_related("product", "unit").filter(order=order, pk=pk).first()
            if pk is not None
            else None
        )
        if line is None:
            raise ValidationError({"line": _("This line is not on the order.")})
        old_quantity = line.quantity
        reserved_before = line.reserved_quantity
        order_services.order_line_reduce(line=line, quantity=quantity)
        excess = reserved_before - (line.base_quantity - line.shipped_quantity)
        released = ZERO
        if excess > 0:
            released = reservations.stock_release(demand=line.demand, quantity=excess, user=user)
            order_services.order_line_progress(line_id=line.pk, reserved=-released)
            Shipment.objects.filter(order=order, state=Shipment.State.PICKING, lines__order_line=line).update(
                state=Shipment.State.CANCELLED
            )
        short = max(line.base_quantity - (reserved_before - released) - line.shipped_quantity, ZERO)
        Backorder.objects.filter(line=line).update(quantity=short)
        order_services.order_add_event(
            order=order,
            kind="line_shortened",
            text=gettext_noop("%(product)s reduced from %(old)s to %(new)s; %(released)s released."),
            user=user,
            data={
                "params": {
                    "product": line.product.name,
                    "old": _fmt(old_quantity),
                    "new": _fmt(line.quantity),
                    "released": _fmt(released),
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


def _fmt(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _order_url(order) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("sales:orders:order_detail", "sales:order_detail"):
        try:
            return reverse(name, args=[order.pk])
        except NoReverseMatch:
            continue
    return ""
