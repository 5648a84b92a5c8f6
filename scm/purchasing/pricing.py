"""Purchase prices, quantities and dates: the one owner of how a supplier's price, pack size,
minimum order and lead time turn into a purchase order line. Reads only; writes nothing.

- The price of a quantity is the highest quantity break at or below it among the prices valid
  on the date (``valid_from``/``valid_to`` inclusive, either open).
- A suggested quantity is what is needed, in the supplier's unit, raised to the minimum order
  and rounded up to whole packs.
- The expected date is the order date plus the supplier's lead time.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Q

from core.money import money
from scm.purchasing.models import SupplierPrice, SupplierProduct

ZERO = Decimal(0)


def preferred_supplier_product(product_id: int) -> SupplierProduct | None:
    """The product's preferred supplier product (active, its supplier active), or None."""
    return (
        SupplierProduct.objects.filter(
            product_id=product_id, is_preferred=True, is_active=True, supplier__is_active=True
        )
        .select_related("supplier", "unit", "product")
        .first()
    )


def supplier_product_for(*, supplier_id: int, product_id: int) -> SupplierProduct | None:
    """What ``supplier_id`` sells ``product_id`` as (active), or None."""
    return (
        SupplierProduct.objects.filter(supplier_id=supplier_id, product_id=product_id, is_active=True)
        .select_related("supplier", "unit", "product")
        .first()
    )


def valid_on_q(on_date: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on_date)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on_date)
    )


def supplier_price_for(*, supplier_product: SupplierProduct, quantity, on_date: date) -> Decimal | None:
    """The price per purchase unit of ``quantity`` (purchase units) on ``on_date``: the highest
    quantity break at or below the quantity among the prices valid that day; None when no price
    applies (one query)."""
    quantity = Decimal(quantity)
    price = (
        SupplierPrice.objects.filter(valid_on_q(on_date), supplier_product=supplier_product)
        .filter(min_quantity__lte=quantity)
        .order_by("-min_quantity", "-valid_from", "-id")
        .values_list("unit_price", flat=True)
        .first()
    )
    return price


def expected_date_for(supplier_product: SupplierProduct | None, order_date: date) -> date:
    """When goods ordered on ``order_date`` are expected: the order date plus the lead time."""
    days = supplier_product.lead_time_days if supplier_product is not None else 0
    return order_date + timedelta(days=days)


def _round_up(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def suggested_quantity(supplier_product: SupplierProduct, base_quantity) -> Decimal:
    """How much to order (in the supplier's unit) to get ``base_quantity`` base units: the
    purchase units that cover it, at least the minimum order, rounded up to whole packs."""
    base_quantity = max(Decimal(base_quantity), ZERO)
    factor = supplier_product.unit.factor if supplier_product.unit_id else Decimal(1)
    needed = _round_up(base_quantity / factor, Decimal(1)) if factor != 1 else base_quantity
    needed = max(needed, Decimal(supplier_product.min_order_quantity))
    packs = _round_up(needed, Decimal(supplier_product.pack_size)) or Decimal(supplier_product.pack_size)
    # Without trailing zeros and never in exponent form (500, not 5E+2): it goes into links.
    return packs.to_integral_value() if packs == packs.to_integral_value() else packs.normalize()


def line_amounts(*, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal) -> tuple[Decimal, Decimal]:
    """A purchase line's net amount and tax, each rounded to money (as sales lines are)."""
    net = money(quantity * unit_price)
    return net, money(net * tax_rate)


@dataclass
class LineDefaults:
    """What a purchase line of a product from a supplier starts with."""

    supplier_product: SupplierProduct | None
    unit: object | None
    quantity: Decimal | None
    unit_price: Decimal | None
    expected_date: date


def line_defaults(*, supplier_id: int, product, quantity=None, order_date: date) -> LineDefaults:
    """The unit, price and expected date of ``product`` bought from ``supplier_id`` on
    ``order_date`` (the form's product row and the services use this)."""
    sp = supplier_product_for(supplier_id=supplier_id, product_id=product.pk)
    if sp is None:
        return LineDefaults(None, None, quantity, None, order_date)
    if quantity is None:
        quantity = suggested_quantity(sp, ZERO) if (sp.min_order_quantity or sp.pack_size != 1) else None
    price = supplier_price_for(supplier_product=sp, quantity=quantity or ZERO, on_date=order_date)
    return LineDefaults(sp, sp.unit, quantity, price, expected_date_for(sp, order_date))
