"""Tablet screens for the warehouse: receive, transfer, count.

Each screen has one scan field that stays focused (a barcode scanner types like a keyboard and
ends with Enter). A scan posts by htmx and gets back a small partial with the result, so the
screen never reloads. A unit's barcode scans that unit (a box of 24 scans 24). In a warehouse
with bins the same field takes the bin's barcode, before or after the product (``bin_scan``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import optional_date_input
from core.idempotency import idempotent_post
from core.permissions import role_required
from core.sql import as_id, id_input
from scm.inventory import bin_scan, counts, selectors, services, transfers
from scm.inventory.forms import TransferStartForm, apply_errors
from scm.inventory.locations import has_locations
from scm.inventory.models import CountLine, CountSession, Product, StockMove, Transfer, Warehouse
from scm.inventory.services import plain_qty
from scm.inventory.tablet_bins import held_location, scan_step, shown_state, step_done
from scm.inventory.views import STOCK_WRITE


def _feedback(request, template, ok: bool, message: str, **context):
    return render(request, template, {"ok": ok, "message": message, **context})


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _quantity(request) -> str:
    return request.POST.get("quantity") or "1"


def _scan_quantity(scan, quantity: str) -> tuple[Decimal, str]:
    """(base quantity, label) for ``quantity`` of what was scanned."""
    base = services.to_base_quantity(product=scan.product, quantity=quantity, unit=scan.unit)
    unit = scan.unit.name if scan.unit else scan.product.base_unit
    return base, f"{quantity} {unit}"


# --- receive --------------------------------------------------------------------------------


def _recent_receipts(user, warehouse_id):
    return (
        StockMove.objects.filter(kind=StockMove.Kind.RECEIPT, user=user, warehouse_id=warehouse_id)
        .select_related("product", "lot", "location")
        .order_by("-pk")[:8]
    )


@role_required(*STOCK_WRITE)
def receive(request):
    warehouses = Warehouse.objects.for_stock()
    warehouse_id = id_input(request.GET.get("warehouse"), field="warehouse", required=False) or (
        warehouses[0].pk if warehouses else None
    )
    return render(
        request,
        "inventory/tablet/receive.html",
        {
            "title": _("Receive"),
            "warehouses": warehouses,
            "warehouse_id": warehouse_id,
            "recent": _recent_receipts(request.user, warehouse_id),
            "bins_here": bool(warehouse_id) and has_locations(warehouse_id),
            "allow_dock": True,
            **_receive_state(request, next((w for w in warehouses if w.pk == warehouse_id), None)),
        },
    )


def _receive_screen(warehouse) -> str:
    return f"receive:{warehouse.pk}"


def _receive_state(request, warehouse) -> dict:
    if warehouse is None or not has_locations(warehouse.pk):
        return {}
    return shown_state(request, warehouse, _receive_screen(warehouse))


@role_required(*STOCK_WRITE)
@require_POST
@idempotent_post
def receive_scan(request):
    template = "inventory/tablet/receive.html#scan-result"
    post = request.POST
    warehouse = Warehouse.objects.for_stock().filter(pk=as_id(post.get("warehouse")) or 0).first()
    if warehouse is None:
        return _feedback(request, template, False, _("Choose the warehouse."))
    state = {"bins_here": has_locations(warehouse.pk), "allow_dock": True}
    screen = _receive_screen(warehouse)
    try:
        step = scan_step(request, warehouse, screen)
        if step.kind == bin_scan.HOLD:
            message = _("Done with the bin.")
            if step.location is not None:
                message = _("Bin %(code)s: now scan what goes into it.") % {"code": step.location.code}
            return _feedback(request, template, True, message, **state, **step_done(request, screen, step))
        if step.kind == bin_scan.PENDING:
            return _feedback(
                request, template, True, _("Now scan the bin."), **state, **step_done(request, screen, step)
            )
        scan = step.scan
        lot_number = post.get("lot_number", "").strip()
        if scan.lot is not None:
            lot_number = scan.lot.number
        if scan.product.tracking == Product.Tracking.SERIAL and not lot_number:
            raise ValidationError({"lot_number": _("Scan the serial number into the lot field first.")})
        expiry = optional_date_input(post.get("expiry_date"), field="expiry_date")
        move = services.stock_receive(
            product=scan.product,
            warehouse=warehouse,
            quantity=_quantity(request),
            unit=scan.unit,
            lot_number=lot_number,
            expiry_date=expiry,
            reference=post.get("reference", "").strip(),
            user=request.user,
            location=step.location,
        )
    except ValidationError as exc:
        return _feedback(request, template, False, _error_text(exc))
    message = _("+%(qty)s %(unit)s %(name)s into %(warehouse)s") % {
        "qty": plain_qty(move.quantity),
        "unit": scan.product.base_unit,
        "name": scan.product.name,
        "warehouse": warehouse.code if step.location is None else f"{warehouse.code} {step.location.code}",
    }
    return _feedback(
        request,
        template,
        True,
        message,
        recent=_recent_receipts(request.user, warehouse.pk),
        oob=True,
        **state,
        **step_done(request, screen, step),
    )


# --- transfer -------------------------------------------------------------------------------


@role_required(*STOCK_WRITE)
def transfer_start(request):
    form = TransferStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfers.transfer_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("inventory:tablet_transfer", pk=transfer.pk)
    drafts = Transfer.objects.filter(state=Transfer.State.DRAFT).select_related("source", "destination")[:10]
    arriving = Transfer.objects.filter(state=Transfer.State.IN_TRANSIT).select_related(
        "source", "destination"
    )[:10]
    return render(
        request,
        "inventory/tablet/transfer_start.html",
        {"title": _("Transfer"), "form": form, "drafts": drafts, "arriving": arriving},
    )


@role_required(*STOCK_WRITE)
def transfer_scan_screen(request, pk):
    transfer = get_object_or_404(Transfer.objects.select_related("source", "destination"), pk=pk)
    return render(
        request,
        "inventory/tablet/transfer.html",
        {
            "title": transfer.number,
            "transfer": transfer,
            "lines": transfer.lines.select_related("product", "lot"),
        },
    )


@role_required(*STOCK_WRITE)
@require_POST
@idempotent_post
def transfer_scan(request, pk):
    """Add what was scanned to the draft, warning at once when the source does not hold it
    (shipping re-checks with a conditional UPDATE, so this check is only for feedback)."""
    transfer = get_object_or_404(Transfer.objects.select_related("source", "destination"), pk=pk)
    template = "inventory/tablet/transfer.html#scan-result"
    try:
        scan = selectors.scan_lookup(code=request.POST.get("code", ""))
        base, _label = _scan_quantity(scan, _quantity(request))
        on_transfer = sum(
            (ln.quantity for ln in transfer.lines.filter(product=scan.product, lot=scan.lot)), Decimal(0)
        )
        available = selectors.available_at(
            product_id=scan.product.pk,
            warehouse_id=transfer.source_id,
            lot_id=scan.lot.pk if scan.lot else None,
        )
        if on_transfer + base > available:
            raise ValidationError(
                {
                    "quantity": _("Only %(available)s available in %(warehouse)s.")
                    % {"available": plain_qty(available), "warehouse": transfer.source.code}
                }
            )
        line = transfers.transfer_add_line(
            transfer=transfer,
            product=scan.product,
            quantity=_quantity(request),
            unit=scan.unit,
            lot=scan.lot,
            user=request.user,
        )
    except ValidationError as exc:
        ok, message = False, _error_text(exc)
    else:
        ok = True
        message = _("%(name)s: %(qty)s %(unit)s on the transfer") % {
            "name": scan.product.name,
            "qty": plain_qty(line.quantity),
            "unit": scan.product.base_unit,
        }
    lines = transfer.lines.select_related("product", "lot")
    return _feedback(request, template, ok, message, transfer=transfer, lines=lines, oob=True)


# --- count ----------------------------------------------------------------------------------


def _counted_lines(session):
    return (
        CountLine.objects.filter(session=session, counted__isnull=False)
        .select_related("product", "lot", "location")
        .order_by("-counted_at", "-pk")[:12]
    )


@role_required(*STOCK_WRITE)
def count_screen(request, pk):
    session = get_object_or_404(CountSession.objects.select_related("warehouse", "category"), pk=pk)
    if session.state != CountSession.State.COUNTING:
        return redirect("inventory:count_detail", pk=pk)
    return render(
        request,
        "inventory/tablet/count.html",
        {
            "title": session.number,
            "session": session,
            "lines": _counted_lines(session),
            "bins_here": has_locations(session.warehouse_id),
            "counting": True,
            **shown_state(request, session.warehouse, f"count:{session.pk}"),
        },
    )


@role_required(*STOCK_WRITE)
@require_POST
@idempotent_post
def count_scan(request, pk):
    """A product counted in the bin held (scan the bin first; none: what is not put away), or
    a bin scanned: the products scanned next are counted in it."""
    session = get_object_or_404(CountSession.objects.select_related("warehouse", "category"), pk=pk)
    template = "inventory/tablet/count.html#scan-result"
    post = request.POST
    state = {"session": session, "bins_here": has_locations(session.warehouse_id), "counting": True}
    screen = f"count:{session.pk}"
    try:
        held = held_location(request, session.warehouse, screen)
        location = None
        if state["bins_here"] and not post.get("clear_bin"):
            location = bin_scan.scanned_bin(warehouse=session.warehouse, code=post.get("code", ""))
        if location is not None or post.get("clear_bin"):
            message = _("Bin %(code)s: scan what is in it.") % {"code": location.code} if location else ""
            if location is None:
                message = _("Counting stock not put away (in no bin).")
            step = bin_scan.BinStep(bin_scan.HOLD, location=location)
            return _feedback(
                request,
                template,
                True,
                message,
                lines=_counted_lines(session),
                oob=True,
                **step_done(request, screen, step),
                **state,
            )
        scan = selectors.scan_lookup(code=post.get("code", ""))
        lot = scan.lot
        if lot is None and scan.product.tracking != Product.Tracking.NONE:
            raise ValidationError({"barcode": _("Scan the lot or serial number on the label.")})
        line = counts.count_record(
            session=session,
            product=scan.product,
            lot=lot,
            quantity=_quantity(request),
            unit=scan.unit,
            user=request.user,
            location=held,
        )
    except ValidationError as exc:
        return _feedback(
            request,
            template,
            False,
            _error_text(exc),
            lines=_counted_lines(session),
            oob=True,
            **state,
        )
    name = scan.product.name + (f" · {lot.number}" if lot else "")
    if held is not None:
        name = f"{held.code} · {name}"
    message = _("%(name)s: %(qty)s %(unit)s counted") % {
        "name": name,
        "qty": plain_qty(line.counted),
        "unit": scan.product.base_unit,
    }
    return _feedback(request, template, True, message, lines=_counted_lines(session), oob=True, **state)
