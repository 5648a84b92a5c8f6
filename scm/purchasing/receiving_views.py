"""Receiving pages: the warehouse tablet (choose or scan the purchase order, scan what arrived,
review, quality check, post) and the office pages (receipts, a receipt, quarantine stock with
release and return). Every change goes through ``scm.purchasing.receiving``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import optional_date_input
from core.idempotency import idempotent_post
from core.permissions import role_required
from core.sql import id_input
from scm.inventory import bin_scan
from scm.inventory.locations import has_locations
from scm.inventory.quarantine import quarantine_levels
from scm.inventory.services import plain_qty
from scm.inventory.tablet_bins import scan_step, shown_state, step_done
from scm.purchasing import receiving, receiving_quarantine, receiving_selectors
from scm.purchasing.models import PurchaseOrder, Receipt, ReceiptLine, Supplier, SupplierReturn
from scm.purchasing.pickers import supplier_picker
from scm.purchasing.selectors import READ_ROLES, RECEIVE_ROLES, can_receive, receipts_visible_to

PAGE_SIZE = 25
TABLET = "purchasing/receiving/"


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _receipt_for(user, pk, *, lock_states=None) -> Receipt:
    receipt = (
        receipts_visible_to(user)
        .select_related("purchase_order", "supplier", "warehouse", "received_by", "checked_by")
        .filter(pk=pk)
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


# --- tablet ---------------------------------------------------------------------------------


@role_required(*RECEIVE_ROLES)
def tablet_start(request):
    """Choose or scan the purchase order; resume a receipt in progress."""
    message = ""
    if request.method == "POST":
        code = (request.POST.get("code") or "").strip()
        order = receiving_selectors.receivable_order_by_number(code)
        if order is None:
            message = _("No open purchase order %(number)s.") % {"number": code}
        else:
            try:
                receipt = receiving.receipt_start(
                    purchase_order=order,
                    user=request.user,
                    delivery_note=request.POST.get("delivery_note", ""),
                )
            except ValidationError as exc:
                message = _error_text(exc)
            else:
                return redirect("purchasing:receiving_tablet_count", pk=receipt.pk)
    orders = receiving_selectors.receivable_orders().order_by("order_date", "pk")[:12]
    open_receipts = (
        Receipt.objects.filter(state__in=(Receipt.State.COUNTING, Receipt.State.CHECKING))
        .select_related("purchase_order", "supplier")
        .order_by("-pk")[:8]
    )
    return render(
        request,
        TABLET + "tablet_start.html",
        {
            "title": _("Receive a purchase order"),
            "orders": orders,
            "open_receipts": open_receipts,
            "message": message,
        },
    )


def _tablet_receipt(request, pk) -> Receipt:
    receipt = _receipt_for(request.user, pk)
    return receipt


def _count_context(receipt, **extra):
    return {
        "title": receipt.number,
        "receipt": receipt,
        "lines": receiving_selectors.receipt_lines(receipt).order_by("-pk"),
        "progress": receiving_selectors.receipt_progress(receipt),
        "bins_here": has_locations(receipt.warehouse_id),
        "allow_dock": True,
        **extra,
    }


def _screen(receipt) -> str:
    return f"receipt:{receipt.pk}"


@role_required(*RECEIVE_ROLES)
def tablet_count(request, pk):
    receipt = _tablet_receipt(request, pk)
    if receipt.state == Receipt.State.POSTED:
        return redirect("purchasing:receipt_detail", pk=pk)
    state = (
        shown_state(request, receipt.warehouse, _screen(receipt))
        if has_locations(receipt.warehouse_id)
        else {}
    )
    return render(request, TABLET + "tablet_count.html", _count_context(receipt, **state))


@role_required(*RECEIVE_ROLES)
@require_POST
@idempotent_post
def tablet_scan(request, pk):
    """A product scanned onto the receipt; in a warehouse with bins, the bin it goes into too,
    before or after it (``scm.inventory.bin_scan``: the suggested bin is shown meanwhile)."""
    receipt = _tablet_receipt(request, pk)
    post = request.POST
    state = {}
    try:
        step = scan_step(request, receipt.warehouse, _screen(receipt))
        if step.kind in (bin_scan.HOLD, bin_scan.PENDING):
            ok, state = True, {"bin_wait": True, **step_done(request, _screen(receipt), step)}
            message = _("Now scan the bin.")
            if step.kind == bin_scan.HOLD:
                message = _("Done with the bin.")
                if step.location is not None:
                    message = _("Bin %(code)s: now scan what goes into it.") % {"code": step.location.code}
        else:
            line = receiving.receipt_add_line(
                receipt=receipt,
                user=request.user,
                code=step.code,
                quantity=post.get("quantity") or "1",
                lot_number=post.get("lot_number", ""),
                expiry_date=optional_date_input(post.get("expiry_date"), field="expiry_date"),
                location=step.location,
            )
            ok = True
            message = _("%(name)s: %(qty)s %(unit)s on the receipt") % {
                "name": line.product.name + (f" · {line.lot_number}" if line.lot_number else ""),
                "qty": plain_qty(line.quantity),
                "unit": line.product.base_unit,
            }
            if line.location is not None:
                message = f"{message} → {line.location.code}"
            state = step_done(request, _screen(receipt), step)
    except ValidationError as exc:
        ok, message = False, _error_text(exc)
    receipt.refresh_from_db()
    return render(
        request,
        TABLET + "tablet_count.html#scan-result",
        _count_context(receipt, ok=ok, message=message, oob=True, **state),
    )


@role_required(*RECEIVE_ROLES)
@require_POST
def tablet_remove_line(request, pk, line_pk):
    receipt = _tablet_receipt(request, pk)
    line = get_object_or_404(ReceiptLine, pk=line_pk, receipt=receipt)
    try:
        receiving.receipt_remove_line(line=line, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("purchasing:receiving_tablet_count", pk=pk)


@role_required(*RECEIVE_ROLES)
def tablet_check(request, pk):
    """The quality check: per line accepted and rejected quantities, the reason, and what
    happens to rejected goods; then post."""
    receipt = _tablet_receipt(request, pk)
    if receipt.state == Receipt.State.POSTED:
        return redirect("purchasing:receipt_detail", pk=pk)
    lines = list(receiving_selectors.receipt_lines(receipt))
    error = ""
    if request.method == "POST":
        results = [
            {
                "line": line.pk,
                "accepted_quantity": request.POST.get(f"accepted_{line.pk}", ""),
                "rejected_quantity": request.POST.get(f"rejected_{line.pk}", ""),
                "reject_reason": request.POST.get(f"reason_{line.pk}", ""),
                "reject_action": request.POST.get(f"action_{line.pk}", ""),
            }
            for line in lines
        ]
        try:
            receiving.receipt_check(receipt=receipt, user=request.user, results=results)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            return redirect("purchasing:receiving_tablet_check", pk=pk)
    return render(
        request,
        TABLET + "tablet_check.html",
        {
            "title": receipt.number,
            "receipt": receipt,
            "lines": lines,
            "error": error,
            "actions": ReceiptLine.RejectAction.choices,
            "posted": request.POST if error else None,
        },
    )


@role_required(*RECEIVE_ROLES)
@require_POST
def tablet_post(request, pk):
    receipt = _tablet_receipt(request, pk)
    try:
        receiving.receipt_post(receipt=receipt, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("purchasing:receiving_tablet_check", pk=pk)
    messages.success(request, _("Receipt %(number)s posted.") % {"number": receipt.number})
    return redirect("purchasing:receiving_tablet")


# --- office ---------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def receipt_list(request):
    try:
        qs = receiving_selectors.receipts_filtered(request.user, request.GET)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        qs = receiving_selectors.receipts_filtered(request.user, {})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "purchasing/receiving/receipt_list.html",
        {
            "title": _("Receipts"),
            "page_obj": page,
            "states": Receipt.State.choices,
            "supplier_picker": supplier_picker(
                include_inactive=True, queryset=Supplier.objects.all(), placeholder=_("All")
            ),
            "can_receive": can_receive(request.user),
        },
    )


@role_required(*READ_ROLES)
def receipt_detail(request, pk):
    receipt = _receipt_for(request.user, pk)
    returns = SupplierReturn.objects.filter(receipt=receipt).prefetch_related("lines__product", "lines__lot")
    return render(
        request,
        "purchasing/receiving/receipt_detail.html",
        {
            "title": receipt.number,
            "receipt": receipt,
            "lines": receiving_selectors.receipt_lines(receipt),
            "returns": returns,
            "timeline": receiving_selectors.receipt_timeline(receipt),
            "can_receive": can_receive(request.user),
            "order_open": receipt.purchase_order.state
            in (PurchaseOrder.State.SENT, PurchaseOrder.State.PARTLY_RECEIVED),
        },
    )


@role_required(*READ_ROLES)
def quarantine_list(request):
    site_id = id_input(request.GET.get("warehouse"), field="warehouse", required=False)
    page = Paginator(quarantine_levels(site_id=site_id), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "purchasing/receiving/quarantine_list.html",
        {"title": _("Quarantine"), "page_obj": page, "can_receive": can_receive(request.user)},
    )


@role_required(*RECEIVE_ROLES)
@require_POST
def quarantine_action(request, level_pk, action):
    try:
        if action == "release":
            receiving_quarantine.quarantine_accept(
                level_id=level_pk, quantity=request.POST.get("quantity"), user=request.user
            )
            messages.success(request, _("Released into stock."))
        elif action == "return":
            rtv = receiving_quarantine.quarantine_return_to_supplier(
                level_id=level_pk,
                quantity=request.POST.get("quantity"),
                reason=request.POST.get("reason", ""),
                user=request.user,
            )
            messages.success(request, _("Return %(number)s recorded.") % {"number": rtv.number})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("purchasing:quarantine")
