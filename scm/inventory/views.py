"""Inventory pages (desktop). The warehouse's tablet screens are in ``tablet.py``."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import import_pages, imports
from core.export import export_response
from core.permissions import role_required
from core.preferences import UNIT_CONVERSIONS, preference
from core.roles import FINANCE, MANAGER, PURCHASING, SALES, SERVICE, WAREHOUSE, has_role
from core.sql import id_input
from scm.inventory import (
    catalogue,
    counts,
    importers,
    location_selectors,
    lot_links,
    quarantine,
    selectors,
    transfers,
)
from scm.inventory.forms import CountStartForm, ProductForm, UnitFormSet, apply_errors
from scm.inventory.locations import has_locations
from scm.inventory.models import Brand, Category, CountSession, Lot, Product, Transfer, Warehouse
from scm.inventory.services import plain_qty
from scm.inventory.units import units_offered

# Who may do what (admins may do everything).
READ = (SALES, SERVICE, WAREHOUSE, PURCHASING, FINANCE, MANAGER)
STOCK_WRITE = (WAREHOUSE,)
CATALOGUE_WRITE = (PURCHASING, MANAGER)
APPROVE = (MANAGER,)
# The import page: products for those who edit the catalogue, opening stock for the warehouse
# (each kind's ``ImportSpec.roles``); admins both.
IMPORT_ROLES = (WAREHOUSE, PURCHASING, MANAGER)
PAGE_SIZE = 50
UNIT_FIELDS = ("name", "factor", "barcode", "divisible")


def _filters(request) -> dict:
    get = request.GET
    active = {"1": True, "0": False}.get(get.get("active", ""))
    return {
        "search": get.get("q", "").strip(),
        "category_id": id_input(get.get("category"), field="category", required=False),
        "brand_id": id_input(get.get("brand"), field="brand", required=False),
        "tracking": get.get("tracking", ""),
        "active": active,
        "ordering": get.get("ordering", "sku"),
    }


@role_required(*READ)
def product_list(request):
    qs = selectors.product_list(**_filters(request))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/product_list.html",
        {
            "title": _("Products"),
            "page_obj": page,
            "categories": Category.objects.all(),
            "brands": Brand.objects.all(),
            "trackings": Product.Tracking.choices,
            "can_edit": has_role(request.user, CATALOGUE_WRITE),
        },
    )


@role_required(*READ)
def product_export(request):
    headers = [
        _("SKU"),
        _("Name"),
        _("Category"),
        _("Brand"),
        _("Barcode"),
        _("Unit"),
        _("List price"),
        _("On hand"),
        _("Available"),
    ]
    rows = (
        [
            p.sku,
            p.name,
            p.category.name if p.category else "",
            p.brand.name if p.brand else "",
            p.barcode,
            p.base_unit,
            p.list_price,
            plain_qty(p.on_hand_total),
            plain_qty(p.available_total),
        ]
        for p in selectors.product_list(**_filters(request)).iterator(chunk_size=2000)
    )
    return export_response(filename="products", headers=headers, rows=rows, fmt="csv")


@role_required(*READ)
def product_detail(request, pk):
    product = get_object_or_404(Product.objects.select_related("category", "brand", "template"), pk=pk)
    moves = Paginator(selectors.movement_history(product_id=product.pk), 20).get_page(request.GET.get("page"))
    lots = (
        Lot.objects.filter(product=product)
        .order_by("expiry_date", "number")
        .prefetch_related("stock_levels__warehouse")[:100]
    )
    return render(
        request,
        "inventory/product_detail.html",
        {
            "title": product.sku,
            "product": product,
            "can_see_cost": selectors.can_see_cost(request.user),
            "by_warehouse": selectors.stock_by_warehouse(product_id=product.pk),
            "bin_stock": location_selectors.product_bin_stock(product_id=product.pk),
            "atp": selectors.available_to_promise(product_id=product.pk),
            "quarantined": quarantine.quarantine_levels(product_id=product.pk),
            "page_obj": moves,
            "lots": lots,
            "units": product.units.all(),
            "variants": product.variants.all() if product.is_template else [],
            "can_edit": has_role(request.user, CATALOGUE_WRITE),
        },
    )


def _product_form(request, product=None):
    """The product and its other units (box, pack) in one form, saved in one transaction."""
    form = ProductForm(request.POST or None, instance=product)
    offered = units_offered()
    units = UnitFormSet(
        request.POST or None, instance=product, prefix="units", form_kwargs={"offered": offered}
    )
    if request.method == "POST" and form.is_valid() and units.is_valid():
        try:
            with transaction.atomic():
                data = form.cleaned_data
                if product is None:
                    product = catalogue.product_create(user=request.user, **data)
                else:
                    product = catalogue.product_update(product=product, user=request.user, **data)
                for unit_form in units.forms:
                    if not unit_form.has_changed():
                        continue
                    if unit_form.cleaned_data.get("DELETE"):
                        if unit_form.instance.pk:
                            catalogue.product_unit_delete(unit=unit_form.instance, user=request.user)
                        continue
                    try:
                        fields = {k: v for k, v in unit_form.cleaned_data.items() if k in UNIT_FIELDS}
                        catalogue.product_unit_save(
                            product=product,
                            unit=unit_form.instance if unit_form.instance.pk else None,
                            user=request.user,
                            **fields,
                        )
                    except ValidationError as exc:
                        apply_errors(unit_form, exc)
                        raise
        except ValidationError as exc:
            if not any(f.errors for f in units.forms):
                apply_errors(form, exc)
            product = form.instance if form.instance.pk else None
        else:
            messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
            return redirect("inventory:product_detail", pk=product.pk)
    title = _("New product") if product is None else _("Edit %(sku)s") % {"sku": product.sku}
    return render(
        request,
        "inventory/product_form.html",
        {
            "title": title,
            "form": form,
            "units": units,
            "product": product,
            # For the page to fill a unit's factor in from the usual conversion (箱 → 24 个).
            "unit_conversions": preference(UNIT_CONVERSIONS),
        },
    )


@role_required(*CATALOGUE_WRITE)
def product_create(request):
    return _product_form(request)


@role_required(*CATALOGUE_WRITE)
def product_edit(request, pk):
    return _product_form(request, get_object_or_404(Product, pk=pk))


def _attach_bins(levels) -> bool:
    """Each level of a warehouse with bins learns its bins (``bins``) and what is in none
    (``not_put_away``); two queries for the page. Whether any warehouse has bins."""
    with_bins = location_selectors.warehouses_with_bins()
    levels = [lv for lv in levels if lv.warehouse_id in with_bins]
    found = location_selectors.bins_for_levels(levels)
    for lv in levels:
        lv.bins = found.get((lv.product_id, lv.warehouse_id, lv.lot_id), [])
        lv.not_put_away = lv.on_hand - sum((row.on_hand for row in lv.bins), Decimal(0))
    return bool(with_bins)


@role_required(*READ)
def stock_overview(request):
    warehouse_id = id_input(request.GET.get("warehouse"), field="warehouse", required=False)
    qs = selectors.stock_overview(warehouse_id=warehouse_id, search=request.GET.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    show_bins = _attach_bins(page.object_list)
    sees_cost = selectors.can_see_cost(request.user)
    return render(
        request,
        "inventory/stock_overview.html",
        {
            "title": _("Stock"),
            "page_obj": page,
            "warehouses": Warehouse.objects.filter(is_active=True),
            # Stock value is at cost: only for those who read costs.
            "valuation": selectors.stock_valuation(warehouse_id=warehouse_id) if sees_cost else None,
            "sees_cost": sees_cost,
            "show_bins": show_bins,
        },
    )


@role_required(*READ)
def low_stock(request):
    page = Paginator(selectors.low_stock(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inventory/low_stock.html", {"title": _("Low stock"), "page_obj": page})


@role_required(*READ)
def lot_detail(request, pk):
    lot = get_object_or_404(Lot.objects.select_related("product"), pk=pk)
    moves = Paginator(selectors.movement_history(lot_id=lot.pk), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/lot_detail.html",
        {
            "title": lot.number,
            "lot": lot,
            "where": selectors.lot_locations(lot_id=lot.pk),
            "page_obj": moves,
            "links": lot_links.links_for(lot, request.user),
        },
    )


# --- transfers ------------------------------------------------------------------------------


@role_required(*READ)
def transfer_list(request):
    qs = Transfer.objects.select_related("source", "destination", "created_by")
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/transfer_list.html",
        {
            "title": _("Transfers"),
            "page_obj": page,
            "states": Transfer.State.choices,
            "can_move": has_role(request.user, STOCK_WRITE),
        },
    )


@role_required(*READ)
def transfer_detail(request, pk):
    transfer = get_object_or_404(
        Transfer.objects.select_related("source", "destination", "created_by"), pk=pk
    )
    lines = transfer.lines.select_related("product", "lot", "unit")
    return render(
        request,
        "inventory/transfer_detail.html",
        {
            "title": transfer.number,
            "transfer": transfer,
            "lines": lines,
            "can_move": has_role(request.user, STOCK_WRITE),
        },
    )


TRANSFER_ACTIONS = {
    "ship": transfers.transfer_ship,
    "receive": transfers.transfer_receive,
    "cancel": transfers.transfer_cancel,
}


@role_required(*STOCK_WRITE)
@require_POST
def transfer_action(request, pk, action):
    transfer = get_object_or_404(Transfer.objects.select_related("source", "destination"), pk=pk)
    service = TRANSFER_ACTIONS.get(action)
    if service is None:
        return HttpResponse(status=404)
    try:
        service(transfer=transfer, user=request.user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("Transfer %(number)s: %(state)s.")
            % {"number": transfer.number, "state": transfer.get_state_display()},
        )
    return redirect("inventory:transfer_detail", pk=pk)


# --- counts ---------------------------------------------------------------------------------


@role_required(*READ)
def count_list(request):
    form = CountStartForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, STOCK_WRITE):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                session = counts.count_start(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("inventory:tablet_count", pk=session.pk)
    state = request.GET.get("state", "")
    state = state if state in {"open", *CountSession.State.values} else ""
    qs = selectors.count_sessions(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/count_list.html",
        {
            "title": _("Stock counts"),
            "page_obj": page,
            "form": form,
            "can_count": has_role(request.user, STOCK_WRITE),
            "state": state,
        },
    )


@role_required(*READ)
def count_detail(request, pk):
    session = get_object_or_404(CountSession.objects.select_related("warehouse", "category"), pk=pk)
    report = selectors.count_report(session=session)
    blind = session.state == CountSession.State.COUNTING
    return render(
        request,
        "inventory/count_detail.html",
        {
            "title": session.number,
            "session": session,
            "report": report,
            "blind": blind,
            "by_location": has_locations(session.warehouse_id),
            "can_count": has_role(request.user, STOCK_WRITE),
            "can_approve": has_role(request.user, APPROVE),
            # Variance values are at cost: only for those who read costs.
            "sees_cost": selectors.can_see_cost(request.user),
        },
    )


COUNT_ACTIONS = {
    "submit": (counts.count_submit, STOCK_WRITE),
    "reopen": (counts.count_reopen, STOCK_WRITE + APPROVE),
    "approve": (counts.count_approve, APPROVE),
    "post": (counts.count_post, STOCK_WRITE + APPROVE),
    "cancel": (counts.count_cancel, STOCK_WRITE + APPROVE),
}


@role_required(*(STOCK_WRITE + APPROVE))
@require_POST
def count_action(request, pk, action):
    session = get_object_or_404(CountSession.objects.select_related("warehouse"), pk=pk)
    if action not in COUNT_ACTIONS:
        return HttpResponse(status=404)
    service, roles = COUNT_ACTIONS[action]
    if not has_role(request.user, roles):
        return render(request, "403.html", status=403)
    try:
        service(session=session, user=request.user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("Count %(number)s: %(state)s.")
            % {"number": session.number, "state": session.get_state_display()},
        )
    return redirect("inventory:count_detail", pk=pk)


def _import_kinds(user) -> list[str]:
    """The inventory kinds ``user`` may import (their ``roles``)."""
    kinds = imports.kinds_of(importers.GROUP)
    return [kind for kind in kinds if has_role(user, imports.SPECS[kind].roles or IMPORT_ROLES)]


def _import_labels() -> dict:
    return {"products": _("Products"), "opening_stock": _("Opening stock"), "locations": _("Bins")}


@role_required(*IMPORT_ROLES)
def import_page(request):
    """Upload → preview → confirm of products and opening stock (``core.import_pages``)."""
    return import_pages.import_page(
        request,
        kinds=_import_kinds(request.user),
        labels=_import_labels(),
        heading=_("Import products or opening stock"),
        page_url="inventory:import",
        status_url="inventory:import_status",
    )


@role_required(*IMPORT_ROLES)
def import_status(request, pk):
    return import_pages.import_status(
        request,
        pk,
        kinds=_import_kinds(request.user),
        heading=_("Import products or opening stock"),
        page_url="inventory:import",
    )
