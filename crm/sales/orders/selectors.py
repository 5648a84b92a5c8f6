"""Reads for quotes and sales orders, with the record rules that every page, API, service and
SQL statement about an order shares (the orders and quotes pages and API, the fulfilment
workflow, shipments, returns, pick lists and documents, the customer 360 panels).

Record rules, the customers' (``crm.customers.selectors``) applied to orders and quotes:
- read (``orders_visible_to``, ``order_visible_q``): a user whose only role is sales reads the
  records they own and their teammates' (members of the teams they are in or lead); everyone
  else with a role reads all (managers, admins, and the back office whose work is every
  order: finance, the warehouse, service). Which pages a role reaches at all is the role check's
  business (``ORDER_READ_ROLES``).
- act (``can_change``, ``orders_actable_by``, ``owners_actable_by``): change, confirm, cancel a
  record — its owner if a sales rep, any record for managers and admins, nobody else. A record
  one may act on is always one one may read.
A record a user may not read does not exist for them (404); one they read but may not act on
is refused (403).
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.money import money
from core.people import name_order
from core.roles import FINANCE, MANAGER, SALES, WAREHOUSE, has_role, user_roles
from crm.customers import credit
from crm.customers.selectors import (
    customers_visible_to,
    is_rep_only,
    owned_or_team_q,
    owners_editable_by,
    record_editable_by,
)
from crm.sales.models import OrderEvent, Quote, QuoteLine, SalesOrder, SalesOrderLine
from crm.sales.orders.models import BACKORDER_STATES
from crm.sales.orders.states import CREDIT_STATES
from crm.sales.orders.waiting import line_short_q
from scm.inventory.models import Product, ProductUnit
from scm.inventory.promise import promise_dates_many

ORDER_READ_ROLES = (SALES, MANAGER, FINANCE, WAREHOUSE)
# Who reads an order's prices and amounts: the warehouse picks and ships quantities and has no
# reason to (its pages and API show the lines without prices; the priced confirmation PDF is not
# theirs: the delivery note is).
ORDER_PRICE_ROLES = (SALES, MANAGER, FINANCE)
ORDER_WRITE_ROLES = (SALES, MANAGER)
QUOTE_READ_ROLES = (SALES, MANAGER, FINANCE)
QUOTE_WRITE_ROLES = (SALES, MANAGER)

# Names sort by their pinyin: the customer's (indexed column), the owner's (``name_order``).
ORDER_SORTS = {
    "number": "number",
    "customer": "customer__search_pinyin",
    "order_date": "order_date",
    "state": "state",
    "total": "total",
    "owner": name_order("owner"),
}
QUOTE_SORTS = {
    "number": "number",
    "customer": "customer__search_pinyin",
    "valid_until": "valid_until",
    "state": "state",
    "total": "total",
    "created_at": "created_at",
}


def order_visible_q(user, *, prefix: str = "") -> Q:
    """The read rule as a Q on an order reached through ``prefix`` (``""`` on the order or
    quote itself, ``"order__"`` from a shipment, ``"shipment__order__"`` from a shipment line):
    filters any query, joins and subqueries included, with no query of its own."""
    if not user_roles(user):
        return Q(pk__in=[])
    if is_rep_only(user):
        return owned_or_team_q(user, owner_field=f"{prefix}owner", team_field=None)
    return Q()


def orders_visible_to(user) -> QuerySet:
    """The orders ``user`` may read (the read rule; see the module's docstring)."""
    return SalesOrder.objects.filter(order_visible_q(user))


def quotes_visible_to(user) -> QuerySet:
    return Quote.objects.filter(order_visible_q(user))


def owners_actable_by(user) -> tuple[int, ...] | None:
    """The act rule as data, for SQL that cannot take a queryset: the owners whose orders and
    quotes ``user`` may act on, or None for anyone's. In SQL::

        owners = owners_actable_by(user)
        if owners is not None:
            condition += " AND so.owner_id = ANY(%s)"   # PostgreSQL; an empty list matches none
            params.append(list(owners))
    """
    return owners_editable_by(user)


def order_actable_q(user, *, prefix: str = "") -> Q:
    """The act rule as a Q on an order (or quote) reached through ``prefix``."""
    owners = owners_actable_by(user)
    return Q() if owners is None else Q(**{f"{prefix}owner_id__in": owners})


def orders_actable_by(user) -> QuerySet:
    """The orders ``user`` may change, confirm or cancel."""
    return SalesOrder.objects.filter(order_actable_q(user))


def can_change(user, record) -> bool:
    """The act rule for one order or quote in hand (no query): may ``user`` change, confirm or
    cancel it?"""
    return record_editable_by(user, record)


def can_see_order_prices(user) -> bool:
    """May ``user`` read orders' prices and amounts (``ORDER_PRICE_ROLES``; admins may)?"""
    return has_role(user, ORDER_PRICE_ROLES)


def _apply_sort(qs: QuerySet, ordering: str | None, allowed: dict, default: tuple) -> QuerySet:
    key = (ordering or "").lstrip("-")
    if key in allowed:
        field = allowed[key]
        return qs.order_by(f"-{field}" if (ordering or "").startswith("-") else field, "-id")
    return qs.order_by(*default)


def order_waiting_q() -> Q:
    """Orders that wait: on credit hold (for a manager) or with a line on backorder (an order in
    ``BACKORDER_STATES`` with a line that lacks stock: ``waiting.line_short_q``, the lines'
    ``backordered_quantity``)."""
    short = _short_lines(OuterRef("pk"))
    return Q(state=SalesOrder.State.CREDIT_HOLD) | (Q(state__in=BACKORDER_STATES) & Q(Exists(short)))


def _short_lines(order_ref):
    return SalesOrderLine.objects.filter(line_short_q(), order_id=order_ref)


def order_ready_to_ship_q() -> Q:
    """Orders whose reserved stock may be picked and shipped: an order that ships what it has
    (the default), or one that waits to ship complete (``ship_complete``) once none of its lines
    lacks stock (ordered − reserved − shipped). Pick lists and the picks due apply it."""
    return Q(ship_complete=False) | ~Exists(_short_lines(OuterRef("pk")))


def order_waits_to_ship_complete(order: SalesOrder) -> bool:
    """Whether ``order`` waits to ship complete and a line still lacks stock (one query, none
    for an order that ships what it has)."""
    return order.ship_complete and _short_lines(order.pk).exists()


def quotes_expiring_q(*, days: int = 7, today=None) -> Q:
    """Quotes still open (draft or sent) whose validity ends in the next ``days`` days."""
    today = today or timezone.localdate()
    return Q(
        state__in=(Quote.State.DRAFT, Quote.State.SENT),
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=days),
    )


