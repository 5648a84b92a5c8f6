"""Bulk change of list prices: the active products of a category (and its subcategories) and/or a
brand, up or down by a percent or an amount. First a preview lists every product with its old
and new price and a token naming exactly that change; applying it writes exactly the preview, in
one transaction, through ``scm.inventory.catalogue.product_list_prices_set`` (audited), or
nothing when the prices or the products in scope changed since the preview."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import MAX_AMOUNT, decimal_input, money
from core.sql import as_id
from scm.inventory.catalogue import product_list_prices_set
from scm.inventory.counts import category_ids
from scm.inventory.models import Brand, Category, Product

HUNDRED = Decimal(100)
METHODS = {"percent": gettext_lazy("By percent"), "amount": gettext_lazy("By amount")}
DIRECTIONS = {"up": gettext_lazy("Up"), "down": gettext_lazy("Down")}


@dataclass(frozen=True)
class BulkChange:
    category: Category | None
    brand: Brand | None
    method: str
    direction: str
    value: Decimal

    def new_price(self, old: Decimal) -> Decimal:
        sign = 1 if self.direction == "up" else -1
        if self.method == "percent":
            return money(old * (HUNDRED + sign * self.value) / HUNDRED)
        return money(old + sign * self.value)

    def as_data(self) -> dict:
        return {
            "category": self.category.pk if self.category else None,
            "brand": self.brand.pk if self.brand else None,
            "method": self.method,
            "direction": self.direction,
            "value": str(self.value),
        }


@dataclass(frozen=True)
class PreviewRow:
    product_id: int
    sku: str
    name: str
    old_price: Decimal
    new_price: Decimal


@dataclass(frozen=True)
class Preview:
    change: BulkChange
    rows: list[PreviewRow]
    token: str


def bulk_change_input(*, category=None, brand=None, method=None, direction=None, value=None) -> BulkChange:
    """The change asked for, from a form, a query string or a body; a ``ValidationError`` names
    the bad field (a category or a brand is needed; a value above 0)."""
    found_category = found_brand = None
    if category not in (None, ""):
        found_category = category if isinstance(category, Category) else None
        if found_category is None and as_id(category) is not None:
            found_category = Category.objects.filter(pk=as_id(category)).first()
        if found_category is None:
            raise ValidationError({"category": _("No such category.")})
    if brand not in (None, ""):
        found_brand = brand if isinstance(brand, Brand) else None
        if found_brand is None and as_id(brand) is not None:
            found_brand = Brand.objects.filter(pk=as_id(brand)).first()
        if found_brand is None:
            raise ValidationError({"brand": _("No such brand.")})
    if found_category is None and found_brand is None:
        raise ValidationError({"category": _("Choose a category or a brand.")})
    if method not in METHODS:
        raise ValidationError({"method": _("Choose by percent or by amount.")})
    if direction not in DIRECTIONS:
        raise ValidationError({"direction": _("Choose up or down.")})
    number = decimal_input(value, field="value")
    if number <= 0:
        raise ValidationError({"value": _("Enter a value above 0.")})
    if method == "percent" and direction == "down" and number >= HUNDRED:
        raise ValidationError({"value": _("Prices cannot go down by 100 percent or more.")})
    return BulkChange(found_category, found_brand, method, direction, number)


def _products(change: BulkChange):
    qs = Product.objects.filter(is_active=True)
    if change.category is not None:
        qs = qs.filter(category_id__in=category_ids(change.category))
    if change.brand is not None:
        qs = qs.filter(brand=change.brand)
    return qs.order_by("sku", "pk").values_list("pk", "sku", "name", "list_price")


def _token(rows: list[PreviewRow]) -> str:
    text = ";".join(
        f"{r.product_id}:{r.old_price}:{r.new_price}" for r in sorted(rows, key=lambda r: r.product_id)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def bulk_price_preview(change: BulkChange) -> Preview:
    """Every product the change reaches, with its old and new list price, and the token naming
    exactly that (``bulk_price_apply`` takes it). A new price below zero (or beyond what a price
    can be) is refused on ``value``, naming the product."""
    rows = []
    for pk, sku, name, old in _products(change):
        new = change.new_price(old)
        if new < 0:
            raise ValidationError(
                {
                    "value": _("The new price of %(sku)s would be negative (%(price)s): change less.")
                    % {"sku": sku, "price": new}
                }
            )
        if new >= MAX_AMOUNT:
            raise ValidationError({"value": _("The new price of %(sku)s would be too large.") % {"sku": sku}})
        rows.append(PreviewRow(pk, sku, name, old, new))
    return Preview(change, rows, _token(rows))


@transaction.atomic
def bulk_price_apply(*, change: BulkChange, token: str, user) -> int:
    """Write the preview whose ``token`` the user saw: the preview is made again and must be the
    same (same products, same old and new prices), else nothing is written (``token``). One
    transaction; audited (``inventory.list_prices_changed`` with the change and every
    product's old and new price). Returns how many prices changed."""
    preview = bulk_price_preview(change)
    if not token or token != preview.token:
        raise ValidationError(
            {
                "token": _(
                    "The prices or the products changed since the preview: look at the new preview first."
                )
            }
        )
    if not preview.rows:
        raise ValidationError({"category": _("No product to change.")})
    return product_list_prices_set(
        prices={r.product_id: r.new_price for r in preview.rows},
        expected={r.product_id: r.old_price for r in preview.rows},
        user=user,
        data={"reason": "bulk_price_change", **change.as_data(), "token": preview.token},
    )
