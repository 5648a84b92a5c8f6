"""Replenishment planning's pages: the suggestions (accept into draft purchase orders and
transfers, dismiss with a reason, run planning now), the plans, a product's planning page with
its overrides. Slow movers, service levels and settings are in ``settings_views``. Views parse
input, call one service or selector, render."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pagination import CappedPaginator, page_size
from core.permissions import role_required
from core.sql import as_id
from integration.planning import explain, lists, selectors, services
from integration.planning.models import Plan, Suggestion
from integration.planning.selectors import ACT_ROLES, READ_ROLES
from scm.inventory.models import Product
from scm.purchasing.models import Supplier

logger = logging.getLogger(__name__)


def errors_of(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    return {"form": " ".join(exc.messages)}


def _back_to_list(request):
    url = reverse("planning:suggestions")
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


# --- suggestions ------------------------------------------------------------------------------


def _suggestions_page(request, *, errors=None, reason="", selected=(), status=200):
    filters = lists.suggestion_filters(request.GET)
    qs = lists.suggestion_list(request.user, **filters)
    page = CappedPaginator(qs, page_size(request)).get_page(request.GET.get("page"))
    supplier = Supplier.objects.filter(pk=filters["supplier_id"]).first() if filters["supplier_id"] else None
    return render(
        request,
        "planning/suggestion_list.html",
        {
            "title": _("Replenishment suggestions"),
            "page_obj": page,
            "rows": lists.suggestion_rows(page.object_list, request.user),
            "filters": filters,
            "filtered": any(
                [filters["kind"], filters["warehouse_id"], filters["supplier_id"], filters["search"]]
            ),
            "filter_supplier": supplier,
            "states": [*Suggestion.State.choices, (lists.STATE_ALL, _("All"))],
            "kinds": Suggestion.Kind.choices,
            "warehouses": lists.stock_warehouses(),
            "errors": errors or {},
            "reason": reason,
            "selected": {str(s) for s in selected},
            "is_open": filters["state"] == Suggestion.State.OPEN,
        },
        status=status,
    )


@role_required(*ACT_ROLES)
def suggestion_list(request):
    return _suggestions_page(request)


def _links(objects, url_name) -> str:
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((reverse(url_name, args=[o.pk]), o.number) for o in objects)
    )


@require_POST
@role_required(*ACT_ROLES)
def suggestions_accept(request):
    try:
        result = services.suggestions_accept(ids=request.POST.getlist("ids"), user=request.user)
    except ValidationError as exc:
        return _suggestions_page(
            request, errors=errors_of(exc), selected=request.POST.getlist("ids"), status=400
        )
    if result.purchase_orders or result.transfers:
        parts = []
        if result.purchase_orders:
            parts.append(
                format_html(
                    "{} {}",
                    _("Draft purchase orders:"),
                    _links(result.purchase_orders, "purchasing:order_detail"),
                )
            )
        if result.transfers:
            parts.append(
                format_html(
                    "{} {}", _("Draft transfers:"), _links(result.transfers, "inventory:transfer_detail")
                )
            )
        messages.success(
            request, format_html("{} {}", _("Created."), format_html_join(" ", "{}", ((p,) for p in parts)))
        )
    if result.skipped:
        messages.info(
            request,
            _("Already decided, nothing created for them: %(count)s.") % {"count": result.skipped},
        )
    return _back_to_list(request)


@require_POST
@role_required(*ACT_ROLES)
def suggestions_dismiss(request):
    reason = request.POST.get("reason", "")
    try:
        count = services.suggestions_dismiss(
            ids=request.POST.getlist("ids"), user=request.user, reason=reason
        )
    except ValidationError as exc:
        return _suggestions_page(
            request,
            errors=errors_of(exc),
            reason=reason[:200],
            selected=request.POST.getlist("ids"),
            status=400,
        )
    messages.success(request, _("Suggestions dismissed: %(count)s.") % {"count": count})
    return _back_to_list(request)


@require_POST
@role_required(*ACT_ROLES)
def planning_run(request):
    """Queue the nightly planning run now (the suggestions refresh when it has finished)."""
    try:
        from integration.planning import tasks

        tasks.planning_nightly.delay()
    except Exception:
        logger.warning("Could not queue the planning run", exc_info=True)
        messages.error(request, _("Planning could not be started. Try again in a moment."))
    else:
        messages.success(
            request, _("Planning is running; the suggestions are refreshed when it has finished.")
        )
    return _back_to_list(request)


# --- plans ------------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def plan_list(request):
    filters = lists.plan_filters(request.GET)
    qs = lists.plan_list(request.user, **filters)
    page = CappedPaginator(qs, page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/plan_list.html",
        {
            "title": _("Replenishment plans"),
            "page_obj": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "sources": Plan.Source.choices,
            "warehouses": lists.stock_warehouses(),
        },
    )


# --- a product's planning page ------------------------------------------------------------------


def _product_or_404(pk) -> Product:
    product = Product.objects.filter(pk=pk, is_template=False).first()
    if product is None:
        raise Http404
    return product


def _product_page(request, product, *, form_errors=None, form_values=None, status=200):
    sections = explain.product_planning(product)
    for section in sections:
        section["errors"] = (form_errors or {}).get(section["warehouse"].pk, {})
        section["values"] = (form_values or {}).get(section["warehouse"].pk)
    return render(
        request,
        "planning/product.html",
        {
            "title": _("Replenishment plan: %(sku)s") % {"sku": product.sku},
            "product": product,
            "sections": sections,
            "can_plan": selectors.can_plan(request.user),
        },
        status=status,
    )


@role_required(*READ_ROLES)
def product_plan(request, pk):
    return _product_page(request, _product_or_404(pk))


@require_POST
@role_required(*ACT_ROLES)
def override_set(request, pk, warehouse_pk):
    product = _product_or_404(pk)
    values = {k: request.POST.get(k, "")[:200] for k in ("reorder_point", "order_up_to", "note")}
    try:
        services.plan_override_set(
            product=product, warehouse=as_id(warehouse_pk), user=request.user, **values
        )
    except ValidationError as exc:
        return _product_page(
            request,
            product,
            form_errors={warehouse_pk: errors_of(exc)},
            form_values={warehouse_pk: values},
            status=400,
        )
    messages.success(request, _("The override is saved; the plan uses it now."))
    return redirect("planning:product", pk=product.pk)


@require_POST
@role_required(*ACT_ROLES)
def override_clear(request, pk, warehouse_pk):
    product = _product_or_404(pk)
    try:
        cleared = services.plan_override_clear(
            product=product, warehouse=as_id(warehouse_pk), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(errors_of(exc).values()))
    else:
        if cleared:
            messages.success(request, _("The override is cleared; the computed plan applies again."))
    return redirect("planning:product", pk=product.pk)
