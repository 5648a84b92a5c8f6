"""What the data says about each step of the set-up wizard (``integration.setup.wizard``):
whether a step's work is there and how much of it ("3 warehouses"). One count query each, read
from the owning apps' tables (an admin sees every record)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.company import company_profile, company_profile_is_complete
from core.preferences import INDUSTRY, preference
from crm.customers.models import Customer
from crm.sales.models import SalesOrder
from scm.inventory.models import Product, StockLevel, Warehouse
from scm.purchasing.models import Supplier


@dataclass(frozen=True)
class Status:
    """What a step's check read from the data: is its work there, and how much ("3 warehouses")."""

    done: bool
    label: str


def counted(n: int, label: str) -> Status:
    return Status(done=n > 0, label=label % {"n": n})


def profile_status() -> Status:
    profile = company_profile()
    if company_profile_is_complete(profile):
        return Status(True, _("Complete"))
    return Status(False, _("Name, tax id and address to fill in"))


def template_status() -> Status:
    industry = preference(INDUSTRY) or {}
    name = (industry.get("name") or industry.get("template")) if isinstance(industry, dict) else ""
    return Status(bool(name), str(name) if name else _("None applied"))


def warehouses_status() -> Status:
    n = Warehouse.objects.for_stock().count()
    return counted(n, ngettext("%(n)s warehouse", "%(n)s warehouses", n))


def users_status() -> Status:
    """Done when someone besides the first admin can sign in."""
    n = get_user_model().objects.filter(is_active=True).count()
    return Status(n > 1, ngettext("%(n)s user", "%(n)s users", n) % {"n": n})


def customers_status() -> Status:
    n = Customer.objects.count()
    return counted(n, ngettext("%(n)s customer", "%(n)s customers", n))


def suppliers_status() -> Status:
    n = Supplier.objects.count()
    return counted(n, ngettext("%(n)s supplier", "%(n)s suppliers", n))


def products_status() -> Status:
    n = Product.objects.count()
    return counted(n, ngettext("%(n)s product", "%(n)s products", n))


def opening_stock_status() -> Status:
    n = StockLevel.objects.filter(on_hand__gt=0).values("warehouse").distinct().count()
    return counted(n, ngettext("Stock in %(n)s warehouse", "Stock in %(n)s warehouses", n))


def orders_statuses() -> tuple[Status, Status, Status]:
    """The first order: entered (any order not cancelled), confirmed (accepted, on its way or
    done) and shipped (in part or whole). Three counts."""
    S = SalesOrder.State
    shipped_states = (S.PARTLY_SHIPPED, S.SHIPPED, S.INVOICED, S.PAID)
    confirmed_states = (S.CONFIRMED, S.PARTLY_RESERVED, S.RESERVED, *shipped_states)
    orders = SalesOrder.objects.exclude(state=S.CANCELLED).count()
    confirmed = SalesOrder.objects.filter(state__in=confirmed_states).count()
    shipped = SalesOrder.objects.filter(state__in=shipped_states).count()
    return (
        counted(orders, ngettext("%(n)s order", "%(n)s orders", orders)),
        counted(confirmed, ngettext("%(n)s confirmed", "%(n)s confirmed", confirmed)),
        counted(shipped, ngettext("%(n)s shipped", "%(n)s shipped", shipped)),
    )
