from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "integration.fulfilment"
    label = "fulfilment"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Fulfilment")

    def ready(self):
        import importlib.util

        # The bridge needs the sales order services and finance; until those apps provide them
        # it stays out of the way instead of breaking start-up.
        if (
            importlib.util.find_spec("crm.sales.orders.services") is None
            or importlib.util.find_spec("finance.services") is None
        ):
            return
        from integration.fulfilment import handlers  # noqa: F401 - registers the event handlers

        _register_pages()
        _register_order_actions()
        _register_today()


def _register_pages() -> None:
    """Navigation, the customer 360 shipments panel and the colours of our states."""
    from core.navigation import NavItem, register
    from core.roles import FINANCE, MANAGER, SALES, SERVICE, WAREHOUSE
    from core.ui import register_status_colours
    from crm.customers import panels
    from integration.fulfilment.panels import shipments_panel_context

    register(
        NavItem("picking", _("Picking"), "fulfilment:picking", (WAREHOUSE, MANAGER), order=40),
        NavItem(
            "shipments",
            _("Shipments"),
            "fulfilment:shipments",
            (WAREHOUSE, SALES, FINANCE, MANAGER),
            order=41,
        ),
    )
    panels.register(
        "shipments",
        _("Shipments"),
        "fulfilment/panels/shipments.html",
        shipments_panel_context,
        roles=(SALES, MANAGER, WAREHOUSE, SERVICE),
        order=25,
    )
    register_status_colours(
        {
            "picking": "warning",
            "shipped": "success",
            "restock": "info",
            "scrap": "danger",
            "sending": "info",
            "failed": "danger",
        }
    )


def _register_order_actions() -> None:
    """The order page's buttons that this module's services carry out, each shown in the states
    its service accepts and only to who may act on the order (the orders' record rule)."""
    from core.roles import MANAGER, SALES
    from crm.sales.orders import actions as order_actions
    from integration.fulfilment.backorders import WAITING_STATES
    from integration.fulfilment.services import CANCELLABLE_STATES, SHORTENABLE_STATES

    may_act = _may_act_on_order
    register = order_actions.register
    register(
        "confirm",
        _("Confirm"),
        "fulfilment:order-confirm",
        ("draft",),
        (SALES, MANAGER),
        "primary",
        check=may_act,
    )
    register(
        "release_hold",
        _("Release credit hold"),
        "fulfilment:order-release-hold",
        ("credit_hold",),
        (MANAGER,),
        "warning",
        check=may_act,
    )
    register(
        "reserve_again",
        _("Reserve again"),
        "fulfilment:order-reserve-again",
        WAITING_STATES,
        (MANAGER,),
        "outline-primary",
        order=90,
        check=may_act,
    )
    register(
        "shorten",
        _("Reduce a line"),
        "fulfilment:order-shorten",
        SHORTENABLE_STATES,
        (SALES, MANAGER),
        "outline-secondary",
        method="get",
        order=95,
        check=may_act,
    )
    # The one way to cancel an order, a draft included (the audited service).
    register(
        "cancel",
        _("Cancel order"),
        "fulfilment:order-cancel",
        CANCELLABLE_STATES,
        (SALES, MANAGER),
        "outline-danger",
        order=95,
        confirm=_("Cancel this order?"),
        check=may_act,
    )


def _register_today() -> None:
    """The warehouse's picks due, the quick action to pick, the group lines of the order
    notices (reservations, backorders served, credit holds)."""
    from django.utils.translation import ngettext_lazy

    from core import home
    from core.events import groups
    from core.roles import WAREHOUSE
    from integration.fulfilment import today

    home.register(
        "fulfilment.picks_due",
        _("Picks due"),
        "today/rows.html",
        today.home_picks_due,
        roles=(WAREHOUSE,),
        order=10,
    )
    home.register_action("fulfilment.picking", _("Picking"), "fulfilment:picking", (WAREHOUSE,), 20)
    groups.register(
        "reservation",
        ngettext_lazy("Stock reserved for %(count)s order", "Stock reserved for %(count)s orders", "count"),
        url_name="sales:orders:order_list",
        query="owner=me",
    )
    groups.register(
        "backorder_served",
        ngettext_lazy("%(count)s backorder served", "%(count)s backorders served", "count"),
        url_name="sales:orders:order_list",
        query="owner=me",
    )
    groups.register(
        "short_pick",
        ngettext_lazy(
            "%(count)s bin to count after a short pick", "%(count)s bins to count after short picks", "count"
        ),
        url_name="fulfilment:picking",
    )
    groups.register(
        "credit_hold",
        ngettext_lazy("%(count)s order put on credit hold", "%(count)s orders put on credit hold", "count"),
        url_name="sales:orders:order_list",
        query="state=credit_hold",
    )


def _may_act_on_order(order, user) -> bool:
    from crm.sales.orders.selectors import can_change

    return can_change(user, order)
