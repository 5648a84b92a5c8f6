"""The rep's "stock alerts" panel (``core.home``): the "stock is tight" notices of this rule
(``services.stock_tight_tell``: products the rep's customers asked for — open opportunities and
leads, recent orders — whose available stock fell below the reorder point or ran short), one per
product, the newest first."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.events.selectors import latest_by_link
from integration.rules.services import STOCK_TIGHT_KIND

ALERT_DAYS = 7
ROWS = 6


def home_stock_alerts(record, user) -> dict:
    since = timezone.now() - timedelta(days=ALERT_DAYS)
    count, notes = latest_by_link(user=user, kind=STOCK_TIGHT_KIND, since=since, limit=ROWS)
    rows = [
        {
            "url": note.url,
            "title": " ".join(str(note.params.get(k, "")) for k in ("sku", "product")).strip()
            or note.title_text(),
            "end": date_format(timezone.localtime(note.created_at), "SHORT_DATE_FORMAT"),
        }
        for note in notes
    ]
    return {
        "rows": rows,
        "count": count,
        "see_all": f"{reverse('events:notifications')}?{urlencode({'kind': STOCK_TIGHT_KIND})}",
        "see_all_label": _("All stock notices"),
        "hint": _("Available stock is below what is needed: check it before you promise a date."),
        "empty": _("Stock is fine for what your customers asked for. Tandem tells you when it gets tight."),
    }
