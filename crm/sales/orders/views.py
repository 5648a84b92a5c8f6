"""Pages for sales orders and the line form's htmx partials (shared with the quote pages in
``quote_views``). Views parse input, call one service or selector, render."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.idempotency import one_time_form
from core.people import display_name
from core.permissions import role_required
from core.roles import has_role
from core.sql import as_id
from crm.sales.models import SalesOrder
from crm.sales.orders import actions as order_actions
from crm.sales.orders import form_panels
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders import services as order_services
from crm.sales.orders.forms import (
    OrderHeaderForm,
    apply_service_errors,
    formset_lines,
    line_formset,
)
from crm.sales.orders.line_stock import order_lines_stock
from crm.sales.orders.pdf import order_confirmation_pdf
from crm.sales.orders.pricing import MAX_LINES, price_is_typed
from crm.sales.orders.selectors import (
    ORDER_PRICE_ROLES,
    ORDER_READ_ROLES,
    ORDER_WRITE_ROLES,
    QUOTE_WRITE_ROLES,
)
from scm.inventory.models import Product

PAGE_SIZE = 25
# While an order waits for the reservation rule, its page asks for news this often.
POLL_STATES = frozenset({SalesOrder.State.CONFIRMED})


def _initial_lines(lines) -> list[dict]:
    """A document's lines as the line formset's initial data (order and quote forms). A price
    typed by the rep is shown as typed; the others are left empty, so that saving resolves them
    again (``pricing.lines_price``) and the form shows the price it finds next to the field."""
    return [
        {
            "product": line.product_id,
            "unit": line.unit_id,
            "quantity": f"{line.quantity.normalize():f}",
            "unit_price": line.unit_price if price_is_typed(line) else "",
            "discount_percent": f"{line.discount_percent.normalize():f}" if line.discount_percent else "",
        }
        for line in lines
    ]


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _units_for_lines(formset) -> None:
    """Each line form gets the units of its chosen product (for the unit select)."""
    product_ids = {as_id(form["product"].value()) for form in formset.forms} - {None}
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids).prefetch_related("units")}
    for form in formset.forms:
        product = products.get(as_id(form["product"].value()))
        form.product_obj = product
        form.unit_options = list(product.units.all()) if product else []
        selected = form["unit"].value()
        form.selected_unit = str(selected) if selected else ""


# --- orders -----------------------------------------------------------------------------------


@role_required(*ORDER_READ_ROLES)
def order_list(request):
    search = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    if state not in SalesOrder.State.values:
        state = ""
    show_prices = order_selectors.can_see_order_prices(request.user)
    ordering = request.GET.get("ordering", "")
    if not show_prices and ordering.lstrip("-") == "total":
        ordering = ""  # sorted by total, the list would tell how the hidden amounts compare
    # The home page's "see all": mine (``owner=me``), waiting (on credit hold or backordered).
    owner_id = request.user.pk if request.GET.get("owner") == "me" else None
    waiting = request.GET.get("waiting") == "1"
    qs = order_selectors.order_list(
        user=request.user, search=search, state=state, ordering=ordering, owner_id=owner_id, waiting=waiting
    )
    page = _page(request, qs)
    return render(
        request,
        "sales/orders/list.html",
        {
            "title": _("Sales orders"),
            "page_obj": page,
            "show_prices": show_prices,
            "list_total": order_selectors.orders_total(qs) if show_prices and page.paginator.count else None,
            "search": search,
            "state": state,
            "states": SalesOrder.State.choices,
            "mine": bool(owner_id),
            "waiting": waiting,
            "can_create": has_role(request.user, ORDER_WRITE_ROLES),
        },
    )


def _lines_form_page(request, *, kind, record, header_form, header_initial, save, detail, title):
    """The order and quote forms: a header form and a formset of lines. ``save(data, lines)``
    calls the service and returns the record and the message to show; a ``ValidationError``
    from the service is shown on the fields it names, and nothing is written."""
    initial_lines = None
    if record is not None:
        initial_lines = _initial_lines(record.lines.all())
    elif as_id(request.GET.get("customer")) is not None:
        header_initial = {"customer": as_id(request.GET["customer"])}
    if request.method == "POST":
        header = header_form(request.POST, user=request.user)
        formset = line_formset(data=request.POST)
        if header.is_valid() and formset.is_valid():
            lines, indexes = formset_lines(formset)
            try:
                record, message = save(header.cleaned_data, lines)
                messages.success(request, message)
                return redirect(detail, pk=record.pk)
            except ValidationError as exc:
                apply_service_errors(exc, header, formset, indexes)
    else:
        header = header_form(initial=header_initial, user=request.user)
        formset = line_formset(initial=initial_lines, extra=1 if initial_lines else 3)
    _units_for_lines(formset)
    return render(
        request,
        "sales/orders/form.html",
        {
            "title": title,
            kind: record,
            "header": header,
            "formset": formset,
            "kind": kind,
            "form_panels": form_panels.panels_for(request.user),
            # The day the lines are priced on when saved: a draft order's date, else today.
            "price_date": getattr(record, "order_date", None),
        },
    )


def _order_form_page(request, *, order=None):
    def save(data, lines):
        if order is None:
            created = order_services.order_create(
                customer=data["customer"],
                owner=request.user,
                lines=lines,
                requested_date=data["requested_date"],
                priority=data["priority"],
                shipping_address=data["shipping_address"],
                notes=data["notes"],
                ship_from=data["ship_from"],
                ship_complete=data["ship_complete"],
            )
            return created, _("Order %(number)s created.") % {"number": created.number}
        _update_draft_order(order, data, lines, request.user)
        return order, _("Order %(number)s saved.") % {"number": order.number}

    header_initial = {}
    if order is not None:
        header_initial = {
            "customer": order.customer_id,
            "requested_date": order.requested_date,
            "priority": order.priority,
            "shipping_address": order.shipping_address,
            "ship_from": order.ship_from_id,
            "ship_complete": "1" if order.ship_complete else "0",
            "notes": order.notes,
        }
    return _lines_form_page(
        request,
        kind="order",
        record=order,
        header_form=OrderHeaderForm,
        header_initial=header_initial,
        save=save,
        detail="sales:orders:order_detail",
        title=_("Edit order %(number)s") % {"number": order.number} if order else _("New sales order"),
    )


def _update_draft_order(order, data, lines, user):
    from django.db import transaction

    with transaction.atomic():
        order_services.order_update(
            order=order,
            user=user,
            customer=data["customer"],
            requested_date=data["requested_date"],
            priority=data["priority"],
            shipping_address=data["shipping_address"],
            notes=data["notes"],
            ship_from=data["ship_from"],
            ship_complete=data["ship_complete"],
        )
        order_services.order_update_lines(order=order, lines=lines, user=user)


@role_required(*ORDER_WRITE_ROLES)
@one_time_form
def order_create(request):
    return _order_form_page(request)


@role_required(*ORDER_WRITE_ROLES)
def order_edit(request, pk):
    order = order_selectors.order_detail(user=request.user, order_id=pk)
    if not order_selectors.can_change(request.user, order):
        raise PermissionDenied
    if order.state != SalesOrder.State.DRAFT:
        messages.error(request, _("Only a draft order can be changed."))
        return redirect("sales:orders:order_detail", pk=pk)
    return _order_form_page(request, order=order)


@role_required(*ORDER_READ_ROLES)
def order_detail(request, pk):
    order = order_selectors.order_detail(user=request.user, order_id=pk)
    context = {
        "title": order.number,
        "order": order,
        # Each line with where its stock is held and when its backorder is expected.
        "lines": order_lines_stock(order),
        "show_prices": order_selectors.can_see_order_prices(request.user),
        "actions": order_actions.actions_for(order, request.user),
        "poll": order.state in POLL_STATES,
        # Purchase to order: the order's owner and managers buy for a backordered line.
        "can_buy_for_backorders": order_selectors.can_change(request.user, order),
        "timeline": [
            {
                "time": e.created_at,
                "who": display_name(e.user),
                "text": order_services.order_event_text(e),
            }
            for e in order.events.all()
        ],
    }
    if request.htmx and request.GET.get("partial") == "live":
        return render(request, "sales/orders/detail.html#live", context)
    return render(request, "sales/orders/detail.html", context)


@role_required(*ORDER_PRICE_ROLES)
def order_pdf(request, pk):
    """The order confirmation, a priced document for the customer (the warehouse prints the
    delivery note instead)."""
    order = order_selectors.order_detail(user=request.user, order_id=pk)
    return _pdf_response(order_confirmation_pdf(order), f"{order.number}.pdf")


@role_required(*(set(ORDER_WRITE_ROLES) | set(QUOTE_WRITE_ROLES)))
def atp_partial(request):
    """Available-to-promise per warehouse for the product picked in one line (htmx), plus the
    product's units for that line's unit select (out-of-band)."""
    prefix = request.GET.get("prefix", "")
    if not prefix.startswith("lines-") or as_id(prefix[6:]) is None and prefix[6:] != "0":
        prefix = ""
    product_id = as_id(request.GET.get(f"{prefix}-product") or request.GET.get("product"))
    product = (
        Product.objects.filter(pk=product_id, is_active=True).prefetch_related("units").first()
        if product_id is not None
        else None
    )
    rows = order_selectors.atp_for_product(product.pk) if product else []
    total = sum((r["available"] for r in rows), Decimal(0))
    picked = request.GET.get("units") != "0"
    response = render(
        request,
        "sales/orders/_atp.html",
        {
            "product": product,
            "rows": rows,
            "total_available": total,
            # The line's unit select is refilled only when the product was just picked.
            "prefix": prefix if picked else "",
            "units": list(product.units.all()) if product else [],
        },
    )
    if picked and prefix:
        # Once the new product's units are in the row, the live figures price it (line_views).
        response["HX-Trigger-After-Settle"] = "line-changed"
    return response


@role_required(*(set(ORDER_WRITE_ROLES) | set(QUOTE_WRITE_ROLES)))
def customer_info(request):
    """What the rep sees on picking a customer (htmx): address, terms, credit and open orders."""
    customer_id = as_id(request.GET.get("customer"))
    customer = (
        order_selectors.customer_for_order_entry(customer_id=customer_id, user=request.user)
        if customer_id
        else None
    )
    return render(request, "sales/orders/_customer_info.html", {"customer": customer})


def _is_plain_number(text: str) -> bool:
    """A quantity to put in a form field as it is: a few digits, one decimal point at most."""
    return 0 < len(text) <= 12 and text.isascii() and text.replace(".", "", 1).isdigit()


@role_required(*(set(ORDER_WRITE_ROLES) | set(QUOTE_WRITE_ROLES)))
def line_row(request):
    """One more empty line row for the order or quote form (htmx)."""
    raw = request.GET.get("lines-TOTAL_FORMS", "0")
    index = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 0
    if index >= MAX_LINES:
        return HttpResponse(
            _("An order or quote has at most %(count)s lines.") % {"count": MAX_LINES}, status=400
        )
    formset = line_formset(extra=0)
    # A row may come filled with a product (and quantity): a panel's "add this line" button.
    product_id = as_id(request.GET.get("product"))
    product = (
        Product.objects.filter(pk=product_id, is_active=True, is_template=False)
        .prefetch_related("units")
        .first()
        if product_id is not None
        else None
    )
    initial = {}
    if product is not None:
        quantity = request.GET.get("quantity", "")
        initial = {"product": product.pk, "quantity": quantity if _is_plain_number(quantity) else "1"}
    form = formset.form(
        prefix=formset.add_prefix(index), empty_permitted=True, use_required_attribute=False, initial=initial
    )
    formset.add_fields(form, index)
    form.unit_options, form.selected_unit, form.product_obj = [], "", None
    if product is not None:
        form.unit_options, form.product_obj = list(product.units.all()), product
    response = render(
        request, "sales/orders/_line_row.html", {"form": form, "index": index, "new_total": index + 1}
    )
    if product is not None:
        # Once the row is in the form, the totals and the panels refresh (they read it).
        response["HX-Trigger-After-Settle"] = "line-added"
    return response
