"""Purchase to order (以销定购): a sales order line waiting for stock is bought for. The line's
backordered quantity (less what open purchase lines already bring for it), rounded up to the
preferred supplier's packs and minimum order, goes on a draft purchase order of that supplier
(an existing draft of the same buyer is extended), linked to the line by its demand key
(``PurchaseOrderLine.demand = SalesOrderLine.demand``); the receipt then serves that demand
first (``stock.received``'s ``demands``).

Who may: the sales order's owner (the order's act rule), purchasing and managers."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.db import atomic_with_retry
from core.roles import MANAGER, PURCHASING, has_role
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders import services as order_services
from scm.purchasing import orders as po_services
from scm.purchasing import pricing
from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine

P = PurchaseOrder.State
BRINGING_STATES = (P.DRAFT, P.TO_APPROVE, P.APPROVED, P.SENT, P.PARTLY_RECEIVED)


def may_purchase_for(user, order) -> bool:
    """The rule of who may buy for a sales order's line (pages, API and the service)."""
    return has_role(user, (PURCHASING, MANAGER)) or order_selectors.can_change(user, order)


def _buyer(supplier, user):
    """Whose purchase order the line goes on. A buyer buys on their own orders (the purchase
    order act rule: nobody else's draft is changed for them); a manager, who may act on any
    order, and the sales order's owner, who asks purchasing to buy, put it on the supplier's
    buyer's (else on a purchasing user's)."""
    if has_role(user, (PURCHASING,)) and not has_role(user, (MANAGER,)):
        return user
    if supplier.buyer_id and supplier.buyer.is_active:
        return supplier.buyer
    if has_role(user, (MANAGER,)):
        return user
    buyer = get_user_model().objects.filter(groups__name=PURCHASING, is_active=True).order_by("pk").first()
    if buyer is None:
        raise ValidationError({"line": _("No buyer looks after this supplier: ask purchasing.")})
    return buyer


def already_bought(demand: str) -> Decimal:
    """Base units open purchase lines still bring for ``demand``."""
    total = PurchaseOrderLine.objects.filter(demand=demand, order__state__in=BRINGING_STATES).aggregate(
        s=Sum(F("base_quantity") - F("accepted_quantity"))
    )["s"]
    return max(total or Decimal(0), Decimal(0))


@atomic_with_retry
def order_line_purchase(*, line: SalesOrderLine, user) -> PurchaseOrderLine:
    """Buy for ``line``'s backorder: a line on a draft purchase order of the product's
    preferred supplier (created, or the buyer's open draft extended). Refused when nothing is
    backordered, everything is already being bought, or the product has no preferred supplier.
    Locks the sales order, so two clicks buy once."""
    order = SalesOrder.objects.select_for_update().get(pk=line.order_id)
    if not may_purchase_for(user, order):
        raise PermissionDenied
    line = SalesOrderLine.objects.select_related("product").get(pk=line.pk, order_id=order.pk)
    line.order = order
    need = line.backordered_quantity - already_bought(line.demand)
    if line.backordered_quantity <= 0:
        raise ValidationError({"line": _("Nothing of this line waits for stock.")})
    if need <= 0:
        raise ValidationError({"line": _("Open purchase orders already bring what this line waits for.")})
    sp = pricing.preferred_supplier_product(line.product_id)
    if sp is None:
        raise ValidationError(
            {"line": _("This product has no preferred supplier: ask purchasing to set one.")}
        )
    buyer = _buyer(sp.supplier, user)
    quantity = pricing.suggested_quantity(sp, need)
    draft = (
        PurchaseOrder.objects.filter(supplier_id=sp.supplier_id, owner=buyer, state=P.DRAFT)
        .order_by("-created_at", "-id")
        .first()
    )
    spec = {"product": line.product, "quantity": quantity, "unit": sp.unit, "demand": line.demand}
    if draft is None:
        draft = po_services.purchase_order_create(
            supplier=sp.supplier, user=user, owner=buyer, lines=[spec], checked_by_caller=True
        )
        made = draft.lines.get()
    else:
        made = po_services.purchase_order_line_add(order=draft, user=user, checked_by_caller=True, **spec)
    order_services.order_add_event(
        order=order,
        kind="purchase_ordered",
        text=gettext_noop("Bought for %(sku)s on purchase order %(number)s"),
        user=user,
        params={"sku": line.product.sku, "number": draft.number},
    )
    made.order = draft
    return made
