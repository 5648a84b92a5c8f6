"""Reads of prices and promotions: who may read and change them, the lists the pages and the API
show, and ``price_resolve`` / ``prices_resolve``: the one resolution of a line's price
(``resolution``), which order and quote lines, their forms' live prices and the API all use.

Record rule: a customer's price list is read by those who may read the customer
(``crm.customers.selectors.customers_visible_to``: a rep, their own and their team's customers);
a group's price lists and the promotions by everyone who reads prices.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.roles import FINANCE, MANAGER, PURCHASING, SALES
from crm.customers.selectors import customers_visible_to
from crm.sales.orders.prices.models import PriceList, PriceListLine, PriceSource, Promotion
from crm.sales.orders.prices.resolution import PriceItem, ResolvedPrice, price_context, resolve
from scm.inventory.models import Product, ProductUnit

# Price lists and promotions: sales, managers and finance read them; managers keep them.
PRICE_READ_ROLES = (SALES, MANAGER, FINANCE)
PRICE_WRITE_ROLES = (MANAGER,)
# The list prices of a category or brand, changed in bulk: purchasing (who knows what things
# cost) and managers.
BULK_PRICE_ROLES = (PURCHASING, MANAGER)

PRICE_LIST_STATES = ("current", "future", "expired", "inactive")


def price_list_visible_q(user) -> Q:
    """The read rule on a price list: a group's, or a customer's that ``user`` may read."""
    return Q(group__isnull=False) | Q(customer__in=customers_visible_to(user))


def price_lists_visible_to(user) -> QuerySet[PriceList]:
    return PriceList.objects.filter(price_list_visible_q(user))


def price_list_list(*, user, search: str = "", state: str = "", today: date | None = None) -> QuerySet:
    """The price lists ``user`` may read, newest first, with their customer or group and their
    number of lines: a page of any size costs the same queries."""
    today = today or timezone.localdate()
    qs = (
        price_lists_visible_to(user)
        .select_related("customer", "group")
        .annotate(line_count=Count("lines"))
        .order_by("-valid_from", "-id")
    )
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__code__icontains=search)
            | Q(group__name__icontains=search)
            | Q(group__code__icontains=search)
        )
    if state == "current":
        qs = qs.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today), is_active=True, valid_from__lte=today
        )
    elif state == "future":
        qs = qs.filter(is_active=True, valid_from__gt=today)
    elif state == "expired":
        qs = qs.filter(is_active=True, valid_until__lt=today)
    elif state == "inactive":
        qs = qs.filter(is_active=False)
    return qs


def price_list_detail(*, user, pk) -> PriceList:
    """One price list ``user`` may read (404 otherwise)."""
    return get_object_or_404(
        price_lists_visible_to(user).select_related("customer", "group", "created_by"), pk=pk
    )


def price_list_lines(price_list: PriceList) -> QuerySet[PriceListLine]:
    """A list's lines by product, unit and break, with their products and units."""
    return (
        PriceListLine.objects.filter(price_list=price_list)
        .select_related("product", "unit")
        .order_by("product__sku", "unit_id", "min_quantity", "id")
    )


def customer_prices_summary(*, customer, user, today: date | None = None) -> dict:
    """For the customer 360 panel: the price lists that apply to the customer today or later (its
    own, then its group's), in one query."""
    today = today or timezone.localdate()
    owners = Q(customer=customer)
    if customer.group_id is not None:
        owners |= Q(group_id=customer.group_id)
    lists = list(
        PriceList.objects.filter(
            owners, Q(valid_until__isnull=True) | Q(valid_until__gte=today), is_active=True
        )
        .annotate(line_count=Count("lines"))
        .order_by("group_id", "valid_from", "pk")
    )
    return {"customer": customer, "price_lists": lists, "today": today}


def promotion_list(*, search: str = "", state: str = "", today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    qs = Promotion.objects.select_related("group", "buy_product", "get_product", "stock_product").order_by(
        "-valid_from", "-id"
    )
    if search:
        qs = qs.filter(name__icontains=search)
    if state == "current":
        qs = qs.filter(is_active=True, valid_from__lte=today, valid_until__gte=today)
    elif state == "future":
        qs = qs.filter(is_active=True, valid_from__gt=today)
    elif state == "expired":
        qs = qs.filter(is_active=True, valid_until__lt=today)
    elif state == "inactive":
        qs = qs.filter(is_active=False)
    return qs


def promotion_detail(*, pk) -> Promotion:
    return get_object_or_404(
        Promotion.objects.select_related(
            "group", "buy_product", "get_product", "stock_product", "created_by"
        ),
        pk=pk,
    )


def period_state(record, today: date | None = None) -> str:
    """current, future, expired or inactive: a price list's or promotion's state today."""
    today = today or timezone.localdate()
    if not record.is_active:
        return "inactive"
    if record.valid_from > today:
        return "future"
    if record.valid_until is not None and record.valid_until < today:
        return "expired"
    return "current"


# --- resolution -------------------------------------------------------------------------------


@dataclass
class Resolved:
    """A price as ``price_resolve`` answers it."""

    product: Product
    unit: ProductUnit | None
    quantity: Decimal
    unit_price: Decimal
    source: str
    list_price: Decimal
    price_list_id: int | None = None
    promotion_id: int | None = None
    # Buy X get Y on part of the quantity: those units at that price (the rest at unit_price).
    promotion_quantity: Decimal = Decimal(0)
    promotion_unit_price: Decimal | None = None


def prices_resolve(*, customer, items: list[PriceItem], on: date | None = None) -> list[ResolvedPrice | None]:
    """The price of each item for ``customer`` (None: no customer, no price list) on ``on``
    (today by default), in the stated order (``resolution``); None for a manual item. A fixed
    number of queries, whatever the number of items."""
    on = on or timezone.localdate()
    context = price_context(customer=customer, product_ids={i.product.pk for i in items}, on=on)
    return resolve(context, items)


def price_resolve(
    *, customer, product: Product, unit: ProductUnit | None, quantity: Decimal, on: date | None = None
):
    """One product's price for ``customer`` at ``quantity`` (in ``unit``; None: the base unit) on
    ``on``, and where it came from (``Resolved``): what an order or quote line without a typed
    price would get, alone on its document."""
    factor = unit.factor if unit is not None else Decimal(1)
    found = prices_resolve(
        customer=customer, items=[PriceItem(product, unit, quantity, quantity * factor)], on=on
    )[0]
    answer = Resolved(
        product=product,
        unit=unit,
        quantity=quantity,
        unit_price=found.unit_price,
        source=found.source,
        list_price=found.list_price,
        price_list_id=found.price_list_id,
    )
    if found.part is not None:
        if found.part.quantity >= quantity:
            answer.unit_price, answer.source = found.part.unit_price, PriceSource.PROMOTION
            answer.price_list_id = None
        answer.promotion_id = found.part.promotion.pk
        answer.promotion_quantity = found.part.quantity
        answer.promotion_unit_price = found.part.unit_price
    return answer


def source_text(source: str, price_list_id=None, promotion_id=None, name: str = "") -> str:
    """Where a price came from, for a reader: "Customer price list #12 …", "List price"."""
    label = str(PriceSource(source).label) if source in PriceSource.values else "—"
    ref = price_list_id or promotion_id
    if ref:
        label = f"{label} #{ref}"
    return f"{label} {name}".strip()
