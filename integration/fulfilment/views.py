"""Pages: order workflow buttons (confirm, release hold, cancel), the warehouse tablet (pick
lists, scanning, shipping), shipments, returns and the delivery note."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import DecimalField
from core.permissions import role_required
from core.redirects import safe_next_url
from core.roles import FINANCE, MANAGER, PURCHASING, SALES, WAREHOUSE
from crm.sales.models import SalesOrder
from crm.sales.orders import selectors as order_selectors
from integration.fulfilment import (
    backorders,
    documents,
    purchase_to_order,
    selectors,
    services,
    shipping,
)
from integration.fulfilment.models import Return, Shipment
from integration.fulfilment.picking_views import shipment_or_404

READERS = (SALES, WAREHOUSE, FINANCE, MANAGER)


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _back_to_order(request, order):
    url = services._order_url(order) or safe_next_url(request, request.META.get("HTTP_REFERER", ""))
    return redirect(url or "fulfilment:shipments")


def _actable_order(request, pk) -> SalesOrder:
    # An order the user may not read is not found; one they may not act on is refused.
    order = get_object_or_404(
        order_selectors.orders_visible_to(request.user).select_related("customer"), pk=pk
    )
    if not order_selectors.can_change(request.user, order):
        raise PermissionDenied
    return order


def _order_action(request, pk, action):
    order = _actable_order(request, pk)
    try:
        order = action(order=order, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Order %(number)s is now %(state)s.")
            % {"number": order.number, "state": order.get_state_display()},
        )
    return _back_to_order(request, order)


@require_POST
@role_required(SALES, MANAGER)
def order_confirm(request, pk):
    return _order_action(request, pk, services.order_confirm)


@require_POST
@role_required(MANAGER)
def order_release_hold(request, pk):
    return _order_action(request, pk, services.order_release_hold)


@require_POST
@role_required(SALES, MANAGER)
def order_cancel(request, pk):
    return _order_action(request, pk, services.order_cancel)


@require_POST
@role_required(MANAGER)
def order_reserve_again(request, pk):
    order = _actable_order(request, pk)
    try:
        outcome = backorders.order_reserve_again(order=order, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, backorders.reserve_again_message(outcome))
    return _back_to_order(request, order)


class ShortenForm(forms.Form):
    line = forms.TypedChoiceField(
        label=gettext_lazy("Line"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    quantity = forms.CharField(
        label=gettext_lazy("New quantity"),
        help_text=gettext_lazy("In the line's unit; less than ordered, not less than shipped."),
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line.pk, f"{line.product.sku} {line.product.name} · {line.quantity.normalize():f}")
            for line in lines
        ]


@role_required(SALES, MANAGER)
def order_shorten(request, pk):
    """A confirmed order's line, asked for less (the customer wants fewer)."""
    order = _actable_order(request, pk)
    lines = list(order.lines.select_related("product").order_by("pk"))
    form = ShortenForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.order_line_shorten(
                order=order,
                user=request.user,
                line_id=data["line"],
                quantity=data["quantity"],
                text=data["text"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Order %(number)s changed.") % {"number": order.number})
            return _back_to_order(request, order)
    return render(
        request,
        "fulfilment/order_shorten.html",
        {"title": _("Reduce a line"), "form": form, "order": order},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
def shipments(request):
    state = request.GET.get("state", "")
    page = Paginator(selectors.shipments_for(user=request.user, state=state), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fulfilment/shipments.html",
        {"title": _("Shipments"), "page_obj": page, "state": state, "states": Shipment.State.choices},
    )


@role_required(*READERS)
def delivery_note(request, pk):
    shipment = shipment_or_404(request, pk)
    pdf = documents.delivery_note_pdf(shipment=shipment)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{shipment.number}.pdf"'
    return response


class ReturnForm(forms.Form):
    quantity = DecimalField(
        label=gettext_lazy("Quantity"),
        decimal_places=3,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    disposition = forms.ChoiceField(
        label=gettext_lazy("Disposition"),
        choices=Return.Disposition.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )


@role_required(WAREHOUSE, MANAGER)
def return_create(request, line_pk):
    line = get_object_or_404(
        selectors.shipment_lines_for(user=request.user).select_related("shipment__order", "product", "lot"),
        pk=line_pk,
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ret = shipping.return_create(shipment_line=line, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Return %(number)s recorded.") % {"number": ret.number})
            return redirect("fulfilment:shipment", pk=line.shipment_id)
    return render(
        request,
        "fulfilment/return_form.html",
        {"title": _("Return goods"), "form": form, "line": line},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
def returns(request):
    page = Paginator(selectors.returns_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "fulfilment/returns.html", {"title": _("Returns"), "page_obj": page})


@require_POST
@role_required(SALES, PURCHASING, MANAGER)
def order_line_purchase(request, pk, order_line_pk):
    """Buy for a backordered sales order line (purchase to order): back to the purchase order
    for those who read purchasing, else to the sales order."""
    from crm.sales.models import SalesOrderLine
    from scm.purchasing.selectors import can_read_purchasing

    line = get_object_or_404(SalesOrderLine.objects.select_related("order"), pk=order_line_pk, order_id=pk)
    if not purchase_to_order.may_purchase_for(request.user, line.order):
        if not order_selectors.orders_visible_to(request.user).filter(pk=pk).exists():
            raise Http404
        raise PermissionDenied
    try:
        po_line = purchase_to_order.order_line_purchase(line=line, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back_to_order(request, line.order)
    messages.success(request, _("Bought on purchase order %(number)s.") % {"number": po_line.order.number})
    if can_read_purchasing(request.user):
        return redirect("purchasing:order_detail", pk=po_line.order_id)
    return _back_to_order(request, line.order)
