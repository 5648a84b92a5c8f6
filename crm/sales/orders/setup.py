"""Wiring of the quotes and orders part of ``crm.sales``: navigation, status colours, the order
page's own actions, the customer 360 panel and the periodic task. Called from
``SalesConfig.ready``."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from core.navigation import NavItem
    from core.navigation import register as nav_register
    from core.roles import MANAGER, SALES
    from core.ui import register_status_colours
    from crm.customers import panels
    from crm.sales.orders import actions as order_actions
    from crm.sales.orders import selectors as order_selectors
    from crm.sales.orders import tasks as quote_tasks  # noqa: F401 - registers the task

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
        }
    )
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
        states=(
            "confirmed",
            "partly_reserved",
            "reserved",
            "partly_shipped",
            "shipped",
            "invoiced",
            "paid",
            "draft",
            "credit_hold",
        ),
        roles=order_selectors.ORDER_READ_ROLES,
        style="outline-secondary",
        method="get",
        order=90,
    )
    panels.register(
        "orders",
        _("Orders"),
        "sales/orders/_customer_panel.html",
        lambda customer, user: order_selectors.customer_orders_summary(customer=customer, user=user),
        roles=order_selectors.ORDER_READ_ROLES,
        order=20,
    )
