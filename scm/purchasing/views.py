"""Purchase order pages: list (filters, search, sort, export), detail (actions of its state,
lines with progress, receipts, timeline), the new-order form (supplier and product pickers, a
prefilled order from ``?supplier=&product=&quantity=``), line changes with htmx, the PDF, and
purchasing's "today" page. Views parse input, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.export import export_response
from core.idempotency import one_time_form
from core.people import users_by_name
from core.permissions import role_required
from core.pickers import user_picker
from core.roles import PURCHASING
from core.sql import as_id
from scm.inventory.models import Product, Warehouse
from scm.inventory.pickers import pickable_products, product_picker
from scm.purchasing import order_selectors, orders, pricing, selectors
from scm.purchasing.documents import purchase_order_pdf
from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from scm.purchasing.pickers import supplier_picker
from scm.purchasing.selectors import APPROVE_ROLES, READ_ROLES, SUPPLIER_EDIT_ROLES

WRITE_ROLES = SUPPLIER_EDIT_ROLES  # purchasing and managers place and change orders
PAGE_SIZE = 25
EXPORT_LIMIT = 10000
P = PurchaseOrder.State


def _order_or_404(request, pk) -> PurchaseOrder:
    order = (
        selectors.purchase_orders_visible_to(request.user)
        .select_related("supplier", "owner", "warehouse", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(" ".join(m) for m in exc.message_dict.values())
    return " ".join(exc.messages)


# --- list -------------------------------------------------------------------------------------


def _list_filters(request) -> dict:
    state = request.GET.get("state", "")
    return {
        "search": request.GET.get("q", "").strip()[:100],
        "state": state if state in P.values else "",
        "supplier_id": as_id(request.GET.get("supplier")),
        "owner_id": as_id(request.GET.get("buyer")),
        "overdue": request.GET.get("overdue") == "1",
        "due": request.GET.get("due") == "1",
        "ordering": request.GET.get("ordering", ""),
    }


@role_required(*READ_ROLES)
def order_list(request):
    filters = _list_filters(request)
    qs = order_selectors.purchase_order_list(user=request.user, **filters)
    if request.GET.get("export") in {"csv", "xlsx"}:
        headers = [_("Number"), _("Supplier"), _("Order date"), _("Status"), _("Buyer"), _("Total")]
        rows = (
            [
                o.number,
                o.supplier.name,
                o.order_date.isoformat(),
                o.get_state_display(),
                str(o.owner),
                o.total,
            ]
            for o in qs[:EXPORT_LIMIT]
        )
        return export_response(
            filename="purchase-orders", headers=headers, rows=rows, fmt=request.GET["export"]
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "purchasing/order_list.html",
        {
            "title": _("Purchase orders"),
            "page_obj": page,
            "filters": filters,
            "states": P.choices,
            "supplier_picker": supplier_picker(
                include_inactive=True,
                queryset=selectors.suppliers_visible_to(request.user),
                placeholder=_("All"),
            ),
            "buyer_picker": user_picker(roles=[PURCHASING], queryset=_buyers(), placeholder=_("All")),
            "can_create": selectors.can_edit_suppliers(request.user),
        },
    )


def _buyers():
    from django.contrib.auth import get_user_model

    return users_by_name(get_user_model().objects.filter(groups__name=PURCHASING, is_active=True)).distinct()


# --- detail -----------------------------------------------------------------------------------


def _actions(order: PurchaseOrder, user) -> list[dict]:
    """The actions this user may take on the order in its state (the services decide again)."""
    acts = []
    can_act = selectors.can_act_on(user, order)

    def add(key, label, style="outline-secondary", reason=False):
        acts.append(
            {
                "key": key,
                "label": label,
                "style": style,
                "url": reverse(f"purchasing:order_{key}", args=[order.pk]),
                "reason": reason,
            }
        )

    if can_act and order.state == P.DRAFT:
        add("submit", _("Submit"), "primary")
    if selectors.can_approve(user) and order.state == P.TO_APPROVE:
        add("approve", _("Approve"), "success")
        add("reject", _("Reject"), "outline-danger", reason=True)
    if can_act and order.state == P.APPROVED:
        add("send", _("Send to supplier"), "primary")
    if can_act and order.state == P.SENT:
        add("send", _("E-mail again"))
    if can_act and order.state in {P.DRAFT, P.TO_APPROVE, P.APPROVED, P.SENT} and not order.has_received:
        add("cancel", _("Cancel order"), "outline-danger", reason=True)
    if can_act and order.state in {P.PARTLY_RECEIVED, P.RECEIVED}:
        add("close", _("Close"), "outline-secondary", reason=True)
    return acts


@role_required(*READ_ROLES)
def order_detail(request, pk):
    order = _order_or_404(request, pk)
    lines = order_selectors.order_lines(order)
    order.has_received = any(line.received_quantity for line in lines)
    editable = order.state in {P.DRAFT, P.TO_APPROVE} and selectors.can_act_on(request.user, order)
    timeline = [
        {"time": e.created_at, "who": e.user, "text": orders.event_text(e)}
        for e in order_selectors.order_timeline(order)
    ]
    return render(
        request,
        "purchasing/order_detail.html",
        {
            "title": order.number,
            "order": order,
            "lines": lines,
            "receipts": order.receipts.select_related("received_by").order_by("-created_at")[:50],
            "emails": order.emails.all()[:20],
            "timeline": timeline,
            "actions": _actions(order, request.user),
            "editable": editable,
            "product_picker": _product_picker() if editable else None,
        },
    )


@role_required(*READ_ROLES)
def order_pdf(request, pk):
    order = _order_or_404(request, pk)
    response = HttpResponse(purchase_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


def _transition(request, pk, service, message, *, needs_reason=False):
    order = _order_or_404(request, pk)
    kwargs = {"order": order, "user": request.user}
    if needs_reason:
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        service(**kwargs)
        messages.success(request, message)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except PermissionDenied:
        raise
    return redirect("purchasing:order_detail", pk=order.pk)


@require_POST
@role_required(*WRITE_ROLES)
def order_submit(request, pk):
    return _transition(request, pk, orders.purchase_order_submit, _("The order is submitted."))


@require_POST
@role_required(*APPROVE_ROLES)
def order_approve(request, pk):
    return _transition(request, pk, orders.purchase_order_approve, _("The order is approved."))


@require_POST
@role_required(*APPROVE_ROLES)
def order_reject(request, pk):
    return _transition(
        request, pk, orders.purchase_order_reject, _("The order is back in draft."), needs_reason=True
    )


@require_POST
@role_required(*WRITE_ROLES)
def order_send(request, pk):
    return _transition(request, pk, orders.purchase_order_send, _("The order is sent to the supplier."))


@require_POST
@role_required(*WRITE_ROLES)
def order_cancel(request, pk):
    return _transition(
        request, pk, orders.purchase_order_cancel, _("The order is cancelled."), needs_reason=True
    )


@require_POST
@role_required(*WRITE_ROLES)
def order_close(request, pk):
    return _transition(request, pk, orders.purchase_order_close, _("The order is closed."), needs_reason=True)


# --- lines ------------------------------------------------------------------------------------


def _line_input(request) -> dict:
    data = {
        "product": request.POST.get("product"),
        "quantity": request.POST.get("quantity"),
        "unit_price": request.POST.get("unit_price") or None,
        "expected_date": request.POST.get("expected_date") or None,
    }
    if "unit" in request.POST:
        data["unit"] = request.POST.get("unit") or None
    return data


@require_POST
@role_required(*WRITE_ROLES)
def order_line_add(request, pk):
    order = _order_or_404(request, pk)
    try:
        orders.purchase_order_line_add(order=order, user=request.user, **_line_input(request))
        messages.success(request, _("The line is added."))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    return redirect("purchasing:order_detail", pk=order.pk)


def _line_or_404(request, pk, line_pk) -> PurchaseOrderLine:
    order = _order_or_404(request, pk)
    line = (
        PurchaseOrderLine.objects.select_related("product", "unit")
        .filter(pk=line_pk, order_id=order.pk)
        .first()
    )
    if line is None:
        raise Http404
    line.order = order
    return line


@require_POST
@role_required(*WRITE_ROLES)
def order_line_update(request, pk, line_pk):
    line = _line_or_404(request, pk, line_pk)
    try:
        orders.purchase_order_line_update(
            line=line,
            user=request.user,
            quantity=request.POST.get("quantity") or None,
            unit_price=request.POST.get("unit_price") or None,
            expected_date=request.POST.get("expected_date") or None,
        )
        messages.success(request, _("The line is changed."))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    return redirect("purchasing:order_detail", pk=pk)


@require_POST
@role_required(*WRITE_ROLES)
def order_line_remove(request, pk, line_pk):
    line = _line_or_404(request, pk, line_pk)
    try:
        orders.purchase_order_line_remove(line=line, user=request.user)
        messages.success(request, _("The line is removed."))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    return redirect("purchasing:order_detail", pk=pk)


# --- form and its htmx partials ---------------------------------------------------------------


def _line_fill_attrs(include: str) -> dict:
    """Choosing a supplier or a product fills the line's unit, price and date (htmx)."""
    return {
        "hx-get": reverse("purchasing:line_fill"),
        "hx-trigger": "change",
        "hx-target": "#line-fields",
        "hx-swap": "outerHTML",
        "hx-include": include,
    }


