"""Purchasing hears of a product's replenishment: when a shortage or a drop below the reorder
point leaves it with open suggestions, the buyers of their suppliers (or, without one, every
purchasing user) are told what is suggested, with a link to the suggestions. Keyed per product
and day, so an event handled twice (or many shortages of one product) notifies once."""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.events.services import notify
from core.roles import PURCHASING
from integration.planning.models import Suggestion


def purchasing_users() -> set[int]:
    return set(
        get_user_model().objects.filter(groups__name=PURCHASING, is_active=True).values_list("pk", flat=True)
    )


def suggestions_tell(*, product_id: int, today: date | None = None) -> int:
    """Tell purchasing about the product's open suggestions (none: nobody is told)."""
    today = today or timezone.localdate()
    open_ = list(
        Suggestion.objects.filter(product_id=product_id, state=Suggestion.State.OPEN)
        .select_related("product", "supplier", "supplier_product__unit", "warehouse", "source_warehouse")
        .order_by("kind", "pk")
    )
    if not open_:
        return 0
    product = open_[0].product
    buyers = {s.supplier.buyer_id for s in open_ if s.supplier_id and s.supplier.buyer_id}
    users = buyers or purchasing_users()
    if not users:
        return 0
    first = open_[0]
    if first.kind == Suggestion.Kind.TRANSFER:
        body = gettext_noop("Suggested: move %(quantity)s %(unit)s from %(source)s to %(warehouse)s.")
        params = {
            "quantity": f"{first.quantity.normalize():f}",
            "unit": product.base_unit,
            "source": first.source_warehouse.name,
            "warehouse": first.warehouse.name,
        }
    elif first.supplier_id:
        sp = first.supplier_product
        body = gettext_noop("Suggested: buy %(quantity)s %(unit)s from %(supplier)s for %(warehouse)s.")
        params = {
            "quantity": f"{first.order_quantity.normalize():f}",
            "unit": sp.unit.name if sp is not None and sp.unit_id else product.base_unit,
            "supplier": first.supplier.name,
            "warehouse": first.warehouse.name,
        }
    else:
        body = gettext_noop("No supplier sells it: choose one before ordering.")
        params = {}
    params.update({"sku": product.sku, "product": product.name})
    url = f"{reverse('planning:suggestions')}?{urlencode({'q': product.sku})}"
    return notify(
        users=users,
        title=gettext_noop("Replenish %(sku)s %(product)s"),
        body=body,
        params=params,
        url=url,
        kind="replenish",
        key=f"replenish:{product_id}:{today.isoformat()}",
    )
