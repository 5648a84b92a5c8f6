"""The "today" panels of counts (``core.home``): the warehouse's open counts (counting, or
approved and waiting to be posted) and the manager's counts waiting for approval."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.ui import status_colour
from scm.inventory import selectors
from scm.inventory.models import CountSession

ROWS = 6


def _rows(sessions, *, tablet: bool) -> list[dict]:
    rows = []
    for c in sessions:
        counting = tablet and c.state == CountSession.State.COUNTING
        rows.append(
            {
                "url": reverse(
                    "inventory:tablet_count" if counting else "inventory:count_detail", args=[c.pk]
                ),
                "title": c.number,
                "meta": " · ".join(n for n in (c.warehouse.name, getattr(c.category, "name", "")) if n),
                "badge": c.get_state_display(),
                "badge_colour": status_colour(c.state),
                "end": date_format(timezone.localtime(c.created_at), "SHORT_DATE_FORMAT"),
            }
        )
    return rows


def home_counts_open(record, user) -> dict:
    qs = selectors.count_sessions(state="open")
    return {
        "rows": _rows(qs[:ROWS], tablet=True),
        "count": qs.count(),
        "see_all": reverse("inventory:counts") + "?state=open",
        "empty": _("No count is open. Start a cycle count of a warehouse when it is quiet."),
        "empty_url": reverse("inventory:counts"),
        "empty_label": _("Start a count"),
    }


def home_counts_to_approve(record, user) -> dict:
    qs = selectors.count_sessions(state=CountSession.State.SUBMITTED).order_by("submitted_at", "pk")
    return {
        "rows": _rows(qs[:ROWS], tablet=False),
        "count": qs.count(),
        "see_all": reverse("inventory:counts") + f"?state={CountSession.State.SUBMITTED}",
        "empty": _("No count waits for your approval."),
    }