def _supplier_picker():
    return supplier_picker(
        queryset=Supplier.objects.filter(is_active=True),
        placeholder=_("Name, code or pinyin (e.g. bjhl)"),
        attrs={
            "data-testid": "supplier-select",
            **_line_fill_attrs("#id_supplier, #id_product, #line-quantity"),
        },
    )


def _product_picker():
    return product_picker(
        queryset=pickable_products(),
        placeholder=_("SKU, name or scanned code"),
        attrs={"data-testid": "product-select", **_line_fill_attrs("#id_supplier, #id_product")},
    )


@role_required(*WRITE_ROLES)
def line_fill(request):
    """htmx: a chosen product's supplier unit, price and expected date for the line fields."""
    supplier_id = as_id(request.GET.get("supplier"))
    product = Product.objects.filter(pk=as_id(request.GET.get("product")), is_active=True).first()
    defaults = None
    if product is not None and supplier_id:
        quantity = request.GET.get("quantity") or None
        try:
            from core.money import decimal_input

            quantity = decimal_input(quantity, field="quantity") if quantity else None
        except ValidationError:
            quantity = None
        defaults = pricing.line_defaults(
            supplier_id=supplier_id, product=product, quantity=quantity, order_date=timezone.localdate()
        )
    return render(
        request, "purchasing/order_line_fields.html", {"product": product, "defaults": defaults, "values": {}}
    )


