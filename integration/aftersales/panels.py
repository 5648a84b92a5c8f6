"""The ticket page's trace panel (registered in ``crm.service.panels``)."""

from django.urls import reverse

from integration.aftersales.models import Recall, TraceRun
from scm.inventory.models import Lot


def trace_panel_context(ticket, user) -> dict:
    """The latest trace run of the ticket (what the rule found when it was opened), with a link
    to the full trace; a link only when the ticket names a lot that was not traced."""
    if ticket.lot_id is None:
        return {"run": None, "url": ""}
    url = reverse("aftersales:lot_trace", args=[ticket.lot_id])
    run = TraceRun.objects.filter(ticket_id=ticket.pk).order_by("-id").first()
    if run is None:
        return {"run": None, "url": url}
    from crm.service.models import TicketEvent

    event = TicketEvent.objects.filter(ticket_id=ticket.pk, kind="trace").order_by("-id").first()
    summary = (event.data or {}).get("summary", {}) if event else {}
    params = (event.data or {}).get("params", {}) if event else {}
    return {
        "run": run,
        "url": url,
        "supplier": summary.get("supplier", ""),
        "receipts": ", ".join(summary.get("receipts", [])),
        "others": params.get("others", max(run.customers - 1, 0)),
        "stock": f"{run.in_stock.normalize():f}",
        "held": Lot.objects.filter(pk=ticket.lot_id, held_at__isnull=False).exists(),
        "recall": Recall.objects.filter(lot_id=ticket.lot_id, state=Recall.State.OPEN).first(),
    }


def home_alerts_open(record, user) -> dict:
    """The manager's open quality alerts (``core.home``): each waits for a decision — hold the
    lot and recall, or close it. Two queries."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from integration.aftersales.models import QualityAlert

    qs = QualityAlert.objects.filter(state=QualityAlert.State.OPEN).select_related("product", "lot")
    rows = [
        {
            "url": reverse("aftersales:alert_detail", args=[a.pk]),
            "title": f"{a.product.sku} {a.product.name}",
            "meta": " · ".join(
                n
                for n in (
                    getattr(a.lot, "number", ""),
                    ngettext("%(n)s complaint", "%(n)s complaints", a.complaints) % {"n": a.complaints},
                )
                if n
            ),
            "badge": _("Quality"),
            "badge_colour": "danger",
            "end": date_format(timezone.localtime(a.created_at), "SHORT_DATE_FORMAT"),
        }
        for a in qs.order_by("created_at", "pk")[:6]
    ]
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": reverse("aftersales:alerts") + f"?state={QualityAlert.State.OPEN}",
        "empty": _("No quality alert waits for a decision."),
    }
