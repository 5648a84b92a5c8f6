"""What the selling loop adds to the customer 360 page (``crm.customers.panels``): the
cross-sell suggestions ("customers who buy A also buy B", in stock) and the customer's purchase
cycles."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


HOME_ROWS = 6


def home_due_to_buy(record, user) -> dict:
    """The rep's "today" panel: my customers due to buy (purchase cycles expected within the lead
    time of today), the soonest first, each with its rhythm and confidence (two queries)."""
    qs = selling_selectors.cycle_list(user=user, show=selling_selectors.SHOW_DUE, owner="me")
    today = timezone.localdate()
    rows = []
    for cycle in qs[:HOME_ROWS]:
        late = cycle.expected_date < today
        rows.append(
            {
                "url": reverse("customers:detail", args=[cycle.customer_id]),
                "title": cycle.customer.name,
                "meta": _("%(item)s, %(rhythm)s (confidence %(confidence)s %%)")
                % {
                    "item": cycle.item.name,
                    "rhythm": cycle.rhythm(),
                    "confidence": round(cycle.confidence * 100),
                },
                "end": date_format(cycle.expected_date, "SHORT_DATE_FORMAT"),
                "end_colour": "danger" if late else "",
            }
        )
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": reverse("selling:cycles") + "?show=due&owner=me",
        "empty": _(
            "None of your customers is due to buy soon. Tandem finds their buying rhythm every night."
        ),
        "empty_url": reverse("selling:cycles") + "?show=all&owner=me",
        "empty_label": _("Purchase cycles"),
    }
