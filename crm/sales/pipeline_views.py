"""Pipeline pages: leads (public form, list, overdue, convert), the kanban board, opportunities,
won/lost, forecast and funnel, activities and tasks, reassignment."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import counters
from core.export import export_response
from core.net import client_ip
from core.people import display_name
from core.permissions import role_required
from core.pickers import picker_answer, picker_query
from core.redirects import redirect_next
from core.roles import ADMIN, MANAGER, SALES, is_manager
from core.sql import as_id
from crm.customers.selectors import customer_get, customers_visible_to
from crm.sales import reassignment, selectors, services
from crm.sales.forms import (
    ActivityForm,
    CloseForm,
    ConvertForm,
    LeadForm,
    OpportunityForm,
    PublicLeadForm,
    ReassignForm,
)
from crm.sales.models import Activity, Lead, PipelineStage
from scm.inventory.pickers import public_product_search

REPS = (SALES, MANAGER)
PUBLIC_FORM_LIMIT = 5  # submissions per IP per hour
PUBLIC_SEARCH_LIMIT = 120  # product searches per IP per minute (a keystroke each)


# --- leads ------------------------------------------------------------------------------------


def lead_public_products(request):
    """The public form's product search (no login): what the products picker finds, as name
    and SKU only, at most PUBLIC_SEARCH_LIMIT searches a minute per address (then an empty
    answer, 429), failing open when the cache is down."""
    count = counters.hit(f"crm-lead-products:{client_ip(request) or 'unknown'}", 60)
    if count > getattr(settings, "CRM_LEAD_PRODUCTS_LIMIT", PUBLIC_SEARCH_LIMIT):
        return JsonResponse(picker_answer([]), status=429)
    rows = public_product_search(query=picker_query(request.GET.get("q", "")))
    return JsonResponse(picker_answer(rows), json_dumps_params={"ensure_ascii": False})


def lead_public(request):
    """The public web form (no login). A filled honeypot is answered as a success and dropped;
    more than PUBLIC_FORM_LIMIT submissions an hour from one address are refused (429)."""
    form = PublicLeadForm(request.POST or None)
    if request.method == "POST":
        # Per client (behind a trusted proxy, the address it forwards), failing open when the
        # cache is down.
        count = counters.hit(f"crm-lead-form:{client_ip(request) or 'unknown'}", 3600)
        if count > getattr(settings, "CRM_LEAD_FORM_LIMIT", PUBLIC_FORM_LIMIT):
            return render(
                request,
                "sales/lead_public.html",
                {"form": form, "limited": True, "title": _("Contact us")},
                status=429,
            )
        if form.data.get("website"):
            return render(request, "sales/lead_public.html", {"thanks": True, "title": _("Contact us")})
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in {"website", "products"}}
            try:
                services.lead_create(source="web", products=form.cleaned_data["products"], **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(request, "sales/lead_public.html", {"thanks": True, "title": _("Contact us")})
    return render(request, "sales/lead_public.html", {"form": form, "title": _("Contact us")})


@role_required(*REPS)
def lead_list(request):
    overdue = request.GET.get("overdue") == "1"
    filters = {"q": request.GET.get("q", "").strip()[:100], "status": request.GET.get("status", "")}
    qs = selectors.lead_list(user=request.user, overdue=overdue, **filters)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        headers = ["name", "company", "phone", "email", "region", "source", "status", "owner", "created_at"]
        rows = (
            [
                le.name,
                le.company,
                le.phone,
                le.email,
                le.region.name if le.region else "",
                le.source,
                le.get_status_display(),
                display_name(le.owner),
                le.created_at.isoformat(timespec="minutes"),
            ]
            for le in qs.iterator(chunk_size=2000)
        )
        return export_response(filename="leads", headers=headers, rows=rows, fmt=fmt)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/lead_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "overdue": overdue,
            "statuses": Lead.Status.choices,
            "sla_hours": settings.CRM_LEAD_SLA_HOURS,
            "title": _("Overdue leads") if overdue else _("Leads"),
        },
    )


@role_required(*REPS)
def lead_create(request):
    form = LeadForm(request.POST or None, can_set_owner=is_manager(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        products = data.pop("products")
        if not is_manager(request.user):
            data["owner"] = request.user
        try:
            lead = services.lead_create(
                actor=request.user, products=products, source=data.pop("source") or "manual", **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sales:lead_detail", pk=lead.pk)
    return render(request, "sales/form.html", {"form": form, "title": _("New lead")})


@role_required(*REPS)
def lead_detail(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    activities = lead.activities.select_related("owner").order_by("-at")[:50]
    return render(
        request,
        "sales/lead_detail.html",
        {
            "lead": lead,
            "activities": activities,
            "can_edit": selectors.can_edit(request.user, lead),
            "convert_form": ConvertForm(initial={"opportunity_name": lead.company or lead.name}),
            "activity_form": ActivityForm(),
            "title": str(lead),
        },
    )


def _editable_lead(request, pk) -> Lead:
    lead = selectors.lead_get(user=request.user, pk=pk)
    if not selectors.can_edit(request.user, lead):
        raise PermissionDenied
    return lead


@role_required(*REPS)
def lead_edit(request, pk):
    """Edit a lead; managers also (re)assign it by hand (audited like automatic assignment)."""
    lead = _editable_lead(request, pk)
    form = LeadForm(request.POST or None, instance=lead, can_set_owner=is_manager(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        products = data.pop("products")
        try:
            services.lead_update(lead=Lead.objects.get(pk=pk), actor=request.user, products=products, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sales:lead_detail", pk=pk)
    return render(request, "sales/form.html", {"form": form, "title": _("Edit lead")})


@role_required(*REPS)
@require_POST
def lead_convert(request, pk):
    lead = _editable_lead(request, pk)
    form = ConvertForm(request.POST)
    if form.is_valid():
        try:
            customer, opp = services.lead_convert(lead=lead, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Converted: customer, contact and opportunity created."))
            return redirect("customers:detail", pk=customer.pk)
    else:
        messages.error(request, _("Check the conversion details."))
    return redirect("sales:lead_detail", pk=pk)


# --- activities -------------------------------------------------------------------------------


@role_required(*REPS)
@require_POST
def activity_add(request):
    """Log an activity against a customer, lead or opportunity (htmx: answers the new entry)."""
    form = ActivityForm(request.POST)
    target = {}
    if request.POST.get("customer"):
        target["customer"] = customer_get(user=request.user, pk=request.POST["customer"])
    if request.POST.get("lead"):
        target["lead"] = selectors.lead_get(user=request.user, pk=request.POST["lead"])
    if request.POST.get("opportunity"):
        target["opportunity"] = selectors.opportunity_get(user=request.user, pk=request.POST["opportunity"])
    if form.is_valid():
        try:
            services.activity_log(actor=request.user, **form.cleaned_data, **target)
        except ValidationError as exc:
            # The service names fields the form may not have (customer, lead, opportunity).
            for field, messages_ in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
    if not form.is_valid() or form.errors:
        if request.htmx:
            return render(
                request, "sales/partials/activity_form.html", {"activity_form": form, **target}, status=422
            )
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, _("Activity saved."))
    return redirect_next(request, "sales:tasks")


@role_required(*REPS)
def tasks(request):
    due_today = request.GET.get("due") == "today"
    if due_today:
        qs = selectors.tasks_due(user=request.user)
    else:
        qs = selectors.tasks_for(user=request.user, include_done=request.GET.get("done") == "1")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request, "sales/tasks.html", {"page_obj": page, "title": _("Tasks"), "due_today": due_today}
    )


@role_required(*REPS)
@require_POST
def task_done(request, pk):
    task = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk, kind=Activity.Kind.TASK)
    if not selectors.can_edit(request.user, task):
        raise PermissionDenied
    services.task_complete(task=task, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect_next(request, "sales:tasks")


# --- pipeline ---------------------------------------------------------------------------------


@role_required(*REPS)
def board(request):
    owner = request.GET.get("owner", "")
    return render(
        request,
        "sales/board.html",
        {"columns": selectors.board(user=request.user, owner=owner), "title": _("Pipeline")},
    )


@role_required(*REPS)
@require_POST
def opportunity_move(request, pk):
    """The kanban drop: htmx POSTs the card's new stage; the answer is the updated card."""
    opp = selectors.opportunity_get(user=request.user, pk=pk)
    if not selectors.can_edit(request.user, opp):
        raise PermissionDenied
    stage = get_object_or_404(PipelineStage, pk=as_id(request.POST.get("stage")))
    try:
        opp = services.opportunity_move(opportunity=opp, stage=stage, actor=request.user)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return render(request, "sales/partials/card.html", {"opp": opp})


