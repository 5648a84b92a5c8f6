"""The parts panel of a ticket's page and its htmx actions: add a part (with the nearest
warehouses' availability shown), remove a reserved one. Service and managers change parts; the
warehouse reads them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import role_required
from core.roles import MANAGER, SERVICE, WAREHOUSE, has_role
from core.sql import as_id
from crm.service import parts, selectors
from crm.service.models import Ticket, TicketPart
from crm.service.warranty import ticket_warranty
from scm.inventory.models import Product, ProductUnit
from scm.inventory.pickers import pickable_products, product_picker

READ = (SERVICE, WAREHOUSE, MANAGER)
WRITE = (SERVICE, MANAGER)


def _ticket(request, ticket_id, *, write: bool = False) -> Ticket:
    """The ticket if the user may read its parts (or change them, ``write``); else a 404."""
    qs = selectors.tickets_for_parts(request.user, write=write)
    return get_object_or_404(qs.select_related("customer", "product", "lot"), pk=ticket_id)


def panel_context(ticket, user, *, errors=None, values=None) -> dict:
    """The parts panel's context (the ticket page's panel registry calls it with the ticket)."""
    warranty = ticket_warranty(ticket)
    return {
        "ticket": ticket,
        "part_rows": parts.ticket_parts(ticket=ticket, user=user),
        "warranty": warranty,
        "warranty_covers": warranty.covers(),
        "can_change_parts": has_role(user, WRITE),
        "can_add_parts": has_role(user, WRITE) and ticket.is_open,
        "part_errors": errors or {},
        "part_values": values or {},
        "part_picker": _part_picker(ticket),
    }


def _part_picker(ticket):
    """The part field: the products picker (SKU, name, pinyin or a scanned code); choosing a
    part shows where it would be taken from."""
    return product_picker(
        queryset=pickable_products(),
        placeholder=_("SKU, name or scanned code"),
        attrs={
            "class": "form-select form-select-sm",
            "required": True,
            "hx-get": reverse("service:ticket_part_availability", args=[ticket.pk]),
            "hx-trigger": "change",
            "hx-target": "#part-availability",
            "hx-include": "#part-product, #part-quantity",
        },
    )


def _panel(request, ticket, **kwargs):
    return render(request, "service/parts/panel.html", panel_context(ticket, request.user, **kwargs))


@role_required(*READ)
def ticket_parts(request, ticket_id):
    """The ticket's parts: the panel alone for htmx, else a page around it."""
    ticket = _ticket(request, ticket_id)
    if request.htmx:
        return _panel(request, ticket)
    context = panel_context(ticket, request.user)
    context["title"] = _("Parts of ticket %(number)s") % {"number": ticket.number}
    return render(request, "service/parts/page.html", context)


def _answer(request, ticket, errors=None, values=None):
    if request.htmx:
        return _panel(request, ticket, errors=errors, values=values)
    for field_errors in (errors or {}).values():
        messages.error(request, " ".join(field_errors))
    return redirect("service:ticket_parts", ticket.pk)


@role_required(*WRITE)
@require_POST
def ticket_part_add(request, ticket_id):
    ticket = _ticket(request, ticket_id, write=True)
    values = {
        "product": request.POST.get("product", "")[:20],
        "quantity": request.POST.get("quantity", "")[:40],
    }
    product_id = as_id(request.POST.get("product"))
    product = Product.objects.filter(pk=product_id).first() if product_id else None
    unit = None
    unit_id = as_id(request.POST.get("unit"))
    if unit_id is not None and product is not None:
        unit = ProductUnit.objects.filter(pk=unit_id, product=product).first()
    try:
        parts.ticket_part_add(
            ticket=ticket,
            product=product,
            quantity=request.POST.get("quantity"),
            unit=unit,
            user=request.user,
        )
    except ValidationError as exc:
        return _answer(request, ticket, errors=exc.message_dict, values=values)
    if not request.htmx:
        messages.success(request, _("Part added and reserved."))
    return _answer(request, ticket)


@role_required(*WRITE)
@require_POST
def ticket_part_remove(request, ticket_id, pk):
    ticket = _ticket(request, ticket_id, write=True)
    part = get_object_or_404(TicketPart, pk=pk, ticket=ticket)
    try:
        parts.ticket_part_remove(part=part, user=request.user)
    except ValidationError as exc:
        return _answer(request, ticket, errors=exc.message_dict)
    ticket.refresh_from_db()
    if not request.htmx:
        messages.success(request, _("Part removed; its stock is free again."))
    return _answer(request, ticket)


@role_required(*WRITE)
def part_availability(request, ticket_id):
    """htmx: what each warehouse has free of the chosen part, nearest the customer first, and
    the one it would be taken from for the quantity asked."""
    ticket = _ticket(request, ticket_id)
    product_id = as_id(request.GET.get("product"))
    product = Product.objects.filter(pk=product_id).first() if product_id else None
    context = {"product": product, "stock": [], "chosen": None, "short": False}
    if product is not None:
        try:
            from core.money import decimal_input

            wanted = decimal_input(request.GET.get("quantity"), field="quantity", blank="1")
        except ValidationError:
            wanted = None
        stock = parts.nearest_stock(customer=ticket.customer, product=product)
        context["stock"] = stock
        if wanted is not None and wanted > 0:
            chosen = parts.warehouse_for(stock, wanted)
            context["chosen"] = chosen.warehouse_id if chosen else None
            context["short"] = sum(s.available for s in stock) < wanted
            context["split"] = chosen is None and not context["short"]
    return render(request, "service/parts/availability.html", context)
