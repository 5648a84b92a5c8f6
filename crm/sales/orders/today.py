"""The "today" panels of quotes and orders (``core.home``): a rep's quotes about to expire and
orders that wait (credit hold, backorder); the manager's orders on credit hold. Each reads the
lists' own selectors (the orders' record rule), two queries a panel."""

from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.people import display_name
from core.templatetags.tandem import money
from core.ui import status_colour
from crm.sales.models import SalesOrder
from crm.sales.orders import selectors

ROWS = 6
EXPIRING_DAYS = 7


def home_quotes_expiring(record, user) -> dict:
    """My open quotes whose validity ends in the next ``EXPIRING_DAYS`` days, soonest first."""
    qs = selectors.quote_list(user=user, owner_id=user.pk, expiring_days=EXPIRING_DAYS).order_by(
        "valid_until", "pk"
    )
    rows = [
        {
            "url": reverse("sales:orders:quote_detail", args=[q.pk]),
            "title": q.number,
            "meta": q.customer.name,
            "badge": q.get_state_display(),
            "badge_colour": status_colour(q.state),
            "end": _("valid until %(date)s") % {"date": date_format(q.valid_until, "SHORT_DATE_FORMAT")},
        }
        for q in qs[:ROWS]
    ]
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": f"{reverse('sales:orders:quote_list')}?owner=me&expiring={EXPIRING_DAYS}",
        "empty": _(
            "No quote of yours expires this week. Follow up the quotes you sent, or quote a customer."
        ),
        "empty_url": reverse("sales:orders:quote_create"),
        "empty_label": _("New quote"),
    }


def home_orders_waiting(record, user) -> dict:
    """My orders on credit hold or with a line on backorder, holds first, then the oldest."""
    holds_first = Case(When(state=SalesOrder.State.CREDIT_HOLD, then=Value(0)), default=Value(1))
    qs = selectors.order_list(user=user, owner_id=user.pk, waiting=True).order_by(
        holds_first, "order_date", "pk"
    )
    rows = []
    for order in qs[:ROWS]:
        held = order.state == SalesOrder.State.CREDIT_HOLD
        rows.append(
            {
                "url": reverse("sales:orders:order_detail", args=[order.pk]),
                "title": order.number,
                "meta": order.customer.name,
                "badge": order.get_state_display() if held else _("Backordered"),
                "badge_colour": status_colour(order.state) if held else "danger",
                "end": date_format(order.requested_date or order.order_date, "SHORT_DATE_FORMAT"),
            }
        )
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": f"{reverse('sales:orders:order_list')}?owner=me&waiting=1",
        "empty": _("None of your orders is on credit hold or waiting for stock."),
    }


def home_credit_holds(record, user) -> dict:
    """Orders on credit hold, the oldest first: a manager releases them or sends them back."""
    qs = selectors.order_list(user=user, state=SalesOrder.State.CREDIT_HOLD).order_by("created_at", "pk")
    rows = [
        {
            "url": reverse("sales:orders:order_detail", args=[o.pk]),
            "title": o.number,
            "meta": f"{o.customer.name} · {display_name(o.owner)}",
            "end": money(o.total, o.currency),
        }
        for o in qs[:ROWS]
    ]
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": f"{reverse('sales:orders:order_list')}?state={SalesOrder.State.CREDIT_HOLD}",
        "empty": _("No order is on credit hold."),
    }
