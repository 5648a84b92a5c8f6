"""The warehouse tablet's picking pages: the queue, a pick list's scan page, shipping (and on to
the next pick), short picks."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.idempotency import idempotent_post
from core.permissions import role_required
from core.roles import FINANCE, MANAGER, SALES, WAREHOUSE
from crm.sales.orders import selectors as order_selectors
from integration.fulfilment import carriers, picking, scanning, selectors, shipping, short_picks, walk
from integration.fulfilment.models import PickBatch, Return, Shipment
from scm.inventory.models import Warehouse

READERS = (SALES, WAREHOUSE, FINANCE, MANAGER)


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def picking_url(warehouse_id=None) -> str:
    url = reverse("fulfilment:picking")
    return f"{url}?warehouse={warehouse_id}" if warehouse_id else url


@role_required(WAREHOUSE, MANAGER)
def picking_queue(request):
    """Orders ready to pick in one warehouse, by priority and due date, with what each holds
    there in its own units; open batch picks; a batch pick of chosen or of the next orders."""
    warehouses = list(Warehouse.objects.for_stock().order_by("code"))
    current = None
    wanted = request.GET.get("warehouse") or request.session.get("fulfilment_warehouse")
    for w in warehouses:
        if str(w.pk) == str(wanted):
            current = w
    if current is None and warehouses:
        current = warehouses[0]
    context = {
        "title": _("Picking"),
        "warehouses": warehouses,
        "warehouse": current,
        "just_shipped": just_shipped(request),
    }
    if current is not None:
        request.session["fulfilment_warehouse"] = current.pk
        page = Paginator(selectors.pick_list_orders(warehouse_id=current.pk), 20).get_page(
            request.GET.get("page")
        )
        held = selectors.held_by_order_units(order_ids=[o.pk for o in page], warehouse_id=current.pk)
        open_lists = selectors.open_pick_lists(warehouse_id=current.pk)
        context.update(
            page_obj=page,
            rows=[
                {"order": o, "held": held.get(o.pk, []), "shipment_id": open_lists.get(o.pk)} for o in page
            ],
            batches=list(
                PickBatch.objects.filter(warehouse=current, state=PickBatch.State.PICKING).order_by("pk")[:10]
            ),
        )
    return render(request, "fulfilment/picking.html", context)


@require_POST
@role_required(WAREHOUSE, MANAGER)
def picking_start(request, order_pk, warehouse_pk):
    order = get_object_or_404(order_selectors.orders_visible_to(request.user), pk=order_pk)
    warehouse = get_object_or_404(Warehouse, pk=warehouse_pk)
    try:
        shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(picking_url(warehouse.pk))
    return redirect("fulfilment:shipment", pk=shipment.pk)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), max_length=100)


def just_shipped(request) -> Shipment | None:
    """The shipment the picker shipped just before this page opened (once), for its delivery
    note: the page after shipping is the next pick, not the shipment."""
    pk = request.session.pop("fulfilment_shipped", None)
    return Shipment.objects.filter(pk=pk).only("pk", "number").first() if pk else None


def shipment_or_404(request, pk):
    """A shipment of an order the user may read (the orders' record rule), else 404."""
    if not selectors.shipments_for(user=request.user).filter(pk=pk).exists():
        raise Http404
    return selectors.shipment_with_lines(pk=pk)


def scan_context(shipment, **extra) -> dict:
    return {
        "shipment": shipment,
        "lines": walk.lines_for_display(list(shipment.lines.all())),
        "current_bin": shipment.current_location,
        "batch": None,
        **extra,
    }


@role_required(*READERS)
def shipment_detail(request, pk, ship_form=None):
    shipment = shipment_or_404(request, pk)
    template = (
        "fulfilment/scan.html" if shipment.state == Shipment.State.PICKING else "fulfilment/shipment.html"
    )
    return render(
        request,
        template,
        scan_context(
            shipment,
            title=shipment.number,
            just_shipped=just_shipped(request) if shipment.state == Shipment.State.PICKING else None,
            notice=getattr(shipment, "notice", None),
            ship_form=ship_form or ShipForm(initial={"carrier": shipment.carrier}),
            carrier_names=list(carriers.active_carriers().values_list("name", flat=True)),
            returns=Return.objects.filter(shipment_line__shipment=shipment).select_related(
                "shipment_line__product", "shipment_line__lot"
            ),
        ),
    )


def scan_answer(request, *, do, context_for, redirect_to, template="fulfilment/_scan_panel.html"):
    """A scan's answer: the scan panel for htmx (a refused scan is still answered 200: htmx
    swaps only successful answers, and the picker must see the red feedback in place), else a
    message and the page again."""
    feedback, ok = "", True
    try:
        feedback = do().message
    except ValidationError as exc:
        feedback, ok = error_text(exc), False
    if request.htmx:
        response = render(request, template, {**context_for(), "feedback": feedback, "ok": ok})
        response["X-Scan-Result"] = "ok" if ok else "error"
        return response
    (messages.success if ok else messages.error)(request, feedback)
    return redirect(redirect_to)


@require_POST
@role_required(WAREHOUSE, MANAGER)
@idempotent_post
def shipment_scan(request, pk):
    shipment = get_object_or_404(selectors.shipments_for(user=request.user), pk=pk)
    return scan_answer(
        request,
        do=lambda: scanning.shipment_scan(
            shipment=shipment,
            code=request.POST.get("code", ""),
            quantity=request.POST.get("quantity"),
            user=request.user,
        ),
        context_for=lambda: scan_context(selectors.shipment_with_lines(pk=pk)),
        redirect_to=reverse("fulfilment:shipment", args=[pk]),
    )


@require_POST
@role_required(WAREHOUSE, MANAGER)
def shipment_ship(request, pk):
    """Ship, then on to the next pick of the same warehouse (``picking.next_pick_open``), or
    the warehouse's queue when nothing is left; a tote of a batch pick goes back to its batch."""
    shipment = get_object_or_404(selectors.shipments_for(user=request.user), pk=pk)
    form = ShipForm(request.POST)
    if form.is_valid():
        try:
            shipment = shipping.shipment_ship(shipment=shipment, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session["fulfilment_shipped"] = shipment.pk
            return redirect(after_ship_url(shipment, request.user))
    response = shipment_detail(request, pk, ship_form=form)
    response.status_code = 400
    return response


def after_ship_url(shipment: Shipment, user) -> str:
    if shipment.batch_id:
        return reverse("fulfilment:batch", args=[shipment.batch_id])
    following = picking.next_pick_open(warehouse=shipment.warehouse, user=user)
    if following is not None:
        return reverse("fulfilment:shipment", args=[following.pk])
    return picking_url(shipment.warehouse_id)


@require_POST
@role_required(WAREHOUSE, MANAGER)
def short_pick(request, line_pk):
    """The picker did not find a line's goods (or some of them) where the list sends them."""
    line = get_object_or_404(
        selectors.shipment_lines_for(user=request.user).select_related("shipment"), pk=line_pk
    )
    try:
        outcome = short_picks.short_pick_record(
            shipment_line=line, quantity=request.POST.get("quantity"), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.warning(request, outcome.message)
    if line.shipment.batch_id:
        return redirect("fulfilment:batch", pk=line.shipment.batch_id)
    return redirect("fulfilment:shipment", pk=line.shipment_id)
