"""Shortage reaches purchasing: when a product runs short (``stock.shortage``) or drops below
its reorder point (``stock.below_reorder_point``), purchasing is told, with a link to a new
purchase order for the product's preferred supplier prefilled with the suggested quantity
(``scm.purchasing.pricing.suggested_quantity``: packs and the minimum order). Keyed per product
and day, so an event handled twice (or many signals for one product) notifies once."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.events.services import notify
from core.roles import PURCHASING
from scm.inventory.models import Product
from scm.purchasing import pricing


def purchasing_users() -> set[int]:
    return set(
        get_user_model().objects.filter(groups__name=PURCHASING, is_active=True).values_list("pk", flat=True)
    )


def purchasing_replenish_tell(*, product_id: int, needed, today: date | None = None) -> int:
    """Tell purchasing that ``needed`` base units of ``product_id`` are wanted: the preferred
    supplier's buyer (or, without one, every purchasing user), with a prefilled order."""
    today = today or timezone.localdate()
    product = Product.objects.filter(pk=product_id).only("pk", "sku", "name", "base_unit").first()
    if product is None:
        return 0
    needed = max(Decimal(str(needed or 0)), Decimal(0))
    sp = pricing.preferred_supplier_product(product.pk)
    users = {sp.supplier.buyer_id} if sp is not None and sp.supplier.buyer_id else purchasing_users()
    if not users:
        return 0
    if sp is not None:
        quantity = pricing.suggested_quantity(sp, needed)
        query = {"supplier": sp.supplier_id, "product": product.pk, "quantity": f"{quantity:f}"}
        url = f"{reverse('purchasing:order_create')}?{urlencode(query)}"
        body = gettext_noop("Suggested: %(quantity)s %(unit)s from %(supplier)s.")
        params = {
            "sku": product.sku,
            "product": product.name,
            "quantity": f"{quantity:f}",
            "unit": sp.unit.name if sp.unit_id else product.base_unit,
            "supplier": sp.supplier.name,
        }
    else:
        url = reverse("purchasing:order_create") + f"?{urlencode({'product': product.pk})}"
        body = gettext_noop("No preferred supplier: choose one for the order.")
        params = {"sku": product.sku, "product": product.name}
    return notify(
        users=users,
        title=gettext_noop("Replenish %(sku)s %(product)s"),
        body=body,
        params=params,
        url=url,
        kind="replenish",
        key=f"replenish:{product.pk}:{today.isoformat()}",
    )


def below_reorder_point_need(payload: dict) -> Decimal:
    """What brings the product back: its reorder quantity, or at least up to the point."""
    available = Decimal(str(payload.get("available") or 0))
    point = Decimal(str(payload.get("reorder_point") or 0))
    reorder = Decimal(str(payload.get("reorder_quantity") or 0))
    return max(reorder, point - available)
