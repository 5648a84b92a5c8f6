"""The one resolution of prices (reads only): what a quote's or order's line costs, and which
order-level promotion the document gets.

A line whose unit price is not given is priced, in this order, by the first that applies:

1. the customer's own price list (active, valid on the document's date), at the quantity break
   the line reaches;
2. the price list of the customer's group, the same way;
3. a buy-X-get-Y promotion on the line's product (the order holds enough of X, the promotion is
   valid, open to the customer's group and its stock condition holds): the units of Y the order
   earns, at the promotion's price (free, or a discount off the list price); the rest of the line
   at the list price;
4. the product's list price (per the line's unit: list price × the unit's factor).

A price list prices a line in its unit by the list's lines of that unit; where the list has none,
by its lines of the base unit (price × the unit's factor, the breaks counted in base units). A
quantity below the list's first break is not priced by that list. A price typed by the rep is kept
("manual"). Then the document's net amount (the lines' net, after their discounts) may earn one
order-level promotion: the one taking the most off (the lower id on a tie).

Queries: ``price_context`` reads the price list lines of the document's products (one query, only
when a line needs a price), the promotions valid that day (one) and, when one of them has a stock
condition, the available-to-promise of those products (one, ``scm.inventory.selectors``). The rest
is computed in memory: resolving N lines costs the same queries as resolving one.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Q

from core.money import money
from crm.sales.orders.prices.models import PriceListLine, PriceSource, Promotion
from scm.inventory.models import Product, ProductUnit
from scm.inventory.selectors import available_totals

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass
class PriceItem:
    """A line to price: its product, unit (None: the base unit), quantity in that unit and in
    base units; ``manual`` when the rep typed its price (it is then not resolved, but its
    quantity still counts towards a buy-X-get-Y promotion)."""

    product: Product
    unit: ProductUnit | None
    quantity: Decimal
    base_quantity: Decimal
    manual: bool = False

    @property
    def factor(self) -> Decimal:
        return self.unit.factor if self.unit is not None else Decimal(1)

    @property
    def divisible(self) -> bool:
        return self.unit.divisible if self.unit is not None else self.product.base_unit_divisible


@dataclass
class PromotionPart:
    """The units of a line a buy-X-get-Y promotion prices (in the line's unit)."""

    promotion: Promotion
    quantity: Decimal
    unit_price: Decimal


@dataclass
class ResolvedPrice:
    """A line's price per its unit and where it came from; ``part``: the units of the line a
    buy-X-get-Y promotion prices instead (all of them or some)."""

    unit_price: Decimal
    source: str
    list_price: Decimal
    price_list_id: int | None = None
    part: PromotionPart | None = None


@dataclass
class PriceContext:
    """What resolving a document's prices reads, read once (``price_context``)."""

    customer_id: int | None
    group_id: int | None
    on: date
    # product id → price list rows (dicts) of the customer's lists and of the group's lists
    customer_rows: dict[int, list[dict]] = field(default_factory=dict)
    group_rows: dict[int, list[dict]] = field(default_factory=dict)
    promotions: list[Promotion] = field(default_factory=list)
    available: dict[int, Decimal] = field(default_factory=dict)

    def stock_ok(self, promotion: Promotion) -> bool:
        """The promotion's stock condition: none, or its product has more than nothing and at
        least ``min_available`` available to promise."""
        if promotion.stock_product_id is None:
            return True
        available = self.available.get(promotion.stock_product_id, ZERO)
        return available > 0 and available >= promotion.min_available

    def order_promotions(self) -> list[Promotion]:
        return [p for p in self.promotions if p.kind == Promotion.Kind.ORDER and self.stock_ok(p)]


def price_context(*, customer, product_ids, on: date, lists: bool = True) -> PriceContext:
    """Read what resolving prices of these products for ``customer`` (or None: no price list
    applies) on ``on`` needs: one query for the price lists (skipped when ``lists`` is False:
    no line needs a price), one for the promotions, one for stock when a promotion has a stock
    condition."""
    customer_id = customer.pk if customer is not None else None
    group_id = customer.group_id if customer is not None else None
    context = PriceContext(customer_id=customer_id, group_id=group_id, on=on)
    product_ids = {int(pk) for pk in product_ids}
    if lists and customer_id is not None and product_ids:
        owners = Q(price_list__customer_id=customer_id)
        if group_id is not None:
            owners |= Q(price_list__group_id=group_id)
        rows = (
            PriceListLine.objects.filter(
                owners,
                Q(price_list__valid_until__isnull=True) | Q(price_list__valid_until__gte=on),
                product_id__in=product_ids,
                price_list__is_active=True,
                price_list__valid_from__lte=on,
            )
            .values(
                "price_list_id", "price_list__customer_id", "product_id", "unit_id", "min_quantity", "price"
            )
            .order_by()
        )
        for row in rows:
            target = context.customer_rows if row["price_list__customer_id"] else context.group_rows
            target.setdefault(row["product_id"], []).append(row)
    groups = Q(group__isnull=True)
    if group_id is not None:
        groups |= Q(group_id=group_id)
    context.promotions = list(
        Promotion.objects.filter(groups, is_active=True, valid_from__lte=on, valid_until__gte=on).order_by(
            "pk"
        )
    )
    stock_ids = {
        p.stock_product_id
        for p in context.promotions
        if p.stock_product_id is not None
        and (p.kind == Promotion.Kind.ORDER or p.get_product_id in product_ids)
    }
    if stock_ids:
        context.available = available_totals(product_ids=stock_ids)
    return context


def _break_price(rows: list[dict] | None, item: PriceItem) -> tuple[Decimal, int] | None:
    """The price (per the item's unit) and list of the break the item reaches in ``rows`` (one
    tier's rows of the item's product): the lines of the item's unit first, else those of the
    base unit × the unit's factor. None when no break is reached."""
    if not rows:
        return None
    unit_id = item.unit.pk if item.unit is not None else None
    found = _reached(rows, unit_id, item.quantity)
    if found is not None:
        return money(found["price"]), found["price_list_id"]
    if unit_id is not None:
        found = _reached(rows, None, item.base_quantity)
        if found is not None:
            return money(found["price"] * item.factor), found["price_list_id"]
    return None


def _reached(rows: list[dict], unit_id, quantity: Decimal) -> dict | None:
    """The row of ``unit_id`` with the highest break at or below ``quantity`` (the newest list
    on a tie, which the overlap rule leaves only for lists of different days)."""
    reached = [r for r in rows if r["unit_id"] == unit_id and r["min_quantity"] <= quantity]
    if not reached:
        return None
    return max(reached, key=lambda r: (r["min_quantity"], r["price_list_id"]))


def _entitlements(context: PriceContext, items: list[PriceItem]) -> dict[int, Decimal]:
    """Buy X get Y: base units of Y each applicable promotion gives the document: for every
    ``buy_quantity`` of X in the document, ``get_quantity`` of Y (when X is Y, the units given
    do not count as bought: per buy + get units, get are given)."""
    bought: dict[int, Decimal] = {}
    for item in items:
        bought[item.product.pk] = bought.get(item.product.pk, ZERO) + item.base_quantity
    given = {}
    for promotion in context.promotions:
        if promotion.kind != Promotion.Kind.BUY_GET or not context.stock_ok(promotion):
            continue
        total = bought.get(promotion.buy_product_id, ZERO)
        per = promotion.buy_quantity
        if promotion.buy_product_id == promotion.get_product_id:
            per = promotion.buy_quantity + promotion.get_quantity
        if per and per > 0 and total >= per:
            given[promotion.pk] = (total / per).to_integral_value(
                rounding=ROUND_FLOOR
            ) * promotion.get_quantity
    return given


def resolve(context: PriceContext, items: list[PriceItem]) -> list[ResolvedPrice | None]:
    """Each item's price (None for a manual one), in the stated order (see the module)."""
    left = _entitlements(context, items)
    by_product: dict[int, list[Promotion]] = {}
    for promotion in context.promotions:
        if promotion.pk in left:
            by_product.setdefault(promotion.get_product_id, []).append(promotion)
    for offers in by_product.values():
        offers.sort(key=lambda p: (-p.get_discount_percent, p.pk))
    resolved: list[ResolvedPrice | None] = []
    for item in items:
        if item.manual:
            resolved.append(None)
            continue
        list_price = money(Decimal(str(item.product.list_price)) * item.factor)
        for rows, source in (
            (context.customer_rows.get(item.product.pk), PriceSource.CUSTOMER),
            (context.group_rows.get(item.product.pk), PriceSource.GROUP),
        ):
            found = _break_price(rows, item)
            if found is not None:
                resolved.append(ResolvedPrice(found[0], source, list_price, price_list_id=found[1]))
                break
        else:
            price = ResolvedPrice(list_price, PriceSource.LIST, list_price)
            price.part = _promotion_part(item, by_product.get(item.product.pk, []), left, list_price)
            resolved.append(price)
    return resolved


def _promotion_part(item: PriceItem, offers: list[Promotion], left: dict, list_price: Decimal):
    """The units of the item the best buy-X-get-Y offer on its product still gives (whole units
    of the item's unit unless it can be split), consumed from what the document earned."""
    for promotion in offers:
        remaining = left.get(promotion.pk, ZERO)
        if remaining <= 0:
            continue
        units = remaining / item.factor
        if not item.divisible:
            units = units.to_integral_value(rounding=ROUND_FLOOR)
        quantity = min(item.quantity, units)
        if quantity <= 0:
            continue
        left[promotion.pk] = remaining - quantity * item.factor
        price = money(list_price * (HUNDRED - promotion.get_discount_percent) / HUNDRED)
        return PromotionPart(promotion=promotion, quantity=quantity, unit_price=price)
    return None


def order_promotion(context: PriceContext, net: Decimal) -> tuple[Promotion | None, Decimal]:
    """The order-level promotion a document of net amount ``net`` gets and the amount it takes
    off (never more than ``net``): the valid one whose threshold ``net`` reaches and whose stock
    condition holds that takes the most off; the lower id on a tie."""
    best, best_off = None, ZERO
    if net <= 0:
        return None, ZERO
    for promotion in context.order_promotions():
        if net < promotion.threshold:
            continue
        if promotion.discount_percent is not None:
            off = money(net * promotion.discount_percent / HUNDRED)
        else:
            off = min(money(promotion.discount_amount or 0), net)
        if off > best_off:
            best, best_off = promotion, off
    return best, best_off


def spread(amount: Decimal, nets: list[Decimal]) -> list[Decimal]:
    """``amount`` shared over lines in proportion to their net amounts, to the cent, the
    shares adding up to ``amount`` exactly (the rounding difference goes to the largest line)."""
    total = sum(nets, ZERO)
    if amount <= 0 or total <= 0:
        return [ZERO for _net in nets]
    shares = [min(money(amount * net / total), net) for net in nets]
    difference = amount - sum(shares, ZERO)
    if difference:
        largest = max(range(len(nets)), key=lambda i: (nets[i], -i))
        shares[largest] = min(shares[largest] + difference, nets[largest])
    return shares