@role_required(*WRITE_ROLES)
@one_time_form
def order_create(request):
    """The new-order form; ``?supplier=&product=&quantity=`` prefills it (shortage notices)."""
    source = request.POST if request.method == "POST" else request.GET
    supplier = Supplier.objects.filter(pk=as_id(source.get("supplier"))).first()
    product = Product.objects.filter(pk=as_id(source.get("product"))).first()
    values = {
        "quantity": source.get("quantity", ""),
        "unit_price": source.get("unit_price", ""),
        "expected_date": source.get("expected_date", ""),
        "warehouse": source.get("warehouse", ""),
        "order_date": source.get("order_date", ""),
        "notes": source.get("notes", ""),
        "supplier_reference": source.get("supplier_reference", ""),
    }
    errors = {}
    if request.method == "POST":
        lines = []
        if product is not None or source.get("product"):
            lines.append(
                {
                    "product": source.get("product"),
                    "quantity": values["quantity"],
                    "unit_price": values["unit_price"] or None,
                    "expected_date": values["expected_date"] or None,
                }
            )
        warehouse = Warehouse.objects.filter(pk=as_id(values["warehouse"])).first()
        try:
            order = orders.purchase_order_create(
                supplier=supplier,
                user=request.user,
                warehouse=warehouse,
                order_date=values["order_date"] or None,
                notes=values["notes"],
                supplier_reference=values["supplier_reference"],
                lines=lines,
            )
            messages.success(request, _("Purchase order %(number)s is created.") % {"number": order.number})
            return redirect("purchasing:order_detail", pk=order.pk)
        except ValidationError as exc:
            errors = {k.replace("lines[0].", ""): " ".join(v) for k, v in exc.message_dict.items()}
    defaults = None
    if supplier is not None and product is not None and request.method == "GET":
        quantity = None
        if values["quantity"]:
            from core.money import decimal_input

            try:
                quantity = decimal_input(values["quantity"], field="quantity")
            except ValidationError:
                quantity = None
        defaults = pricing.line_defaults(
            supplier_id=supplier.pk, product=product, quantity=quantity, order_date=timezone.localdate()
        )
    return render(
        request,
        "purchasing/order_form.html",
        {
            "title": _("New purchase order"),
            "supplier": supplier,
            "supplier_picker": _supplier_picker(),
            "product": product,
            "product_picker": _product_picker(),
            "warehouses": Warehouse.objects.filter(is_active=True).order_by("code"),
            "values": values,
            "defaults": defaults,
            "errors": errors,
        },
    )


# --- today ------------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def today(request):
    """What needs purchasing now: orders waiting for approval and overdue receipts (what to
    order comes from replenishment planning's suggestions)."""
    return render(
        request,
        "purchasing/order_today.html",
        {
            "title": _("Purchasing today"),
            "show_approval": selectors.can_approve(request.user),
            "to_approve": order_selectors.orders_to_approve(request.user),
            "overdue": order_selectors.overdue_lines(request.user),
        },
    )
