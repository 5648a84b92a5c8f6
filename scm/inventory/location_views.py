"""Bin pages (desktop): a warehouse's locations, adding and changing one, a zone at once, what
one bin holds, and printing their labels (``bin_labels``). Everyone who reads stock reads them
(and prints labels); the warehouse changes them (admins too). Every change goes through
``locations_admin``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import role_required
from core.roles import has_role
from core.sql import as_id, id_input
from scm.inventory import bin_labels, location_selectors, locations_admin
from scm.inventory.forms import apply_errors
from scm.inventory.location_forms import LabelsForm, LocationForm, ZoneForm
from scm.inventory.models import Location, Warehouse
from scm.inventory.views import READ, STOCK_WRITE

PAGE_SIZE = 50
# The zone form's fields of each range the service names.
ZONE_FIELDS = {"aisles": "aisle_from", "shelves": "shelf_from", "bins": "bin_from"}


def _warehouse(request) -> Warehouse | None:
    """The warehouse asked for (``?warehouse=``), else the first with bins, else the first."""
    warehouses = location_selectors.stock_warehouses()
    asked = id_input(request.GET.get("warehouse"), field="warehouse", required=False)
    chosen = next((w for w in warehouses if w.pk == asked), None)
    if chosen is None:
        with_bins = location_selectors.warehouses_with_bins()
        chosen = next((w for w in warehouses if w.pk in with_bins), warehouses[0] if warehouses else None)
    return chosen


def _list_url(**params) -> str:
    return f"{reverse('inventory:locations')}?{urlencode(params)}"


@role_required(*READ)
def location_list(request):
    warehouse = _warehouse(request)
    zone = request.GET.get("zone", "").strip()[:20]
    active = {"1": True, "0": False}.get(request.GET.get("active", ""))
    qs = location_selectors.location_list(
        warehouse_id=warehouse.pk if warehouse else 0,
        zone=zone,
        search=request.GET.get("q", "").strip()[:64],
        active=active,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/locations/list.html",
        {
            "title": _("Bins"),
            "page_obj": page,
            "warehouse": warehouse,
            "warehouses": location_selectors.stock_warehouses(),
            "zones": location_selectors.zones(warehouse_id=warehouse.pk) if warehouse else [],
            "zone": zone,
            "can_edit": has_role(request.user, STOCK_WRITE),
        },
    )


def _location_form(request, *, warehouse: Warehouse, location: Location | None):
    form = LocationForm(request.POST or None, location=location)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if location is None:
            data = {k: v for k, v in data.items() if v not in ("", None) or k == "is_active"}
        try:
            saved = locations_admin.location_save(
                location=location, warehouse=warehouse, actor=request.user, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Location %(code)s saved.") % {"code": saved.code})
            return redirect("inventory:location_detail", pk=saved.pk)
    title = _("New location in %(warehouse)s") % {"warehouse": warehouse.name}
    if location is not None:
        title = _("Edit location %(code)s") % {"code": location.code}
    return render(
        request,
        "inventory/locations/form.html",
        {"title": title, "form": form, "warehouse": warehouse, "location": location},
    )


@role_required(*STOCK_WRITE)
def location_create(request):
    warehouse = _warehouse(request)
    if warehouse is None:
        messages.error(request, _("Add a warehouse first."))
        return redirect("inventory:locations")
    return _location_form(request, warehouse=warehouse, location=None)


@role_required(*STOCK_WRITE)
def location_edit(request, pk):
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    return _location_form(request, warehouse=location.warehouse, location=location)


@role_required(*STOCK_WRITE)
def location_zone(request):
    warehouse = _warehouse(request)
    if warehouse is None:
        messages.error(request, _("Add a warehouse first."))
        return redirect("inventory:locations")
    form = ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = locations_admin.location_zone_create(
                warehouse=warehouse, zone=form.cleaned_data["zone"], actor=request.user, **form.ranges()
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(ZONE_FIELDS.get(field, field if field in form.fields else None), errors)
        else:
            messages.success(
                request,
                _("%(n)s bins made in zone %(zone)s.") % {"n": len(made), "zone": form.cleaned_data["zone"]},
            )
            return redirect(_list_url(warehouse=warehouse.pk, zone=form.cleaned_data["zone"].strip().upper()))
    return render(
        request,
        "inventory/locations/zone.html",
        {"title": _("Make a zone's bins"), "form": form, "warehouse": warehouse},
    )


@role_required(*READ)
def location_detail(request, pk):
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    contents = Paginator(location_selectors.location_contents(location_id=location.pk), PAGE_SIZE)
    moves = Paginator(location_selectors.location_moves(location_id=location.pk), 20)
    return render(
        request,
        "inventory/locations/detail.html",
        {
            "title": location.code,
            "location": location,
            "contents": contents.get_page(request.GET.get("held")),
            "page_obj": moves.get_page(request.GET.get("page")),
            "can_edit": has_role(request.user, STOCK_WRITE),
        },
    )


@role_required(*STOCK_WRITE)
@require_POST
def location_delete(request, pk):
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    warehouse_id = location.warehouse_id
    try:
        locations_admin.location_delete(location=location, actor=request.user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("inventory:location_detail", pk=pk)
    messages.success(request, _("Location %(code)s deleted.") % {"code": location.code})
    return redirect(_list_url(warehouse=warehouse_id))


@role_required(*READ)
def location_labels(request):
    """The labels of a warehouse's bins, of a zone's (``?warehouse=&zone=``) or of one bin
    (``?location=``) as a PDF; without them, or with a choice ``bin_labels`` refuses, the
    form to choose (the refusal next to its field, 400)."""
    asked = any(name in request.GET for name in LabelsForm.base_fields) or "location" in request.GET
    warehouses = location_selectors.stock_warehouses()
    if asked:
        form = LabelsForm(request.GET, warehouses=warehouses)
        try:
            choice = bin_labels.label_bins(
                warehouse=request.GET.get("warehouse"),
                zone=request.GET.get("zone"),
                location=request.GET.get("location"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            response = HttpResponse(bin_labels.bin_labels_pdf(choice), content_type="application/pdf")
            response["Content-Disposition"] = content_disposition_header(False, choice.file_name)
            return response
    else:
        warehouse = _warehouse(request)
        form = LabelsForm(initial={"warehouse": warehouse.pk if warehouse else ""}, warehouses=warehouses)
    chosen = as_id(form["warehouse"].value())
    zones = location_selectors.zones(warehouse_id=chosen) if chosen else []
    return render(
        request,
        "inventory/locations/labels.html",
        {
            "title": _("Print bin labels"),
            "form": form,
            "zones": zones,
            "max_labels": bin_labels.MAX_LABELS,
            "warehouse_id": chosen,
        },
        status=400 if form.errors else 200,
    )
