"""What the selling loop plugs into other modules, called from ``InsightsConfig.ready``: the
navigation entry, the customer 360 panels, the order and quote forms' suggestions panel and the
nightly task."""

from django.utils.translation import gettext_lazy as _


def register_selling() -> None:
    from core import home
    from core.navigation import NavItem, register
    from core.roles import SALES
    from crm.customers import panels
    from crm.sales.orders import form_panels
    from integration.insights import selling_panels, selling_tasks  # noqa: F401 - registers the task
    from integration.insights.selling_selectors import SELLING_ROLES

    register(NavItem("insights.cycles", _("Purchase cycles"), "selling:cycles", SELLING_ROLES, "sales", 25))
    panels.register(
        "insights.cross_sell",
        _("Customers who buy this also buy"),
        "insights/selling/panel_suggestions.html",
        selling_panels.suggestions_context,
        roles=SELLING_ROLES,
        order=12,
    )
    panels.register(
        "insights.cycles",
        _("Purchase cycles"),
        "insights/selling/panel_cycles.html",
        selling_panels.cycles_context,
        roles=SELLING_ROLES,
        order=13,
    )
    home.register(
        "insights.due_to_buy",
        _("My customers due to buy"),
        "today/rows.html",
        selling_panels.home_due_to_buy,
        roles=(SALES,),
        order=50,
    )
    form_panels.register("insights.suggestions", "selling:form_suggestions", roles=SELLING_ROLES)
