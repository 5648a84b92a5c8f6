"""Order and quote lines: validated and priced in one place (``lines_price``), shared by the order
and quote services; prices not given are resolved by ``prices.resolution`` (the one order:
customer price list → group price list → promotion → list price). Reads only; writes nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import MAX_AMOUNT, decimal_input, money
from core.sql import by_ids
from crm.sales.orders.prices.models import PriceSource, Promotion
from crm.sales.orders.prices.resolution import PriceItem, order_promotion, price_context, resolve, spread
from scm.inventory.models import Product, ProductUnit
from scm.inventory.services import to_base_quantity

HUNDRED = Decimal(100)
# The most lines one order or quote may have (forms, API and services).
MAX_LINES = 200


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
    price_source: str = PriceSource.MANUAL
    price_list_id: int | None = None
    price_promotion_id: int | None = None
    # This line's share of the document's order-level promotion (``order_promotion_id``), taken
    # off its net amount.
    promotion_discount: Decimal = Decimal(0)
    order_promotion_id: int | None = None
    # The day that can be promised for it (``document_lines``: ``scm.inventory.promise``).
    promise_date: date | None = None

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
            "price_source": self.price_source,
            "price_list_id": self.price_list_id,
            "price_promotion_id": self.price_promotion_id,
            "promotion_discount": self.promotion_discount,
            "promise_date": self.promise_date,
        }


class PricedLines(list):
    """``lines_price``'s answer: the priced lines, and the order-level promotion they got
    (``promotion``: the ``Promotion``, when it was resolved here)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.promotion: Promotion | None = None
        # (line, index of the input line it came from): a split line's two parts share one.
        self.indexes: list[tuple[PricedLine, int]] = []


@dataclass
class _Checked:
    """A line as checked, before it is priced."""

    index: int
    product: Product
    unit: ProductUnit | None
    quantity: Decimal
    base_quantity: Decimal
    unit_price: Decimal | None  # typed (manual) or None: resolved
    discount_percent: Decimal
    raw: dict


def _load_products_and_units(lines: list[dict]) -> tuple[dict, dict]:
    """Products and units given by id are loaded in two queries (instances are used as they are)."""
    product_ids = {ln.get("product") for ln in lines if isinstance(ln.get("product"), int | str)}
    unit_ids = {ln.get("unit") for ln in lines if isinstance(ln.get("unit"), int | str) and ln.get("unit")}
    products = {str(p.pk): p for p in by_ids(Product, product_ids)}
    units = {str(u.pk): u for u in by_ids(ProductUnit, unit_ids)}
    return products, units


