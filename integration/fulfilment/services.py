"""The order-to-cash bridge: confirm (credit check), hold and release, cancel, and the
reservation rule. Shipments and returns are in ``shipping.py``.

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
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Sum
from django.utils.translation import gettext as _

from core.audit import audit
from core.events.services import batch_cache, notify, notify_many, outbox_ctes, publish, published
from core.roles import MANAGER, is_manager
from core.sql import as_id
from crm.customers.models import Customer
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from integration.fulfilment.models import Backorder, ReservationRun, Shipment
from scm.inventory import services as stock
from scm.inventory.models import Product
from scm.inventory.selectors import active_warehouses, warehouses_by_distance

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
    publish("order.confirmed", {"order_id": order.pk, "customer_id": order.customer_id})


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
    (``selectors.order_visible_to``). ``order_confirm`` then takes the long way, with its locks,
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
    moved, moved_params = order_services.transition_ctes(
        from_state=S.DRAFT,
        to_state=S.CONFIRMED,
        condition=condition,
        params=params,
        user=user,
    )
    payload = "jsonb_build_object('order_id', moved.id, 'customer_id', moved.customer_id)"
    outbox, outbox_params = outbox_ctes("order.confirmed", payload, "moved")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {moved}, {outbox} SELECT moved.*, (SELECT array_agg(id) FROM published) FROM moved",
            [*moved_params, *outbox_params],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    published("order.confirmed", row[-1] or [])
    return _without_backorders(order_services.order_from_row(row))


def _confirm_checked(order: SalesOrder, user) -> None:
    """Confirm, or hold for credit, a draft order that is locked (or was created in this
    transaction) and known to have lines of active products."""
    if order.customer.credit_limit > 0:
        # Credit checks for one customer run one after the other.
        Customer.objects.select_for_update().filter(pk=order.customer_id).values_list("pk").get()
    check = credit_needed(order=order)
    if check["over"]:
        text = _("Credit hold: exposure %(exposure)s over the limit %(limit)s.") % {
            "exposure": check["exposure"],
            "limit": check["limit"],
        }
        order_services.order_transition(order=order, to_state=S.CREDIT_HOLD, user=user, text=text)
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
        order_services.order_transition(order=order, to_state=S.CONFIRMED, user=user)
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
        order_services.order_transition(
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
            released = stock.stock_release(demand=line.demand, user=user)
            if released:
                order_services.order_line_progress(line_id=line.pk, reserved=-released)
                released_total += released
        Backorder.objects.filter(order=order).update(quantity=0)
        Shipment.objects.filter(order=order, state=Shipment.State.PICKING).update(
            state=Shipment.State.CANCELLED
        )
        order_services.order_transition(
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


def _active_warehouses() -> list[dict]:
    """The active warehouses, read once per dispatch batch (a fraction of a second) when there is
    one. A warehouse closed meanwhile is still never reserved from: the stock query checks."""
    cache = batch_cache()
    if cache is None:
        return active_warehouses()
    if "fulfilment.warehouses" not in cache:
        cache["fulfilment.warehouses"] = active_warehouses()
    return cache["fulfilment.warehouses"]


def order_reserve(*, order_id: int, event_id: int | None = None) -> ReservationRun | None:
    """The reservation rule for one confirmed order.

    Reserves only what each line still lacks (ordered − reserved − shipped), from the warehouses
    nearest the customer first, splitting over the others; inventory takes lots
    first-expiry-first-out. What cannot be held becomes the line's backorder and a
    ``stock.shortage`` event. With ``event_id`` the run is recorded, and a second run for the same
    event does nothing. Runs under a lock on the order row.
    """
    return orders_reserve(runs=[(order_id, event_id)])[0]


def orders_reserve(*, runs: list[tuple[int, int | None]]) -> list[ReservationRun | None]:
    """``order_reserve`` for several orders, (order id, event id) each, in one transaction and
    the same dozen statements as for one: the worker's batch when orders arrive faster than one
    by one. The orders are served in the given order, each as ``order_reserve`` would serve it
    after the ones before. An order may appear once. Returns each run (None: already run)."""
    order_ids = [order_id for order_id, _e in runs]
    if len(set(order_ids)) != len(order_ids):
        raise ValueError("orders_reserve: an order appears twice")
    event_ids = [e for _o, e in runs if e is not None]
    # Joins the delivery's transaction when there is one (no savepoint).
    with transaction.atomic(savepoint=False):
        results, todo_orders = _lock_for_runs(runs, event_ids)
        lines_by_order: dict[int, list] = {order.pk: [] for order, _run in todo_orders}
        if todo_orders:
            lines = (
                SalesOrderLine.objects.filter(order_id__in=list(lines_by_order))
                .select_related("product")
                .annotate(backordered=Exists(Backorder.objects.filter(line=OuterRef("pk"))))
                .order_by("pk")
            )
            for line in lines:
                lines_by_order[line.order_id].append(line)
        warehouses = _active_warehouses() if todo_orders else []
        # Every line of every order in a few statements; a product deactivated after
        # confirmation holds nothing.
        todo, demands, nearest = [], [], []
        for order, _run in todo_orders:
            customer = order.customer
            order_warehouses = warehouses_by_distance(
                latitude=customer.latitude, longitude=customer.longitude, warehouses=warehouses
            )
            for line in lines_by_order[order.pk]:
                remaining = line.base_quantity - line.reserved_quantity - line.shipped_quantity
                if remaining <= 0:
                    continue
                todo.append((line, remaining))
                if line.product.is_active and not line.product.is_template:
                    demands.append((line.demand, line.product, remaining))
                    nearest.append(order_warehouses)
        allocations = (
            stock.stock_reserve_many(demands=demands, warehouse_ids_by_demand=nearest) if demands else {}
        )
        got_by_line = {
            line.pk: sum((a.quantity for a in allocations.get(line.demand, ())), ZERO) for line, _r in todo
        }
        order_services.order_lines_progress(reserved=got_by_line)
        totals = {order.pk: [ZERO, ZERO] for order, _run in todo_orders}
        for line, remaining in todo:
            got = got_by_line[line.pk]
            short = remaining - got
            # A backorder row only where something was ever short (no query in the common case).
            if line.backordered:
                Backorder.objects.filter(line=line).update(quantity=short)
            elif short > 0:
                Backorder.objects.create(
                    line=line, order_id=line.order_id, product=line.product, quantity=short
                )
            if short > 0:
                publish(
                    "stock.shortage",
                    {
                        "product_id": line.product_id,
                        "quantity": str(short),
                        "order_id": line.order_id,
                        "line_id": line.pk,
                    },
                )
            totals[line.order_id][0] += got
            totals[line.order_id][1] += short
        moves, notes = [], []
        for order, run in todo_orders:
            run.reserved, run.backordered = totals[order.pk]
            move, note = _run_outcome(order, run, lines_by_order[order.pk], got_by_line)
            moves.append(move)
            notes.append(note)
        order_services.orders_transition(moves=moves)
        recorded = [
            run
            for (_o, event_id), run in zip(runs, results, strict=True)
            if run is not None and event_id is not None
        ]
        if recorded:
            ReservationRun.objects.bulk_create(recorded)
        notify_many(notes)
    return results


def _lock_for_runs(runs, event_ids):
    """Lock the runs' orders (primary-key order) and set up each run: None where the event was
    already handled; the orders still to reserve, with their runs."""
    locked = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").order_by("pk")
    if event_ids:
        locked = locked.annotate(
            already_run=Exists(ReservationRun.objects.filter(order=OuterRef("pk"), event_id__in=event_ids))
        )
    orders = {o.pk: o for o in locked.filter(pk__in=[order_id for order_id, _e in runs])}
    missing = {order_id for order_id, _e in runs} - set(orders)
    if missing:
        raise SalesOrder.DoesNotExist(f"No order {sorted(missing)}")
    results: list[ReservationRun | None] = []
    todo_orders = []
    for order_id, event_id in runs:
        order = orders[order_id]
        if event_id is not None and getattr(order, "already_run", False):
            results.append(None)
            continue
        run = ReservationRun(event_id=event_id or -order.pk, order=order)
        results.append(run)
        if order.state in RESERVABLE_STATES:
            todo_orders.append((order, run))
    return results, todo_orders


def _run_outcome(order, run, lines, got_by_line) -> tuple[tuple, dict]:
    """One order's result: its move (new state, or None to stay, and the timeline entry) and
    the rep's notification. The lines' figures are known (read under the order's lock, plus
    what was just reserved): the derived state follows without reading them back."""
    target = order_services.derived_state(
        [
            {
                "base_quantity": line.base_quantity,
                "reserved_quantity": line.reserved_quantity + got_by_line.get(line.pk, ZERO),
                "shipped_quantity": line.shipped_quantity,
                "invoiced_quantity": line.invoiced_quantity,
            }
            for line in lines
        ]
    )
    if run.backordered:
        text = _("Reserved %(reserved)s; %(short)s on backorder.") % {
            "reserved": _fmt(run.reserved),
            "short": _fmt(run.backordered),
        }
    else:
        text = _("All stock reserved (%(reserved)s).") % {"reserved": _fmt(run.reserved)}
    move = (order, target if target != order.state else None, [{"kind": "reserved", "text": text}])
    note = {
        "users": [order.owner_id],
        "title": _("Order %(number)s: %(text)s") % {"number": order.number, "text": text},
        "url": _order_url(order),
        "kind": "reservation",
        "key": f"reservation:{order.pk}:{run.event_id if run.event_id > 0 else 'manual'}",
    }
    return move, note


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"
