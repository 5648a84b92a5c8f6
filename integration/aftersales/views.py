"""After-sales quality pages: a lot's trace, quality alerts (hold the lot, start a recall, close),
lots on hold (release), recalls with their customers (export, mark contacted or returned,
close). Views parse input, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pagination import CappedPaginator, page_size
from core.permissions import role_required
from core.roles import has_role
from core.sql import as_id
from crm.service.selectors import tickets_visible_to
from integration.aftersales import recall as recalls
from integration.aftersales import services
from integration.aftersales.models import QualityAlert, Recall, RecallCustomer
from integration.aftersales.selectors import ACT_ROLES, CONTACT_ROLES, READ_ROLES
from integration.aftersales.trace import lot_trace
from scm.inventory import holds
from scm.inventory.models import Lot


def _may_open(user, url_name: str) -> bool:
    """Whether ``user`` may open the page named ``url_name`` (the roles its view declares): a
    link to a page the reader would get 403 on is shown as plain text."""
    view = resolve(reverse(url_name, args=[1])).func
    return has_role(user, getattr(view, "allowed_roles", ()))


def _links(user) -> dict:
    return {
        "link_customers": _may_open(user, "customers:detail"),
        "link_receipts": _may_open(user, "purchasing:receipt_detail"),
        "link_suppliers": _may_open(user, "purchasing:supplier_detail"),
        "link_tickets": _may_open(user, "service:ticket_detail"),
    }


def _lot_tickets(lot, user) -> list:
    """The latest tickets naming the lot (complaints first in mind), for readers of tickets."""
    if lot is None or not _may_open(user, "service:ticket_detail"):
        return []
    return list(
        tickets_visible_to(user).filter(lot=lot).select_related("customer").order_by("-opened_at", "-pk")[:20]
    )


def _error(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


@role_required(*READ_ROLES)
def lot_trace_page(request, pk):
    lot = get_object_or_404(Lot.objects.select_related("product", "held_by"), pk=pk)
    trace = lot_trace(lot=lot)
    return render(
        request,
        "aftersales/lot_trace.html",
        {
            "title": _("Trace of lot %(lot)s") % {"lot": lot.number},
            "lot": lot,
            "trace": trace,
            "open_recall": Recall.objects.filter(lot=lot, state=Recall.State.OPEN).first(),
            "can_act": has_role(request.user, ACT_ROLES),
            "lot_tickets": _lot_tickets(lot, request.user),
            **_links(request.user),
        },
    )


@require_POST
@role_required(*ACT_ROLES)
def lot_hold(request, pk):
    lot = get_object_or_404(Lot, pk=pk)
    try:
        holds.lot_hold(lot=lot, reason=request.POST.get("reason", ""), user=request.user)
        messages.success(request, _("Lot %(lot)s is on hold.") % {"lot": lot.number})
    except ValidationError as exc:
        _error(request, exc)
    return redirect("aftersales:lot_trace", pk=lot.pk)


@require_POST
@role_required(*ACT_ROLES)
def lot_release(request, pk):
    lot = get_object_or_404(Lot, pk=pk)
    try:
        holds.lot_release(lot=lot, user=request.user)
        messages.success(request, _("Lot %(lot)s is released.") % {"lot": lot.number})
    except ValidationError as exc:
        _error(request, exc)
    if request.POST.get("next") == "holds":
        return redirect("aftersales:holds")
    return redirect("aftersales:lot_trace", pk=lot.pk)


@require_POST
@role_required(*ACT_ROLES)
def lot_recall(request, pk):
    lot = get_object_or_404(Lot, pk=pk)
    alert_id = as_id(request.POST.get("alert"))
    alert = QualityAlert.objects.filter(pk=alert_id).first() if alert_id else None
    try:
        recall = recalls.recall_start(
            lot=lot, reason=request.POST.get("reason", ""), user=request.user, alert=alert
        )
    except ValidationError as exc:
        _error(request, exc)
        return (
            redirect("aftersales:alert_detail", pk=alert.pk)
            if alert
            else redirect("aftersales:lot_trace", pk=lot.pk)
        )
    messages.success(request, _("Recall %(number)s started.") % {"number": recall.number})
    return redirect("aftersales:recall_detail", pk=recall.pk)


@role_required(*READ_ROLES)
def hold_list(request):
    page = CappedPaginator(holds.held_lots(), page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "aftersales/hold_list.html",
        {"title": _("Lots on hold"), "page_obj": page, "can_act": has_role(request.user, ACT_ROLES)},
    )


@role_required(*READ_ROLES)
def alert_list(request):
    qs = QualityAlert.objects.select_related("product", "lot")
    state = request.GET.get("state", "")
    if state in QualityAlert.State.values:
        qs = qs.filter(state=state)
    page = CappedPaginator(qs, page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "aftersales/alert_list.html",
        {
            "title": _("Quality alerts"),
            "page_obj": page,
            "states": QualityAlert.State.choices,
            "state": state,
        },
    )


@role_required(*READ_ROLES)
def alert_detail(request, pk):
    alert = get_object_or_404(QualityAlert.objects.select_related("product", "lot"), pk=pk)
    trace = lot_trace(lot=alert.lot) if alert.lot is not None else None
    return render(
        request,
        "aftersales/alert_detail.html",
        {
            "title": _("Quality alert"),
            "alert": alert,
            "trace": trace,
            "recalls": alert.recalls.all(),
            "can_act": has_role(request.user, ACT_ROLES),
            **_links(request.user),
        },
    )


@require_POST
@role_required(*ACT_ROLES)
def alert_hold(request, pk):
    alert = get_object_or_404(QualityAlert, pk=pk)
    try:
        services.alert_hold(alert=alert, reason=request.POST.get("reason", ""), user=request.user)
        messages.success(request, _("The lot is on hold."))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("aftersales:alert_detail", pk=alert.pk)


@require_POST
@role_required(*ACT_ROLES)
def alert_close(request, pk):
    alert = get_object_or_404(QualityAlert, pk=pk)
    try:
        services.alert_close(alert=alert, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
    return redirect("aftersales:alert_detail", pk=alert.pk)


@role_required(*READ_ROLES)
def recall_list(request):
    qs = Recall.objects.select_related("lot__product")
    page = CappedPaginator(qs, page_size(request)).get_page(request.GET.get("page"))
    return render(request, "aftersales/recall_list.html", {"title": _("Recalls"), "page_obj": page})


@role_required(*READ_ROLES)
def recall_detail(request, pk):
    recall = get_object_or_404(Recall.objects.select_related("lot__product", "alert", "started_by"), pk=pk)
    rows = recall.customers.select_related("customer", "owner").order_by("customer__name", "pk")
    page = CappedPaginator(rows, page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "aftersales/recall_detail.html",
        {
            "title": recall.number,
            "recall": recall,
            "page_obj": page,
            "can_act": has_role(request.user, ACT_ROLES),
            "can_contact": has_role(request.user, CONTACT_ROLES) and recall.state == Recall.State.OPEN,
            **_links(request.user),
        },
    )


@role_required(*READ_ROLES)
def recall_export(request, pk):
    recall = get_object_or_404(Recall, pk=pk)
    return recalls.recall_export(recall=recall, fmt="csv" if request.GET.get("format") == "csv" else "xlsx")


@require_POST
@role_required(*ACT_ROLES)
def recall_close(request, pk):
    recall = get_object_or_404(Recall, pk=pk)
    try:
        recalls.recall_close(recall=recall, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
    return redirect("aftersales:recall_detail", pk=recall.pk)


@require_POST
@role_required(*CONTACT_ROLES)
def recall_customer_state(request, pk, row):
    recall = get_object_or_404(Recall, pk=pk)
    line = get_object_or_404(RecallCustomer, pk=row, recall=recall)
    try:
        recalls.recall_customer_set_state(
            recall_customer=line, state=request.POST.get("state", ""), user=request.user
        )
    except ValidationError as exc:
        _error(request, exc)
    return redirect("aftersales:recall_detail", pk=recall.pk)