def lines_price(
    lines: Iterable[dict],
    *,
    field: str = "lines",
    customer=None,
    on: date | None = None,
    keep_prices: bool = False,
) -> PricedLines:
    """Validate and price ``lines`` for ``customer`` on the document's date ``on`` (today when
    None); raise one ``ValidationError`` naming every bad field (``lines[0].quantity``,
    ``lines[2].product`` …). Reads only; writes nothing.

    Each line: ``product`` (instance or id), ``quantity`` (in ``unit``), optional ``unit``
    (instance, id or None for the base unit), ``unit_price`` (per ``unit``; when not given it is
    resolved by ``prices.resolution``: customer price list → group price list → buy-X-get-Y
    promotion → list price × the unit's factor; a typed price is kept as manual) and
    ``discount_percent``. A line of which a buy-X-get-Y promotion gives only some units comes
    back as two lines: the units given (first), then the rest. The document's net amount may
    then earn an order-level promotion, spread over the lines' net amounts
    (``promotion_discount``).

    ``keep_prices``: the lines are copied from another document (a quote accepted as an order)
    with their ``unit_price``, ``price_source``, ``price_list``, ``price_promotion``,
    ``promotion_discount`` and ``order_promotion``: nothing is resolved again.
    """
    lines = list(lines or [])
    if not lines:
        raise ValidationError({field: _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {field: _("An order or quote has at most %(count)s lines.") % {"count": MAX_LINES}}
        )
    products, units = _load_products_and_units(lines)
    errors: dict[str, str] = {}
    checked: list[_Checked] = []
    for i, raw in enumerate(lines):
        try:
            checked.append(_check_line(i, raw, products, units))
        except ValidationError as exc:
            # The first problem of each line, named by the line: lines[2].quantity.
            name, messages = next(iter(exc.message_dict.items()))
            errors[f"{field}[{i}].{name}"] = " ".join(messages)
    if errors:
        raise ValidationError(errors)
    priced = _kept(checked) if keep_prices else _resolved(checked, customer, on or timezone.localdate())
    for line, index in priced.indexes:
        if line.net_amount + line.tax_amount >= MAX_AMOUNT:
            errors.setdefault(f"{field}[{index}].quantity", _("This line's amount is too large."))
    if errors:
        raise ValidationError(errors)
    return priced


def _check_line(index: int, raw: dict, products: dict, units: dict) -> _Checked:
    """One line, checked; a ``ValidationError`` names its bad field (``product``, ``unit``,
    ``quantity``, ``unit_price``, ``discount_percent``)."""
    product = raw.get("product")
    if not isinstance(product, Product):
        product = products.get(str(product))
    if product is None:
        raise ValidationError({"product": _("Choose a product.")})
    if not product.is_active:
        raise ValidationError({"product": _("This product is inactive and cannot be sold.")})
    if product.is_template:
        raise ValidationError({"product": _("Choose a variant: a template product cannot be sold.")})
    unit = raw.get("unit") or None
    if unit is not None and not isinstance(unit, ProductUnit):
        unit = units.get(str(unit))
        if unit is None:
            raise ValidationError({"unit": _("Choose one of the product's units.")})
    if unit is not None and unit.product_id != product.pk:
        raise ValidationError({"unit": _("This unit does not belong to the product.")})
    base = to_base_quantity(product=product, quantity=raw.get("quantity"), unit=unit)
    qty = decimal_input(raw.get("quantity"), field="quantity")
    price = raw.get("unit_price")
    if price is None or price == "":
        price = None
    else:
        price = decimal_input(price, field="unit_price")
        if price < 0:
            raise ValidationError({"unit_price": _("The price cannot be negative.")})
        price = money(price)
    discount = raw.get("discount_percent")
    discount = Decimal(0) if discount in (None, "") else decimal_input(discount, field="discount_percent")
    if not Decimal(0) <= discount <= HUNDRED:
        raise ValidationError({"discount_percent": _("The discount must be between 0 and 100 percent.")})
    return _Checked(index, product, unit, qty, base, price, discount, raw)


def _line(c: _Checked, *, quantity=None, base=None, price, source, price_list_id=None, promotion_id=None):
    quantity = c.quantity if quantity is None else quantity
    base = c.base_quantity if base is None else base
    tax_rate = Decimal(str(c.product.tax_rate))
    net, tax = line_amounts(
        quantity=quantity, unit_price=price, discount_percent=c.discount_percent, tax_rate=tax_rate
    )
    return PricedLine(
        product=c.product,
        unit=c.unit,
        quantity=quantity,
        base_quantity=base,
        unit_price=price,
        discount_percent=c.discount_percent,
        tax_rate=tax_rate,
        net_amount=net,
        tax_amount=tax,
        price_source=source,
        price_list_id=price_list_id,
        price_promotion_id=promotion_id,
    )


def _resolved(checked: list[_Checked], customer, on: date) -> PricedLines:
    """Price the checked lines (``prices.resolution``) and give the document its order-level
    promotion."""
    items = [
        PriceItem(c.product, c.unit, c.quantity, c.base_quantity, manual=c.unit_price is not None)
        for c in checked
    ]
    context = price_context(
        customer=customer,
        product_ids={c.product.pk for c in checked},
        on=on,
        lists=any(not item.manual for item in items),
    )
    priced = PricedLines()
    for c, found in zip(checked, resolve(context, items), strict=True):
        if found is None:
            parts = [_line(c, price=c.unit_price, source=PriceSource.MANUAL)]
        elif found.part is not None and found.part.quantity >= c.quantity:
            parts = [
                _line(
                    c,
                    price=found.part.unit_price,
                    source=PriceSource.PROMOTION,
                    promotion_id=found.part.promotion.pk,
                )
            ]
        elif found.part is not None:
            given, rest = found.part.quantity, c.quantity - found.part.quantity
            given_base = to_base_quantity(product=c.product, quantity=given, unit=c.unit)
            parts = [
                _line(
                    c,
                    quantity=given,
                    base=given_base,
                    price=found.part.unit_price,
                    source=PriceSource.PROMOTION,
                    promotion_id=found.part.promotion.pk,
                ),
                _line(
                    c,
                    quantity=rest,
                    base=c.base_quantity - given_base,
                    price=found.unit_price,
                    source=found.source,
                ),
            ]
        else:
            parts = [_line(c, price=found.unit_price, source=found.source, price_list_id=found.price_list_id)]
        for line in parts:
            priced.append(line)
            priced.indexes.append((line, c.index))
    promotion, off = order_promotion(context, sum((p.net_amount for p in priced), Decimal(0)))
    if promotion is not None:
        shares = spread(off, [p.net_amount for p in priced])
        for line, share in zip(priced, shares, strict=True):
            _take_off(line, share, promotion.pk)
        priced.promotion = promotion
    return priced


def _take_off(line: PricedLine, share: Decimal, promotion_id: int | None) -> None:
    line.promotion_discount = share
    line.order_promotion_id = promotion_id
    line.net_amount, line.tax_amount = line_amounts(
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        tax_rate=line.tax_rate,
        promotion_discount=share,
    )


def _kept(checked: list[_Checked]) -> PricedLines:
    """Lines copied from another document, priced as they were there."""
    priced = PricedLines()
    for c in checked:
        raw = c.raw
        source = raw.get("price_source") or PriceSource.MANUAL
        price = c.unit_price
        if price is None:  # a copied line always has its price; the list price otherwise
            price, source = (
                money(Decimal(str(c.product.list_price)) * (c.unit.factor if c.unit else 1)),
                PriceSource.LIST,
            )
        line = _line(
            c,
            price=price,
            source=source,
            price_list_id=_id_of(raw.get("price_list")),
            promotion_id=_id_of(raw.get("price_promotion")),
        )
        share = money(raw.get("promotion_discount") or 0)
        if share:
            _take_off(line, min(share, line.net_amount), _id_of(raw.get("order_promotion")))
        else:
            line.order_promotion_id = _id_of(raw.get("order_promotion"))
        priced.append(line)
        priced.indexes.append((line, c.index))
    return priced


def _id_of(value) -> int | None:
    return getattr(value, "pk", value) if value not in ("", None) else None


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    tax_rate: Decimal,
    promotion_discount: Decimal = Decimal(0),
) -> tuple[Decimal, Decimal]:
    """A line's net amount and tax: ``quantity`` (in the line's unit) at ``unit_price`` less
    the discount and less its share of an order-level promotion, taxed at ``tax_rate``, each
    rounded to money."""
    net = money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED) - money(promotion_discount)
    return net, money(net * tax_rate)


