"""Customer pages: the list (search, filters, sort, export), the 360 page, forms, duplicates
and imports. Every read goes through ``crm.customers.selectors`` (the record rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import import_pages
from core.export import export_response
from core.idempotency import one_time_form
from core.pagination import CappedPaginator, page_size
from core.people import display_name
from core.permissions import role_required
from core.pickers import user_picker
from core.roles import ADMIN, FINANCE, MANAGER, SALES, SERVICE, is_manager
from crm.customers import importers, panels, selectors, services
from crm.customers.forms import ContactForm, CustomerForm, sales_users
from crm.customers.models import Contact, Customer, MergeSuggestion, Region

READERS = (SALES, SERVICE, FINANCE, MANAGER)
EDITORS = (SALES, MANAGER)

EXPORT_HEADERS = [
    "code",
    "name",
    "kind",
    "industry",
    "region",
    "address",
    "phone",
    "email",
    "tags",
    "source",
    "owner",
    "credit_limit",
    "payment_terms_days",
    "stage",
]


def _filters(request) -> dict:
    g = request.GET
    return {
        "q": g.get("q", "").strip()[:100],
        "stage": g.get("stage", ""),
        "region": g.get("region", ""),
        "owner": g.get("owner", ""),
        "tag": g.get("tag", "").strip()[:50],
        "ordering": g.get("ordering", ""),
    }


@role_required(*READERS)
def customer_list(request):
    filters = _filters(request)
    qs = selectors.customer_list(user=request.user, **filters)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        rows = (
            [
                c.code,
                c.name,
                c.get_kind_display(),
                c.industry,
                c.region.name if c.region else "",
                c.address,
                c.phone,
                c.email,
                c.tags,
                c.source,
                display_name(c.owner),
                c.credit_limit,
                c.payment_terms_days,
                c.get_stage_display(),
            ]
            for c in qs.iterator(chunk_size=2000)
        )
        return export_response(filename="customers", headers=EXPORT_HEADERS, rows=rows, fmt=fmt)
    size = page_size(request)
    page = CappedPaginator(qs, size).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/list.html",
        {
            "title": _("Customers"),
            "page_obj": page,
            "filters": filters,
            "stages": Customer.Stage.choices,
            "regions": Region.objects.all(),
            "owner_picker": user_picker(roles=[SALES], queryset=sales_users(), placeholder=_("All"))
            if is_manager(request.user)
            else None,
            "can_create": bool(set(EDITORS) & _roles(request.user)),
        },
    )


@role_required(*READERS)
def contacts_export(request):
    """Contacts of the customers on the (filtered) customer list, under the same record rules."""
    customers = selectors.customer_list(user=request.user, **_filters(request))
    contacts = (
        Contact.objects.filter(customer__in=customers.values("pk"))
        .select_related("customer")
        .order_by("customer__code", "-is_primary", "name")
    )
    rows = (
        [c.customer.code, c.customer.name, c.name, c.role, c.phone, c.email, "1" if c.is_primary else ""]
        for c in contacts.iterator(chunk_size=2000)
    )
    headers = ["customer", "customer_name", "name", "role", "phone", "email", "is_primary"]
    fmt = "xlsx" if request.GET.get("export") == "xlsx" else "csv"
    return export_response(filename="contacts", headers=headers, rows=rows, fmt=fmt)


def _roles(user):
    from core.roles import user_roles

    roles = set(user_roles(user))
    if ADMIN in roles:
        roles |= {SALES, MANAGER}
    return roles


@role_required(*READERS)
def customer_detail(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    contacts = selectors.customer_contacts(customer)
    context = {
        "title": customer.name,
        "customer": customer,
        "contacts": contacts,
        "can_edit": selectors.customer_can_edit(request.user, customer),
        "panels": panels.panels_for(customer, request.user),
        "timeline": panels.timeline_for(customer, request.user),
        "suggestions": list(
            MergeSuggestion.objects.filter(
                customer=customer, state=MergeSuggestion.State.OPEN
            ).select_related("candidate")
        )
        if is_manager(request.user)
        else [],
    }
    return render(request, "customers/detail.html", context)


def _editable(request, pk) -> Customer:
    customer = selectors.customer_get(user=request.user, pk=pk)
    if not selectors.customer_can_edit(request.user, customer):
        raise PermissionDenied
    return customer


@role_required(*EDITORS)
@one_time_form
def customer_create(request):
    manager = selectors.customer_assignment_allowed(request.user)
    form = CustomerForm(
        request.POST or None,
        can_set_owner=manager,
        can_set_credit=manager,
        teams=selectors.teams_assignable_by(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not manager:
            data["owner"] = request.user
        try:
            customer = services.customer_create(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if customer.merge_suggestions.exists():
                messages.warning(
                    request, _("This customer looks like an existing one; a manager will review it.")
                )
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "title": _("New customer")})


@role_required(*EDITORS)
def customer_edit(request, pk):
    customer = _editable(request, pk)
    manager = selectors.customer_assignment_allowed(request.user)
    form = CustomerForm(
        request.POST or None,
        instance=customer,
        can_set_owner=manager,
        can_set_credit=manager,
        teams=selectors.teams_assignable_by(request.user, keeping=customer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                customer=Customer.objects.get(pk=pk), actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("customers:detail", pk=pk)
    return render(
        request,
        "customers/form.html",
        {"form": form, "customer": customer, "title": _("Edit %s") % customer.name},
    )


@role_required(*EDITORS)
def contact_edit(request, pk, contact_pk=None):
    customer = _editable(request, pk)
    contact = get_object_or_404(customer.contacts, pk=contact_pk) if contact_pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            if contact:
                services.contact_update(contact=contact, actor=request.user, **form.cleaned_data)
            else:
                services.contact_create(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("customers:detail", pk=pk)
    title = _("Edit contact") if contact else _("New contact")
    return render(request, "customers/form.html", {"form": form, "customer": customer, "title": title})


@role_required(MANAGER)
def merge_list(request):
    page = Paginator(selectors.merge_suggestions_open(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "customers/merge_list.html", {"page_obj": page, "title": _("Possible duplicates")})


@role_required(MANAGER)
@require_POST
def merge_do(request, pk):
    suggestion = get_object_or_404(MergeSuggestion, pk=pk, state=MergeSuggestion.State.OPEN)
    if request.POST.get("action") == "dismiss":
        services.merge_suggestion_dismiss(suggestion=suggestion, actor=request.user)
        messages.info(request, _("Suggestion dismissed."))
        return redirect("customers:merge_list")
    target = suggestion.candidate
    moved = services.customer_merge(target=target, duplicate=suggestion.customer, actor=request.user)
    messages.success(
        request,
        _("Merged into %(name)s; %(n)s records moved.") % {"name": target.name, "n": sum(moved.values())},
    )
    return redirect("customers:detail", pk=target.pk)


def _import_labels() -> dict:
    return {"customers": _("Customers"), "contacts": _("Contacts"), "leads": _("Leads")}


@role_required(SALES, MANAGER)
def import_page(request):
    """Upload → preview → confirm of customers, contacts and leads (``core.import_pages``)."""
    return import_pages.import_page(
        request,
        group=importers.GROUP,
        labels=_import_labels(),
        heading=_("Import customers, contacts or leads"),
        page_url="customers:import",
        status_url="customers:import_status",
    )


@role_required(SALES, MANAGER)
def import_status(request, pk):
    """One import's progress and outcome; the page polls it (htmx) while the import runs."""
    return import_pages.import_status(
        request,
        pk,
        group=importers.GROUP,
        heading=_("Import customers, contacts or leads"),
        page_url="customers:import",
    )
