"""Wiring of the quotes and orders part of ``crm.sales``: navigation, status colours, the order
page's own actions, the customer 360 panel and the periodic task. Called from
``SalesConfig.ready``."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from crm.sales.orders import handlers  # noqa: F401 - registers the quote e-mail's handler
    from crm.sales.orders import tasks as quote_tasks  # noqa: F401 - registers the task

    _register_pages()
    _register_order_actions()
    _register_price_pages()
    _register_today()


def _register_pages() -> None:
    """Navigation, status colours and the customer 360 orders panel."""
    from core.navigation import NavItem
    from core.navigation import register as nav_register
    from core.ui import register_status_colours
    from crm.customers import panels
    from crm.sales.orders import selectors as order_selectors

    nav_register(
        NavItem(
            "sales.quotes", _("Quotes"), "sales:orders:quote_list", order_selectors.QUOTE_READ_ROLES, order=30
        ),
        NavItem(
            "sales.orders",
            _("Sales orders"),
            "sales:orders:order_list",
            order_selectors.ORDER_READ_ROLES,
            order=31,
        ),
    )
    register_status_colours(
        {
            "sent": "primary",
            "accepted": "success",
            "expired": "secondary",
            "credit_hold": "warning",
            "confirmed": "primary",
            "partly_reserved": "info",
            "reserved": "info",
            "partly_shipped": "primary",
            "shipped": "success",
            "invoiced": "success",
            "paid": "success",
            "queued": "warning",
            "sending": "info",
            "failed": "danger",
        }
    )
    panels.register(
        "orders",
        _("Orders"),
        "sales/orders/_customer_panel.html",
        lambda customer, user: order_selectors.customer_orders_summary(customer=customer, user=user),
        roles=order_selectors.ORDER_READ_ROLES,
        order=20,
    )


def _register_order_actions() -> None:
    """The order page's own buttons (edit a draft, the confirmation PDF)."""
    from core.roles import MANAGER, SALES
    from crm.sales.models import SalesOrder
    from crm.sales.orders import actions as order_actions
    from crm.sales.orders import selectors as order_selectors

    order_actions.register(
        "edit",
        _("Edit"),
        "sales:orders:order_edit",
        states=("draft",),
        roles=(SALES, MANAGER),
        style="outline-primary",
        method="get",
        order=10,
        check=lambda order, user: order_selectors.can_change(user, order),
    )
    order_actions.register(
        "pdf",
        _("Order confirmation PDF"),
        "sales:orders:order_pdf",
        # Every state but cancelled: a cancelled order has nothing to confirm.
        states=tuple(state for state in SalesOrder.State.values if state != SalesOrder.State.CANCELLED),
        roles=order_selectors.ORDER_PRICE_ROLES,
        style="outline-secondary",
        method="get",
        order=90,
    )


def _register_price_pages() -> None:
    """Navigation and status colours of the price lists, promotions and bulk price change."""
    from core.navigation import NavItem
    from core.navigation import register as nav_register
    from core.ui import register_status_colours
    from crm.sales.orders.prices import selectors as price_selectors

    nav_register(
        NavItem(
            "sales.price_lists",
            _("Price lists"),
            "sales:prices:price_list_list",
            price_selectors.PRICE_READ_ROLES,
            section="sales",
            order=32,
        ),
        NavItem(
            "sales.promotions",
            _("Promotions"),
            "sales:prices:promotion_list",
            price_selectors.PRICE_READ_ROLES,
            section="sales",
            order=33,
        ),
        NavItem(
            "sales.bulk_prices",
            _("Bulk price change"),
            "sales:prices:bulk",
            price_selectors.BULK_PRICE_ROLES,
            section="sales",
            order=34,
        ),
    )
    register_status_colours({"current": "success", "future": "info", "inactive": "secondary"})
    from crm.customers import panels

    panels.register(
        "prices",
        _("Prices"),
        "sales/prices/_customer_panel.html",
        lambda customer, user: price_selectors.customer_prices_summary(customer=customer, user=user),
        roles=price_selectors.PRICE_READ_ROLES,
        order=25,
    )


def _register_today() -> None:
    """The home page's panels (a rep's quotes and waiting orders, the manager's credit holds)
    and quick actions."""
    from core import home
    from core.roles import MANAGER, SALES
    from crm.sales.orders import today

    home.register(
        "orders.quotes_expiring",
        _("My quotes expiring this week"),
        "today/rows.html",
        today.home_quotes_expiring,
        roles=(SALES,),
        order=30,
    )
    home.register(
        "orders.waiting",
        _("My orders on hold or backordered"),
        "today/rows.html",
        today.home_orders_waiting,
        roles=(SALES,),
        order=40,
    )
    home.register(
        "orders.credit_holds",
        _("Orders on credit hold"),
        "today/rows.html",
        today.home_credit_holds,
        roles=(MANAGER,),
        order=home.APPROVALS_ORDER,
        section="approvals",
    )
    home.register_action("orders.new_order", _("New order"), "sales:orders:order_create", (SALES,), order=10)
    home.register_action("orders.new_quote", _("New quote"), "sales:orders:quote_create", (SALES,), order=11)
