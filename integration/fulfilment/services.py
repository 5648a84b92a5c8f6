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
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Sum
from django.utils.translation import gettext as _

from core.audit import audit
from core.events import names
from core.events.services import notify, outbox_ctes, publish, published
from core.roles import MANAGER
from core.sql import as_id
from crm.customers.models import Customer
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from crm.sales.orders.selectors import orders_visible_to
from integration.fulfilment.models import Backorder, Shipment
from scm.inventory import reservations
from scm.inventory.models import Product

ZERO = Decimal("0")
S = SalesOrder.State
# Confirmed but not yet invoiced in full: what the customer owes us once we ship.
OPEN_STATES = (S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED, S.PARTLY_SHIPPED, S.SHIPPED)
RESERVABLE_STATES = (S.CONFIRMED, S.PARTLY_RESERVED)
CANCELLABLE_STATES = (S.DRAFT, S.CREDIT_HOLD, S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED)


def _lock_order(order_or_id) -> SalesOrder:
    pk = getattr(order_or_id, "pk", order_or_id)
    return SalesOrder.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=pk)


def open_orders_amount(*, customer_id: int, exclude_order_id: int | None = None) -> Decimal:
    """Gross value of what confirmed orders still have to invoice (one query)."""

    open_share = ExpressionWrapper(
        (F("net_amount") + F("tax_amount"))
        * (F("base_quantity") - F("invoiced_quantity"))
        / F("base_quantity"),
        output_field=DecimalField(max_digits=24, decimal_places=6),
    )
    qs = SalesOrderLine.objects.filter(order__customer_id=customer_id, order__state__in=OPEN_STATES)
    if exclude_order_id is not None:
        qs = qs.exclude(order_id=exclude_order_id)
    total = qs.aggregate(t=Sum(open_share))["t"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def credit_needed(*, order: SalesOrder) -> dict:
    """The credit check's figures: receivables + open orders + this order against the limit.
    A limit of zero means none was set: such customers are not held."""
    from finance.selectors import open_receivables

    customer = order.customer
    limit = customer.credit_limit
    if not limit or limit <= 0:
        # No limit set: nothing to check, and three queries saved on every confirmation.
        return {
            "receivables": None,
            "open_orders": None,
            "order": order.total,
            "exposure": None,
            "limit": limit,
            "over": False,
        }
    receivables = Decimal(open_receivables(customer_id=customer.pk) or 0)
    open_orders = open_orders_amount(customer_id=customer.pk, exclude_order_id=order.pk)
    exposure = receivables + open_orders + order.total
    return {
        "receivables": receivables,
        "open_orders": open_orders,
        "order": order.total,
        "exposure": exposure,
        "limit": limit,
        "over": exposure > limit,
    }


def _managers():
    return get_user_model().objects.filter(groups__name=MANAGER, is_active=True).values_list("pk", flat=True)


def _publish_confirmed(order: SalesOrder) -> None:
    publish(names.ORDER_CONFIRMED, {"order_id": order.pk, "customer_id": order.customer_id})


def _confirm_checks(user) -> dict:
    """What confirming needs to know of an order, asked in the query that reads or moves it:
    whether the user may act on it (the order record rule, ``orders_visible_to``, as a subquery
    the ORM writes), whether it has lines, and any of a deactivated product."""
    lines = SalesOrderLine.objects.filter(order=OuterRef("pk"))
    return {
        "acted_on": Exists(orders_visible_to(user).filter(pk=OuterRef("pk"))),
        "has_lines": Exists(lines),
        "has_inactive": Exists(lines.filter(product__is_active=False)),
    }


def order_confirm(*, order: SalesOrder | int, user) -> SalesOrder:
    """Confirm a draft order (an order or its id), or put it on credit hold when the customer's
    exposure would pass the credit limit. ``order.confirmed`` is published in the same
    transaction. Raises ``PermissionDenied`` if the user may not act on the order
    (the order record rule), ``SalesOrder.DoesNotExist`` if there is no such order.

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
    with transaction.atomic():
        order = (
            SalesOrder.objects.select_for_update(of=("self",))
            .select_related("customer", "owner")
            .annotate(**_confirm_checks(user))
            .get(pk=pk)
        )
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
    conditions are ``_confirm_checks``'s: the order record rule as the ORM writes it (the one
    definition, ``orders_visible_to``), the rest written out here, where the ORM would cost more
    to build them than the statement costs to run."""
    try:
        acted_on_sql, acted_on_params = (
            orders_visible_to(user).filter(pk=order_id).order_by().values("pk").query.sql_with_params()
        )
    except EmptyResultSet:  # the rule lets the user act on no order: the steps tell why
        return None
    line, product = SalesOrderLine._meta.db_table, Product._meta.db_table
    condition = f"""so.id = %s
        AND so.id IN ({acted_on_sql})
        AND EXISTS (SELECT 1 FROM {line} l WHERE l.order_id = so.id)
        AND NOT EXISTS (SELECT 1 FROM {line} l JOIN {product} p ON p.id = l.product_id
                        WHERE l.order_id = so.id AND NOT p.is_active)
        AND EXISTS (SELECT 1 FROM {Customer._meta.db_table} c
                    WHERE c.id = so.customer_id AND c.credit_limit <= 0)"""
    moved, moved_params = order_states.transition_ctes(
        from_state=S.DRAFT,
        to_state=S.CONFIRMED,
        condition=condition,
        params=[order_id, *acted_on_params],
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
    """Confirm, or hold for credit, a draft order that is locked and known to have lines of
    active products."""
    if order.customer.credit_limit > 0:
        # Credit checks for one customer run one after the other.
        Customer.objects.select_for_update().filter(pk=order.customer_id).values_list("pk").get()
    check = credit_needed(order=order)
    if check["over"]:
        text = _("Credit hold: exposure %(exposure)s over the limit %(limit)s.") % {
            "exposure": check["exposure"],
            "limit": check["limit"],
        }
        order_states.order_transition(order=order, to_state=S.CREDIT_HOLD, user=user, text=text)
        audit(
            "fulfilment.credit_hold",
            actor=user,
            obj=order,
            data={k: str(v) for k, v in check.items()},
        )
        notify(
            users=list(_managers()),
            title=_("Order %(number)s is on credit hold") % {"number": order.number},
            body=text,
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
    confirmation (the order may end on credit hold). Returns the order as created, in its new
    state."""
    with transaction.atomic():
        order = order_services.order_create(customer=customer, owner=owner, lines=lines, **fields)
        order.customer, order.owner = customer, owner
        confirmed = order_confirm(order=order, user=owner)
        order.state, order.confirmed_at, order.updated_at = (
            confirmed.state,
            confirmed.confirmed_at,
            confirmed.updated_at,
        )
    return order


def order_release_hold(*, order: SalesOrder, user, text: str = "") -> SalesOrder:
    """A manager lets an order on credit hold through (audited); it is confirmed and reserved."""
    with transaction.atomic():
        order = _lock_order(order)
        if order.state != S.CREDIT_HOLD:
            raise ValidationError({"state": _("This order is not on credit hold.")})
        order_states.order_transition(
            order=order, to_state=S.CONFIRMED, user=user, text=text or _("Credit hold released")
        )
        audit(
            "fulfilment.credit_release", actor=user, obj=order, data={"text": text, "total": str(order.total)}
        )
        _publish_confirmed(order)
        notify(
            users=[order.owner_id],
            title=_("Credit hold released on %(number)s") % {"number": order.number},
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
        released_total = ZERO
        for line in order.lines.all():
            released = reservations.stock_release(demand=line.demand, user=user)
            if released:
                order_services.order_line_progress(line_id=line.pk, reserved=-released)
                released_total += released
        Backorder.objects.filter(order=order).update(quantity=0)
        Shipment.objects.filter(order=order, state=Shipment.State.PICKING).update(
            state=Shipment.State.CANCELLED
        )
        order_states.order_transition(
            order=order, to_state=S.CANCELLED, user=user, text=text or _("Cancelled")
        )
        audit("fulfilment.cancel", actor=user, obj=order, data={"released": str(released_total)})
    return order


def _order_url(order) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("sales:orders:order_detail", "sales:order_detail"):
        try:
            return reverse(name, args=[order.pk])
        except NoReverseMatch:
            continue
    return ""