def lines_totals(priced: Iterable[PricedLine]) -> dict:
    """A document's totals from its priced lines, and the order-level promotion they got (its id
    and the amount it took off, the sum of the lines' shares): the document's columns."""
    priced = list(priced)
    subtotal = sum((p.net_amount for p in priced), Decimal(0))
    tax = sum((p.tax_amount for p in priced), Decimal(0))
    off = sum((p.promotion_discount for p in priced), Decimal(0))
    promotion_id = next((p.order_promotion_id for p in priced if p.order_promotion_id), None)
    return {
        "subtotal": money(subtotal),
        "tax_total": money(tax),
        "total": money(subtotal + tax),
        "promotion_id": promotion_id,
        "promotion_discount": money(off),
    }


def price_is_typed(line) -> bool:
    """Whether a saved line's price was typed by the rep (kept when the document is priced
    again) rather than resolved (resolved again)."""
    return line.price_source in ("", PriceSource.MANUAL)


def lines_as_input(lines) -> list[dict]:
    """A saved document's lines as ``lines_price`` input, to price them again (another customer,
    another day): a typed price is kept, the others are resolved again."""
    return [
        {
            "product": line.product,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price if price_is_typed(line) else None,
            "discount_percent": line.discount_percent,
        }
        for line in lines
    ]
