"""Pages of prices and promotions: price lists (list, detail, form), promotions (list, detail,
form) and the bulk change of list prices (preview, apply). Views parse input, call one service or
selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.idempotency import one_time_form
from core.pagination import CappedPaginator, page_size
from core.permissions import role_required
from core.roles import has_role
from core.sql import as_id
from crm.sales.orders.forms import apply_service_errors, formset_lines
from crm.sales.orders.prices import bulk, selectors, services
from crm.sales.orders.prices.forms import (
    BulkPriceForm,
    PriceListForm,
    PromotionForm,
    price_line_formset,
    promotion_initial,
)
from crm.sales.orders.prices.selectors import BULK_PRICE_ROLES, PRICE_READ_ROLES, PRICE_WRITE_ROLES


def _state_labels() -> dict:
    return {
        "current": _("Valid today"),
        "future": _("Starting later"),
        "expired": pgettext("price list state", "Expired"),
        "inactive": pgettext("price list state", "Inactive"),
    }


def _filters(request) -> dict:
    state = request.GET.get("state", "")
    return {
        "search": request.GET.get("q", "").strip()[:100],
        "state": state if state in selectors.PRICE_LIST_STATES else "",
    }


# --- price lists ------------------------------------------------------------------------------


@role_required(*PRICE_READ_ROLES)
def price_list_list(request):
    filters = _filters(request)
    qs = selectors.price_list_list(user=request.user, **filters)
    page = CappedPaginator(qs, page_size(request)).get_page(request.GET.get("page"))
    labels = _state_labels()
    for price_list in page.object_list:
        price_list.state = selectors.period_state(price_list)
        price_list.state_label = labels[price_list.state]
    return render(
        request,
        "sales/prices/price_list_list.html",
        {
            "title": _("Price lists"),
            "page_obj": page,
            "filters": filters,
            "filtered": bool(filters["search"] or filters["state"]),
            "states": list(labels.items()),
            "can_write": has_role(request.user, PRICE_WRITE_ROLES),
        },
    )


@role_required(*PRICE_READ_ROLES)
def price_list_detail(request, pk):
    price_list = selectors.price_list_detail(user=request.user, pk=pk)
    page = Paginator(selectors.price_list_lines(price_list), 50).get_page(request.GET.get("page"))
    state = selectors.period_state(price_list)
    return render(
        request,
        "sales/prices/price_list_detail.html",
        {
            "title": price_list.name,
            "price_list": price_list,
            "page_obj": page,
            "state": state,
            "state_label": _state_labels()[state],
            "can_write": has_role(request.user, PRICE_WRITE_ROLES),
        },
    )


def _price_list_initial_lines(price_list) -> list[dict]:
    return [
        {
            "product": line.product_id,
            "unit": line.unit.name if line.unit_id else "",
            "min_quantity": f"{line.min_quantity.normalize():f}",
            "price": f"{line.price:f}",
        }
        for line in selectors.price_list_lines(price_list)
    ]


def _price_list_form_page(request, price_list=None):
    if request.method == "POST":
        header = PriceListForm(request.POST, user=request.user)
        formset = price_line_formset(data=request.POST)
        if header.is_valid() and formset.is_valid():
            lines, indexes = formset_lines(formset)
            data = header.cleaned_data
            try:
                saved = services.price_list_save(
                    user=request.user,
                    price_list=price_list,
                    name=data["name"],
                    customer=data["customer"],
                    group=data["group"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    is_active=data["is_active"],
                    notes=data["notes"],
                    lines=lines,
                )
            except ValidationError as exc:
                apply_service_errors(exc, header, formset, indexes)
            else:
                messages.success(request, _("Price list %(name)s saved.") % {"name": saved.name})
                return redirect("sales:prices:price_list_detail", pk=saved.pk)
    elif price_list is not None:
        header = PriceListForm(
            initial={
                "name": price_list.name,
                "customer": price_list.customer_id,
                "group": price_list.group_id,
                "valid_from": price_list.valid_from,
                "valid_until": price_list.valid_until,
                "is_active": price_list.is_active,
                "notes": price_list.notes,
            },
            user=request.user,
        )
        formset = price_line_formset(initial=_price_list_initial_lines(price_list), extra=1)
    else:
        customer_id = as_id(request.GET.get("customer"))
        header = PriceListForm(initial={"customer": customer_id, "is_active": True}, user=request.user)
        formset = price_line_formset()
    title = _("Edit price list %(name)s") % {"name": price_list.name} if price_list else _("New price list")
    return render(
        request,
        "sales/prices/price_list_form.html",
        {"title": title, "header": header, "formset": formset, "price_list": price_list},
    )


@role_required(*PRICE_WRITE_ROLES)
@one_time_form
def price_list_create(request):
    return _price_list_form_page(request)


@role_required(*PRICE_WRITE_ROLES)
def price_list_edit(request, pk):
    return _price_list_form_page(request, selectors.price_list_detail(user=request.user, pk=pk))


# --- promotions -------------------------------------------------------------------------------


@role_required(*PRICE_READ_ROLES)
def promotion_list(request):
    filters = _filters(request)
    page = CappedPaginator(selectors.promotion_list(**filters), page_size(request)).get_page(
        request.GET.get("page")
    )
    labels = _state_labels()
    for promotion in page.object_list:
        promotion.state = selectors.period_state(promotion)
        promotion.state_label = labels[promotion.state]
    return render(
        request,
        "sales/prices/promotion_list.html",
        {
            "title": _("Promotions"),
            "page_obj": page,
            "filters": filters,
            "filtered": bool(filters["search"] or filters["state"]),
            "states": list(labels.items()),
            "can_write": has_role(request.user, PRICE_WRITE_ROLES),
        },
    )


@role_required(*PRICE_READ_ROLES)
def promotion_detail(request, pk):
    promotion = selectors.promotion_detail(pk=pk)
    state = selectors.period_state(promotion)
    return render(
        request,
        "sales/prices/promotion_detail.html",
        {
            "title": promotion.name,
            "promotion": promotion,
            "state": state,
            "state_label": _state_labels()[state],
            "can_write": has_role(request.user, PRICE_WRITE_ROLES),
        },
    )


def _promotion_form_page(request, promotion=None):
    if request.method == "POST":
        form = PromotionForm(request.POST)
        if form.is_valid():
            try:
                saved = services.promotion_save(user=request.user, promotion=promotion, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Promotion %(name)s saved.") % {"name": saved.name})
                return redirect("sales:prices:promotion_detail", pk=saved.pk)
    elif promotion is not None:
        form = PromotionForm(initial=promotion_initial(promotion))
    else:
        form = PromotionForm(initial={"is_active": True, "get_discount_percent": "100"})
    title = _("Edit promotion %(name)s") % {"name": promotion.name} if promotion else _("New promotion")
    return render(
        request, "sales/prices/promotion_form.html", {"title": title, "form": form, "promotion": promotion}
    )


def _form_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, messages_ in errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


@role_required(*PRICE_WRITE_ROLES)
@one_time_form
def promotion_create(request):
    return _promotion_form_page(request)


@role_required(*PRICE_WRITE_ROLES)
def promotion_edit(request, pk):
    return _promotion_form_page(request, selectors.promotion_detail(pk=pk))


# --- bulk change ------------------------------------------------------------------------------


@role_required(*BULK_PRICE_ROLES)
def bulk_prices(request):
    """GET with a change: its preview (every product, old → new); POST: apply the preview the
    user saw (its token)."""
    source = request.POST if request.method == "POST" else request.GET
    asked = any(source.get(key) for key in ("category", "brand", "value"))
    form = BulkPriceForm(source if asked else None, initial={"method": "percent", "direction": "up"})
    preview = page = None
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            change = bulk.bulk_change_input(
                category=data["category"],
                brand=data["brand"],
                method=data["method"],
                direction=data["direction"],
                value=data["value"],
            )
            if request.method == "POST":
                changed = bulk.bulk_price_apply(
                    change=change, token=request.POST.get("token", ""), user=request.user
                )
                messages.success(request, _("%(count)s list prices changed.") % {"count": changed})
                return redirect("sales:prices:bulk")
            preview = bulk.bulk_price_preview(change)
            page = Paginator(preview.rows, 50).get_page(request.GET.get("page"))
        except ValidationError as exc:
            _form_errors(form, exc)
            if request.method == "POST" and "token" in exc.message_dict:
                # The prices moved: show the new preview instead.
                preview = bulk.bulk_price_preview(change)
                page = Paginator(preview.rows, 50).get_page(1)
    return render(
        request,
        "sales/prices/bulk.html",
        {"title": _("Bulk price change"), "form": form, "preview": preview, "page_obj": page},
    )
