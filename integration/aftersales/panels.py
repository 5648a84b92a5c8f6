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