def order_list(
    *,
    user,
    search: str = "",
    state: str = "",
    ordering: str = "",
    customer_id=None,
    owner_id=None,
    waiting: bool = False,
) -> QuerySet:
    """Orders the user may see, filtered and sorted; the customer and owner come with each row,
    so a page of any size costs the same queries. ``waiting``: on credit hold or backordered
    (``order_waiting_q``)."""
    qs = orders_visible_to(user).select_related("customer", "owner")
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if waiting:
        qs = qs.filter(order_waiting_q())
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__code__icontains=search)
        )
    if state:
        qs = qs.filter(state=state)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return _apply_sort(qs, ordering, ORDER_SORTS, ("-created_at", "-id"))


def orders_total(qs: QuerySet) -> Decimal:
    """The value of the orders a list shows (all pages), in one query."""
    return qs.order_by().aggregate(total=Sum("total"))["total"] or Decimal(0)


def order_detail(*, user, order_id: int) -> SalesOrder:
    """One order the user may see, with lines (product, unit) and timeline (user) prefetched;
    404 otherwise — another team's order does not exist for a rep."""
    from django.db.models import Prefetch

    qs = (
        orders_visible_to(user)
        .select_related("customer", "owner", "quote", "promotion", "ship_from")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=SalesOrderLine.objects.select_related(
                    "product", "unit", "price_list", "price_promotion"
                ),
            ),
            Prefetch("events", queryset=OrderEvent.objects.select_related("user")),
        )
    )
    return get_object_or_404(qs, pk=order_id)


def order_timeline(*, order: SalesOrder) -> QuerySet:
    """An order's timeline entries, oldest first, with who wrote them (for an order the reader
    may see: the caller has checked). Render each with ``services.order_event_text``."""
    return OrderEvent.objects.filter(order_id=order.pk).select_related("user").order_by("created_at", "id")


def quote_list(
    *, user, search: str = "", state: str = "", ordering: str = "", owner_id=None, expiring_days=None
) -> QuerySet:
    qs = quotes_visible_to(user).select_related("customer", "owner")
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if expiring_days:
        qs = qs.filter(quotes_expiring_q(days=expiring_days))
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__code__icontains=search)
        )
    if state:
        qs = qs.filter(state=state)
    return _apply_sort(qs, ordering, QUOTE_SORTS, ("-created_at", "-id"))