@role_required(*REPS)
def opportunity_detail(request, pk):
    opp = selectors.opportunity_get(user=request.user, pk=pk)
    return render(
        request,
        "sales/opportunity_detail.html",
        {
            "opp": opp,
            "products": opp.products.all(),
            "changes": opp.stage_changes.select_related("from_stage", "to_stage", "by"),
            "activities": opp.activities.select_related("owner").order_by("-at")[:50],
            "can_edit": selectors.can_edit(request.user, opp),
            "close_form": CloseForm(),
            "activity_form": ActivityForm(),
            "title": opp.name,
        },
    )


@role_required(*REPS)
def opportunity_edit(request, pk=None):
    opp = selectors.opportunity_get(user=request.user, pk=pk) if pk else None
    if opp and not selectors.can_edit(request.user, opp):
        raise PermissionDenied
    manager = is_manager(request.user)
    form = OpportunityForm(
        request.POST or None,
        instance=opp,
        customers=customers_visible_to(request.user),
        can_set_owner=manager,
        initial={"customer": as_id(request.GET.get("customer"))},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        products = data.pop("products")
        if not manager:
            data["owner"] = request.user if opp is None else opp.owner
        try:
            if opp:
                services.opportunity_update(opportunity=opp, actor=request.user, products=products, **data)
            else:
                opp = services.opportunity_create(actor=request.user, products=products, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sales:opportunity_detail", pk=opp.pk)
    return render(request, "sales/form.html", {"form": form, "title": _("Opportunity")})


@role_required(*REPS)
@require_POST
def opportunity_close(request, pk):
    opp = selectors.opportunity_get(user=request.user, pk=pk)
    if not selectors.can_edit(request.user, opp):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_close(opportunity=opp, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give a reason."))
    return redirect("sales:opportunity_detail", pk=pk)


@role_required(*REPS)
def forecast(request):
    return render(
        request,
        "sales/forecast.html",
        {
            "forecast": selectors.forecast(user=request.user),
            "funnel": selectors.funnel(user=request.user),
            "title": _("Forecast and funnel"),
        },
    )


@role_required(MANAGER, ADMIN)
def reassign(request):
    form = ReassignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            counts = reassignment.records_reassign(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Moved %(customers)s customers, %(leads)s leads, %(opportunities)s opportunities, "
                    "%(tasks)s tasks, %(quotes)s quotes and %(orders)s orders."
                )
                % counts,
            )
            return redirect("sales:reassign")
    return render(request, "sales/form.html", {"form": form, "title": _("Reassign a rep's records")})
