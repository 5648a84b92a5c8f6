"""Catalogue services: creating and changing products (not their stock)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit
from scm.inventory.models import Product

EDITABLE = (
    "sku",
    "name",
    "category",
    "brand",
    "barcode",
    "tracking",
    "base_unit",
    "base_unit_divisible",
    "list_price",
    "tax_rate",
    "is_active",
    "reorder_point",
    "reorder_quantity",
    "template",
    "is_template",
    "attributes",
)


def _validate(product: Product) -> None:
    product.full_clean()
    if product.barcode and Product.objects.filter(barcode=product.barcode).exclude(pk=product.pk).exists():
        raise ValidationError({"barcode": _("Another product already has this barcode.")})
    if (
        product.pk
        and product.tracking != Product.objects.get(pk=product.pk).tracking
        and product.stock_levels.exclude(on_hand=0).exists()
    ):
        raise ValidationError({"tracking": _("Tracking cannot change while the product is in stock.")})


@transaction.atomic
def product_create(*, user=None, **fields) -> Product:
    product = Product(**{k: v for k, v in fields.items() if k in EDITABLE})
    _validate(product)
    product.save()
    audit("inventory.product_created", actor=user, obj=product, data={"sku": product.sku})
    return product


@transaction.atomic
def product_update(*, product: Product, user=None, **fields) -> Product:
    changed = {}
    for key, value in fields.items():
        if key in EDITABLE and getattr(product, key) != value:
            changed[key] = str(value)
            setattr(product, key, value)
    _validate(product)
    product.save()
    if changed:
        audit("inventory.product_changed", actor=user, obj=product, data=changed)
    return product
