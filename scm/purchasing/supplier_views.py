"""Supplier pages: the list (search, filters, sort, export), the supplier page (contacts,
products with prices, open orders, recent receipts, scorecard, panels, timeline), the forms and
the purchasing import page. Reads go through ``supplier_selectors`` (the purchasing record
rule); writes through ``services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import import_pages
from core.export import export_response
from core.idempotency import one_time_form
from core.pagination import page_size
from core.people import display_name
from core.permissions import role_required
from core.pickers import user_picker
from core.roles import MANAGER, PURCHASING
from scm.purchasing import importers, panels, services, supplier_selectors
from scm.purchasing.models import SupplierPrice, SupplierProduct
from scm.purchasing.scorecard import default_since, supplier_scorecard
from scm.purchasing.selectors import READ_ROLES, SUPPLIER_EDIT_ROLES, can_edit_suppliers
from scm.purchasing.supplier_forms import (
    SupplierContactForm,
    SupplierForm,
    SupplierPriceForm,
    SupplierProductForm,
    buyers,
)

EXPORT_HEADERS = [
    "code",
    "name",
    "tax_id",
    "address",
    "phone",
    "email",
    "bank_name",
    "bank_account",
    "payment_terms_days",
    "payment_terms_month_end",
    "currency",
    "buyer",
    "notes",
    "is_active",
]


def _filters(request) -> dict:
    g = request.GET
    return {
        "q": g.get("q", "").strip()[:100],
        "active": g.get("active", ""),
        "buyer": g.get("buyer", ""),
        "ordering": g.get("ordering", ""),
    }


def _export(qs, fmt):
    rows = (
        [
            s.code,
            s.name,
            s.tax_id,
            s.address,
            s.phone,
            s.email,
            s.bank_name,
            s.bank_account,
            s.payment_terms_days,
            "1" if s.payment_terms_month_end else "",
            s.currency,
            display_name(s.buyer),
            s.notes,
            "1" if s.is_active else "0",
        ]
        for s in qs.iterator(chunk_size=2000)
    )
    return export_response(filename="suppliers", headers=EXPORT_HEADERS, rows=rows, fmt=fmt)


@role_required(*READ_ROLES)
def supplier_list(request):
    filters = _filters(request)
    qs = supplier_selectors.supplier_list(user=request.user, **filters)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return _export(qs, fmt)
    size = page_size(request)
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    return render(
        request,
        "purchasing/supplier_list.html",
        {
            "title": _("Suppliers"),
            "page_obj": page,
            "filters": filters,
            "buyer_picker": user_picker(roles=[PURCHASING, MANAGER], queryset=buyers(), placeholder=_("All")),
            "can_edit": can_edit_suppliers(request.user),
        },
    )


@role_required(*READ_ROLES)
def supplier_detail(request, pk):
    supplier = supplier_selectors.supplier_get(user=request.user, pk=pk)
    context = {
        "title": supplier.name,
        "supplier": supplier,
        "contacts": supplier_selectors.supplier_contacts(supplier),
        "products": supplier_selectors.supplier_products(supplier),
        "open_orders": supplier_selectors.supplier_open_orders(supplier),
        "receipts": supplier_selectors.supplier_recent_receipts(supplier),
        "scorecard": supplier_scorecard(supplier.pk, since=default_since()),
        "can_edit": can_edit_suppliers(request.user),
        "panels": panels.panels_for(supplier, request.user),
        "timeline": panels.timeline_for(supplier, request.user),
    }
    return render(request, "purchasing/supplier_detail.html", context)


def _form_page(request, form, *, title, supplier=None):
    return render(
        request, "purchasing/supplier_form.html", {"form": form, "title": title, "supplier": supplier}
    )


@role_required(*SUPPLIER_EDIT_ROLES)
@one_time_form
def supplier_create(request):
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.supplier_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("purchasing:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("New supplier"))


@role_required(*SUPPLIER_EDIT_ROLES)
def supplier_edit(request, pk):
    supplier = supplier_selectors.supplier_get(user=request.user, pk=pk)
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(
                supplier=supplier_selectors.supplier_get(user=request.user, pk=pk),
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("purchasing:supplier_detail", pk=pk)
    return _form_page(request, form, title=_("Edit %s") % supplier.name, supplier=supplier)


@role_required(*SUPPLIER_EDIT_ROLES)
@require_POST
def supplier_active(request, pk):
    """Deactivate a supplier (``active=0``) or make it active again."""
    supplier = supplier_selectors.supplier_get(user=request.user, pk=pk)
    if request.POST.get("active") == "1":
        services.supplier_activate(supplier=supplier, actor=request.user)
        messages.success(request, _("The supplier is active again."))
    else:
        services.supplier_deactivate(supplier=supplier, actor=request.user)
        messages.info(request, _("The supplier is inactive: new orders cannot pick it."))
    return redirect("purchasing:supplier_detail", pk=pk)


@role_required(*SUPPLIER_EDIT_ROLES)
def contact_edit(request, pk, contact_pk=None):
    supplier = supplier_selectors.supplier_get(user=request.user, pk=pk)
    contact = get_object_or_404(supplier.contacts, pk=contact_pk) if contact_pk else None
    form = SupplierContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            if contact:
                services.supplier_contact_update(contact=contact, actor=request.user, **form.cleaned_data)
            else:
                services.supplier_contact_create(supplier=supplier, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("purchasing:supplier_detail", pk=pk)
    title = _("Edit contact") if contact else _("New contact")
    return _form_page(request, form, title=title, supplier=supplier)


@role_required(*SUPPLIER_EDIT_ROLES)
def product_edit(request, pk, item_pk=None):
    supplier = supplier_selectors.supplier_get(user=request.user, pk=pk)
    item = (
        get_object_or_404(SupplierProduct.objects.select_related("product"), supplier=supplier, pk=item_pk)
        if item_pk
        else None
    )
    form = SupplierProductForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if item:
                services.supplier_product_update(item=item, actor=request.user, **data)
            else:
                product = data.pop("product")
                services.supplier_product_create(
                    supplier=supplier, product=product, actor=request.user, **data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("purchasing:supplier_detail", pk=pk)
    title = _("Edit product %s") % item.product if item else _("New supplier product")
    return _form_page(request, form, title=title, supplier=supplier)


def _item(request, pk, item_pk) -> SupplierProduct:
    supplier = supplier_selectors.supplier_get(user=request.user, pk=pk)
    return get_object_or_404(
        SupplierProduct.objects.select_related("product", "supplier"), supplier=supplier, pk=item_pk
    )


@role_required(*SUPPLIER_EDIT_ROLES)
@require_POST
def product_preferred(request, pk, item_pk):
    item = _item(request, pk, item_pk)
    services.supplier_product_set_preferred(item=item, actor=request.user)
    messages.success(
        request,
        _("%(supplier)s is now the preferred supplier of %(product)s.")
        % {"supplier": item.supplier.name, "product": item.product.name},
    )
    return redirect("purchasing:supplier_detail", pk=pk)


@role_required(*SUPPLIER_EDIT_ROLES)
def price_edit(request, pk, item_pk, price_pk=None):
    item = _item(request, pk, item_pk)
    price = get_object_or_404(SupplierPrice, supplier_product=item, pk=price_pk) if price_pk else None
    form = SupplierPriceForm(request.POST or None, instance=price)
    if request.method == "POST" and request.POST.get("delete") and price is not None:
        services.supplier_price_delete(price=price, actor=request.user)
        return redirect("purchasing:supplier_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            if price:
                services.supplier_price_update(price=price, actor=request.user, **form.cleaned_data)
            else:
                services.supplier_price_create(supplier_product=item, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("purchasing:supplier_detail", pk=pk)
    title = (_("Price of %s") if price else _("New price of %s")) % item.product
    return render(
        request,
        "purchasing/supplier_form.html",
        {"form": form, "title": title, "supplier": item.supplier, "price": price},
    )


def _import_labels() -> dict:
    return {"suppliers": _("Suppliers"), "supplier_prices": _("Supplier prices")}


@role_required(*SUPPLIER_EDIT_ROLES)
def supplier_import(request):
    """Upload → preview → confirm of suppliers and supplier prices (``core.import_pages``)."""
    return import_pages.import_page(
        request,
        group=importers.GROUP,
        labels=_import_labels(),
        heading=_("Import suppliers or supplier prices"),
        page_url="purchasing:supplier_import",
        status_url="purchasing:supplier_import_status",
    )


@role_required(*SUPPLIER_EDIT_ROLES)
def supplier_import_status(request, pk):
    return import_pages.import_status(
        request,
        pk,
        group=importers.GROUP,
        heading=_("Import suppliers or supplier prices"),
        page_url="purchasing:supplier_import",
    )
