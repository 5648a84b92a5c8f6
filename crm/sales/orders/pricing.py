"""Order and quote lines: validated and priced in one place (``lines_price``), shared by the order
and quote services. Reads only; writes nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import MAX_AMOUNT, decimal_input, money
from core.sql import by_ids
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
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {field: _("An order or quote has at most %(count)s lines.") % {"count": MAX_LINES}}
        )
    products, units = _load_products_and_units(lines)
    errors: dict[str, str] = {}
    priced: list[PricedLine] = []
    for i, raw in enumerate(lines):
        try:
            priced.append(_price_line(raw, products, units))
        except ValidationError as exc:
            # The first problem of each line, named by the line: lines[2].quantity.
            name, messages = next(iter(exc.message_dict.items()))
            errors[f"{field}[{i}].{name}"] = " ".join(messages)
    if errors:
        raise ValidationError(errors)
    return priced


def _price_line(raw: dict, products: dict, units: dict) -> PricedLine:
    """One line, checked and priced; a ``ValidationError`` names its bad field (``product``,
    ``unit``, ``quantity``, ``unit_price``, ``discount_percent``)."""
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
        price = Decimal(str(product.list_price)) * (unit.factor if unit is not None else 1)
    else:
        price = decimal_input(price, field="unit_price")
        if price < 0:
            raise ValidationError({"unit_price": _("The price cannot be negative.")})
    discount = raw.get("discount_percent")
    discount = Decimal(0) if discount in (None, "") else decimal_input(discount, field="discount_percent")
    if not Decimal(0) <= discount <= HUNDRED:
        raise ValidationError({"discount_percent": _("The discount must be between 0 and 100 percent.")})
    price = money(price)
    tax_rate = Decimal(str(product.tax_rate))
    net, tax = line_amounts(quantity=qty, unit_price=price, discount_percent=discount, tax_rate=tax_rate)
    if net + tax >= MAX_AMOUNT:
        raise ValidationError({"quantity": _("This line's amount is too large.")})
    return PricedLine(
        product=product,
        unit=unit,
        quantity=qty,
        base_quantity=base,
        unit_price=price,
        discount_percent=discount,
        tax_rate=tax_rate,
        net_amount=net,
        tax_amount=tax,
    )


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, tax_rate: Decimal
) -> tuple[Decimal, Decimal]:
    """A line's net amount and tax: ``quantity`` (in the line's unit) at ``unit_price`` less
    the discount, taxed at ``tax_rate``, each rounded to money."""
    net = money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)
    return net, money(net * tax_rate)


def lines_totals(priced: Iterable[PricedLine]) -> dict[str, Decimal]:
    subtotal = sum((p.net_amount for p in priced), Decimal(0))
    tax = sum((p.tax_amount for p in priced), Decimal(0))
    return {"subtotal": money(subtotal), "tax_total": money(tax), "total": money(subtotal + tax)}
