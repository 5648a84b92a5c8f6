"""What the selling loop adds to the customer 360 page (``crm.customers.panels``): the
cross-sell suggestions ("customers who buy A also buy B", in stock) and the customer's purchase
cycles."""

from core.roles import has_role
from crm.sales.orders.selectors import ORDER_WRITE_ROLES, QUOTE_WRITE_ROLES
from integration.insights import crosssell, selling_selectors

PANEL_SUGGESTIONS = 5


def suggestions_context(customer, user) -> dict:
    return {
        "suggestions": crosssell.suggestions_for(customer=customer, user=user, limit=PANEL_SUGGESTIONS),
        "customer": customer,
        "can_quote": has_role(user, QUOTE_WRITE_ROLES),
        "can_order": has_role(user, ORDER_WRITE_ROLES),
    }


def cycles_context(customer, user) -> dict:
    return {"cycles": selling_selectors.customer_cycles(customer=customer, user=user), "customer": customer}