def quote_detail(*, user, quote_id: int) -> Quote:
    from django.db.models import Prefetch

    qs = (
        quotes_visible_to(user)
        .select_related("customer", "owner", "promotion")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=QuoteLine.objects.select_related("product", "unit", "price_list", "price_promotion"),
            ),
            "orders",
            "emails",
        )
    )
    return get_object_or_404(qs, pk=quote_id)


def atp_for_product(product_id: int) -> list[dict]:
    """Available-to-promise per active warehouse: on hand, reserved, available and incoming
    supplies with their expected dates, and the day one base unit could ship from there once
    the receipts have served the backorders waiting for them (``scm.inventory.promise``, which
    nets what ``waiting.backorders_waiting`` says: what the line will be promised). Four queries."""
    product_id = int(product_id)
    [promise] = promise_dates_many(lines=[(product_id, Decimal(1))])
    return promise.warehouses


def product_choices():
    """Products that can be sold (active, not templates), for the line picker."""
    return Product.objects.filter(is_active=True, is_template=False).order_by("sku")


def product_units(product_id) -> list[ProductUnit]:
    return list(ProductUnit.objects.filter(product_id=product_id).order_by("factor"))


# --- open orders (credit exposure's share of the orders) -------------------------------------

_LINE_GROSS = F("net_amount") + F("tax_amount")
_UNINVOICED_GROSS = Case(
    # Most lines are not invoiced at all: their whole amount, without a division.
    When(invoiced_quantity=0, then=_LINE_GROSS),
    default=_LINE_GROSS * (F("base_quantity") - F("invoiced_quantity")) / F("base_quantity"),
    output_field=DecimalField(max_digits=24, decimal_places=6),
)


def open_orders(*, customer_id: int) -> dict:
    """The "open orders" of credit exposure: the one definition that the confirmation's credit
    check, the order form, the customer 360 panels and finance's pages and API all use
    (``finance.selectors.credit_exposure`` adds the receivables).

    What the customer will owe for its orders once we ship: the gross value (net + tax) not yet
    invoiced of every order in ``states.CREDIT_STATES`` (confirmed … shipped), line by line —
    ``(net + tax) × (ordered − invoiced) / ordered`` base units. What has been invoiced is owed
    as a receivable instead (whatever the invoice's amount), so it is never counted twice.

    Decided: **an order on credit hold does not count.** It is not accepted yet — a manager
    decides whether it goes ahead — so the customer does not owe it; counting it would hold the
    customer's next orders behind one that may never be released. Released, it counts. Drafts
    and cancelled orders are no commitment and never count.

    Returns ``{"amount": Decimal to the cent, "count": orders with something left to invoice}``.
    One query, whatever the number of orders."""
    figures = SalesOrderLine.objects.filter(
        order__customer_id=customer_id,
        order__state__in=CREDIT_STATES,
        base_quantity__gt=F("invoiced_quantity"),
    ).aggregate(amount=Sum(_UNINVOICED_GROSS), count=Count("order_id", distinct=True))
    return {"amount": money(Decimal(figures["amount"] or 0)), "count": figures["count"]}


def customer_for_order_entry(*, customer_id: int, user):
    """The customer being ordered for, with what the rep should see while entering lines: credit
    limit, payment terms, open orders and the credit left (``crm.customers.credit``: the
    customer's credit exposure, as the confirmation's credit check counts it). None for a
    customer ``user`` may not read (the customers' read rule) or that is inactive."""
    customer = (
        customers_visible_to(user).filter(pk=customer_id, is_active=True).select_related("owner").first()
    )
    if customer is None:
        return None
    exposure = credit.exposure(customer=customer)
    if exposure is None:  # no module keeps receivables: the open orders alone
        customer.open_order_value, customer.credit_left = open_orders(customer_id=customer.pk)["amount"], None
    else:
        customer.open_order_value, customer.credit_left = exposure["open_orders"], exposure["available"]
    customer.exposure = exposure
    return customer


def customer_orders_summary(*, customer, user, limit: int = 5) -> dict:
    """For the customer 360 panel: the recent orders the user may see, and the customer's open
    orders (``open_orders``: the figure credit exposure counts)."""
    qs = orders_visible_to(user).filter(customer=customer)
    recent = list(qs.select_related("owner").order_by("-order_date", "-id")[:limit])
    figures = open_orders(customer_id=customer.pk)
    return {
        "recent_orders": recent,
        "open_order_value": figures["amount"],
        "open_order_count": figures["count"],
        "customer": customer,
    }
