"""The warehouse's "picks due" panel (``core.home``): orders holding stock ready to pick, in the
order they are picked (priority, requested date, confirmation), each leading to its open pick
list or to the picking screen of the warehouse that holds its stock."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.sales.models import SalesOrder
from integration.fulfilment import selectors

ROWS = 8
PRIORITY_COLOURS = {SalesOrder.Priority.URGENT: "danger", SalesOrder.Priority.HIGH: "warning"}


def home_picks_due(record, user) -> dict:
    """Five queries whatever the number of orders: the count, a page of orders, their held
    lines, the warehouses holding them and their open pick lists."""
    qs = selectors.picks_due(user=user)
    orders = list(qs[:ROWS])
    places = selectors.pick_places(order_ids=[o.pk for o in orders])
    picking = reverse("fulfilment:picking")
    rows = []
    for order in orders:
        place = places[order.pk]
        if place["open"]:
            url = reverse("fulfilment:shipment", args=[next(iter(place["open"].values()))])
        elif place["warehouses"]:
            url = f"{picking}?warehouse={min(place['warehouses'])}"
        else:
            url = picking
        rows.append(
            {
                "url": url,
                "title": order.number,
                "meta": " · ".join([order.customer.name, *sorted(place["warehouses"].values())]),
                "badge": order.get_priority_display() if order.priority in PRIORITY_COLOURS else "",
                "badge_colour": PRIORITY_COLOURS.get(order.priority, ""),
                "end": _("by %(date)s") % {"date": date_format(order.requested_date, "SHORT_DATE_FORMAT")}
                if order.requested_date
                else "",
            }
        )
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": picking,
        "see_all_label": _("Go to picking (%(count)s)") % {"count": qs.count()},
        "empty": _("Nothing to pick: confirmed orders appear here once their stock is reserved."),
    }
