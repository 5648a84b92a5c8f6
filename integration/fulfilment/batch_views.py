"""The warehouse tablet's batch picks: made from the picking queue, walked on one scan page
(each scan says its tote), shipped tote by tote or all at once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.idempotency import idempotent_post
from core.permissions import role_required
from core.roles import MANAGER, WAREHOUSE
from core.sql import as_id
from integration.fulfilment import batches, carriers, selectors
from integration.fulfilment.models import PickBatch
from integration.fulfilment.picking_views import error_text, picking_url, scan_answer
from scm.inventory.models import Warehouse


@require_POST
@role_required(WAREHOUSE, MANAGER)
def batch_create(request):
    """A batch pick of the orders ticked on the queue, or of the next N."""
    warehouse = get_object_or_404(Warehouse.objects.for_stock(), pk=as_id(request.POST.get("warehouse")) or 0)
    try:
        batch = batches.pick_batch_create(
            warehouse=warehouse,
            user=request.user,
            order_ids=request.POST.getlist("orders") if request.POST.get("chosen") else None,
            count=None if request.POST.get("chosen") else request.POST.get("count"),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(picking_url(warehouse.pk))
    return redirect("fulfilment:batch", pk=batch.pk)


def _batch_context(request, batch: PickBatch, **extra) -> dict:
    return {
        "batch": batch,
        "carrier_names": list(carriers.active_carriers().values_list("name", flat=True)),
        **selectors.batch_walk(batch=batch, user=request.user),
        **extra,
    }


@role_required(WAREHOUSE, MANAGER)
def batch_detail(request, pk):
    batch = get_object_or_404(PickBatch.objects.select_related("warehouse"), pk=pk)
    return render(
        request,
        "fulfilment/batch.html",
        _batch_context(request, batch, title=batch.number),
    )


@require_POST
@role_required(WAREHOUSE, MANAGER)
@idempotent_post
def batch_scan(request, pk):
    batch = get_object_or_404(PickBatch.objects.select_related("warehouse"), pk=pk)
    return scan_answer(
        request,
        do=lambda: batches.pick_batch_scan(
            batch=batch,
            code=request.POST.get("code", ""),
            quantity=request.POST.get("quantity"),
            user=request.user,
        ),
        context_for=lambda: _batch_context(request, batch),
        redirect_to=reverse("fulfilment:batch", args=[pk]),
        template="fulfilment/_batch_body.html",
    )


@require_POST
@role_required(WAREHOUSE, MANAGER)
def batch_ship(request, pk):
    """Ship one tote (the button of its row: ``ship`` = its shipment id) or every tote with a
    tracking number (``ship`` = ``all``). Tracking numbers come as ``tracking-<shipment id>``."""
    batch = get_object_or_404(PickBatch, pk=pk)
    which = request.POST.get("ship", "all")
    numbers = {
        key.removeprefix("tracking-"): value
        for key, value in request.POST.items()
        if key.startswith("tracking-") and (which == "all" and value.strip() or key == f"tracking-{which}")
    }
    try:
        shipped = batches.pick_batch_ship(
            batch=batch, carrier=request.POST.get("carrier", ""), tracking_numbers=numbers, user=request.user
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("fulfilment:batch", pk=pk)
    messages.success(
        request,
        _("Shipped: %(numbers)s.") % {"numbers": ", ".join(f"{s.tote} {s.number}" for s in shipped)},
    )
    batch.refresh_from_db()
    if batch.state == PickBatch.State.DONE:
        return redirect(picking_url(batch.warehouse_id))
    return redirect("fulfilment:batch", pk=pk)


@require_POST
@role_required(WAREHOUSE, MANAGER)
def batch_finish(request, pk):
    batch = get_object_or_404(PickBatch, pk=pk)
    try:
        batches.pick_batch_finish(batch=batch, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("fulfilment:batch", pk=pk)
    messages.success(request, _("Batch pick %(number)s finished.") % {"number": batch.number})
    return redirect(picking_url(batch.warehouse_id))
