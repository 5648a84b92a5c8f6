"""Purchasing reads, and the record rule of purchasing documents (one definition, used by
pages, API, services and imports alike).

- **Read:** purchasing, managers, finance (bills are matched against orders and receipts) and
  the warehouse (it receives against them) read every purchase order, receipt and supplier.
- **Act:** a purchase order is changed, sent, cancelled or closed by its buyer (the owner) or a
  manager; approving one is a manager's. Suppliers and their prices are kept by purchasing and
  managers. Receiving is the warehouse's, purchasing's and managers'.
Admins pass every check. A record the user may not read is a 404; one they may read but not act
on is a 403.
"""

from django.db.models import Q, QuerySet

from core.roles import FINANCE, MANAGER, PURCHASING, WAREHOUSE, has_role
from scm.purchasing.models import PurchaseOrder, Receipt, Supplier

READ_ROLES = (PURCHASING, MANAGER, FINANCE, WAREHOUSE)
SUPPLIER_EDIT_ROLES = (PURCHASING, MANAGER)
RECEIVE_ROLES = (WAREHOUSE, PURCHASING, MANAGER)
APPROVE_ROLES = (MANAGER,)


def can_read_purchasing(user) -> bool:
    return has_role(user, READ_ROLES)


def can_edit_suppliers(user) -> bool:
    return has_role(user, SUPPLIER_EDIT_ROLES)


def can_receive(user) -> bool:
    return has_role(user, RECEIVE_ROLES)


def can_approve(user) -> bool:
    return has_role(user, APPROVE_ROLES)


def suppliers_visible_to(user) -> QuerySet:
    return Supplier.objects.all() if can_read_purchasing(user) else Supplier.objects.none()


def purchase_orders_visible_to(user) -> QuerySet:
    """The purchase orders ``user`` may read."""
    return PurchaseOrder.objects.all() if can_read_purchasing(user) else PurchaseOrder.objects.none()


def purchase_order_actable_q(user, *, prefix: str = "") -> Q:
    """The act rule as a Q on a purchase order reached through ``prefix``: nothing, the buyer's
    own, or everything (managers)."""
    if has_role(user, (MANAGER,)):
        return Q()
    if has_role(user, (PURCHASING,)):
        return Q(**{f"{prefix}owner_id": user.pk})
    return Q(**{f"{prefix}pk__in": []})


def can_act_on(user, order: PurchaseOrder) -> bool:
    """The act rule for one purchase order in hand (no query)."""
    if has_role(user, (MANAGER,)):
        return True
    return has_role(user, (PURCHASING,)) and order.owner_id == user.pk


def receipts_visible_to(user) -> QuerySet:
    return Receipt.objects.all() if can_read_purchasing(user) else Receipt.objects.none()
