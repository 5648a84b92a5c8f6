"""The service desk's pages: the ticket list, a new ticket, a ticket with its actions, the SLA
settings, teams and engineers, and the public support form."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import counters
from core.net import client_ip
from core.permissions import role_required
from core.roles import MANAGER, SALES, SERVICE
from core.sql import as_id
from crm.service import hooks, panels, selectors, services, sla, visits
from crm.service import sla_settings as sla_writes
from crm.service.forms import (
    AssignForm,
    CalendarForm,
    EngineerForm,
    HolidayForm,
    PublicTicketForm,
    SlaTargetForm,
    TeamForm,
)
from crm.service.forms import TicketForm as NewTicketForm
from crm.service.models import (
    ON_SITE,
    Category,
    Engineer,
    Holiday,
    Priority,
    ServiceCalendar,
    ServiceTeam,
    Ticket,
    TicketPhoto,
    Visit,
)
from crm.service.timeline import ticket_entries

READERS = (SERVICE, SALES, MANAGER)
WRITERS = (SERVICE, MANAGER)
PUBLIC_FORM_LIMIT = 5  # submissions per IP per hour


def _hours(seconds) -> str:
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    return f"{sign}{seconds // 3600}:{(seconds % 3600) // 60:02d}"


@role_required(*READERS)
def ticket_list(request):
    filters = {
        "state": request.GET.get("state", "open"),
        "category": request.GET.get("category", ""),
        "priority": request.GET.get("priority", ""),
        "team": request.GET.get("team", ""),
        "assignee": request.GET.get("assignee", ""),
        "search": request.GET.get("q", "").strip()[:100],
    }
    overdue = request.GET.get("overdue") == "1"
    near_sla = request.GET.get("sla") == "near"
    qs = selectors.ticket_list(user=request.user, overdue=overdue, near_sla=near_sla, **filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "service/ticket_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "overdue": overdue,
            "near_sla": near_sla,
            "states": [("open", _("Open")), *Ticket.State.choices],
            "categories": Category.choices,
            "priorities": Priority.choices,
            "teams": selectors.teams_by_name(),
            "now": timezone.now(),
            "can_write": selectors.ticket_write_q(request.user) != selectors.NOTHING,
            "title": _("Tickets"),
        },
    )


def _lot_for(pk):
    from scm.inventory.models import Lot

    pk = as_id(pk)
    return Lot.objects.select_related("product").filter(pk=pk).first() if pk else None


@role_required(*WRITERS)
def ticket_create(request):
    form = NewTicketForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        lots_url=reverse("service:ticket_lots"),
        initial={"customer": as_id(request.GET.get("customer"))},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lot_id = data.pop("lot")
        lot = _lot_for(lot_id) if lot_id else None
        try:
            if lot_id and lot is None:
                raise ValidationError(
                    {"lot": _("This lot or serial number was never shipped to this customer.")}
                )
            ticket = services.ticket_open(user=request.user, lot=lot, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("service:ticket_detail", ticket.pk)
    return render(request, "service/ticket_form.html", {"form": form, "title": _("New ticket")})


@role_required(*WRITERS)
def ticket_lots(request):
    """The options of the lot select: what was shipped to the chosen customer (htmx)."""
    from crm.customers.selectors import customer_is_visible

    customer_id = as_id(request.GET.get("customer"))
    lots = []
    if customer_id and customer_is_visible(request.user, customer_id):
        product_id = as_id(request.GET.get("product"))
        lots = hooks.shipped_lots(customer_id=customer_id, product_id=product_id, limit=100)
    return render(request, "service/_lot_options.html", {"lots": lots})


def _visible_ticket(request, pk) -> Ticket:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    if ticket is None:
        raise Http404
    return ticket


def _writable_ticket(request, pk) -> Ticket:
    ticket = _visible_ticket(request, pk)
    if not selectors.ticket_can_write(request.user, ticket):
        raise Http404
    return ticket


@role_required(*READERS)
def ticket_detail(request, pk):
    ticket = _visible_ticket(request, pk)
    can_write = selectors.ticket_can_write(request.user, ticket)
    remaining = sla.remaining_seconds(ticket)
    entries = ticket_entries(ticket, request.user) + panels.timeline_for(ticket, request.user)
    entries.sort(key=lambda e: e["at"], reverse=True)
    assign_form = AssignForm(initial={"assignee": ticket.assignee_id}) if can_write else None
    return render(
        request,
        "service/ticket_detail.html",
        {
            "ticket": ticket,
            "can_write": can_write,
            "actions": services.allowed_actions(ticket) if can_write else [],
            "action_labels": ACTION_LABELS,
            "remaining": {k: _hours(v) for k, v in remaining.items()},
            "overdue": {k: (v is not None and v < 0) for k, v in remaining.items()},
            "photos": list(ticket.photos.all()),
            "visits": list(ticket.visits.select_related("engineer")),
            "panels": panels.panels_for(ticket, request.user),
            "timeline": entries[:200],
            "assign_form": assign_form,
            "on_site": ticket.category in ON_SITE,
            "title": ticket.number,
        },
    )


ACTION_LABELS = {
    "start": gettext_lazy("Start work"),
    "wait": gettext_lazy("Wait for customer"),
    "resume": gettext_lazy("Resume"),
    "resolve": gettext_lazy("Resolve"),
    "close": gettext_lazy("Close"),
    "reopen": gettext_lazy("Reopen"),
}


def _back(ticket):
    return redirect("service:ticket_detail", ticket.pk)


def _run(request, ticket, fn):
    try:
        fn()
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return _back(ticket)


@require_POST
@role_required(*WRITERS)
def ticket_transition(request, pk):
    ticket = _writable_ticket(request, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:5000]
    return _run(
        request,
        ticket,
        lambda: services.ticket_transition(ticket=ticket, action=action, user=request.user, note=note),
    )


@require_POST
@role_required(*WRITERS)
def ticket_comment(request, pk):
    ticket = _writable_ticket(request, pk)
    text = request.POST.get("text", "")[:5000]
    return _run(request, ticket, lambda: services.ticket_comment(ticket=ticket, text=text, user=request.user))


@require_POST
@role_required(*WRITERS)
def ticket_assign(request, pk):
    ticket = _writable_ticket(request, pk)
    form = AssignForm(request.POST)

    def assign():
        if not form.is_valid():
            raise ValidationError({"assignee": list(form.errors["assignee"])})
        services.ticket_assign(ticket=ticket, assignee=form.cleaned_data["assignee"], user=request.user)

    return _run(request, ticket, assign)


@require_POST
@role_required(*WRITERS)
def ticket_confirm_quality(request, pk):
    ticket = _writable_ticket(request, pk)
    return _run(request, ticket, lambda: services.ticket_confirm_quality(ticket=ticket, user=request.user))


@require_POST
@role_required(*WRITERS)
def ticket_photo_add(request, pk):
    ticket = _writable_ticket(request, pk)
    image = request.FILES.get("image")
    return _run(
        request, ticket, lambda: services.ticket_photo_add(ticket=ticket, image=image, user=request.user)
    )


@role_required(*READERS)
def ticket_photo(request, pk, photo_pk):
    ticket = _visible_ticket(request, pk)
    photo = get_object_or_404(TicketPhoto, pk=photo_pk, ticket=ticket)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(*WRITERS)
def visit_book(request, pk):
    ticket = _writable_ticket(request, pk)
    engineer = None
    if request.POST.get("engineer"):
        found = (
            Engineer.objects.filter(user_id=as_id(request.POST.get("engineer")))
            .select_related("user")
            .first()
        )
        engineer = found.user if found else None
    starts_at = None
    if request.POST.get("starts_at"):
        try:
            starts_at = parse_datetime(request.POST["starts_at"])
        except ValueError:
            starts_at = None
        if starts_at is not None and timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)

    def book():
        if request.POST.get("starts_at") and starts_at is None:
            raise ValidationError({"starts_at": _("Enter a valid date and time.")})
        if request.POST.get("engineer") and engineer is None:
            raise ValidationError({"engineer": _("Choose an active engineer.")})
        visits.visit_book(ticket=ticket, engineer=engineer, starts_at=starts_at, user=request.user)

    return _run(request, ticket, book)


def _writable_visit(request, pk, visit_pk) -> Visit:
    ticket = _writable_ticket(request, pk)
    return get_object_or_404(Visit, pk=visit_pk, ticket=ticket)


@require_POST
@role_required(*WRITERS)
def visit_complete(request, pk, visit_pk):
    visit = _writable_visit(request, pk, visit_pk)
    notes = request.POST.get("notes", "")[:5000]
    return _run(
        request, visit.ticket, lambda: visits.visit_complete(visit=visit, notes=notes, user=request.user)
    )


@require_POST
@role_required(*WRITERS)
def visit_cancel(request, pk, visit_pk):
    visit = _writable_visit(request, pk, visit_pk)
    reason = request.POST.get("notes", "")[:5000]
    return _run(
        request, visit.ticket, lambda: visits.visit_cancel(visit=visit, reason=reason, user=request.user)
    )


# --- settings ------------------------------------------------------------------------------


@role_required(MANAGER)
def sla_settings(request):
    calendar = ServiceCalendar.current()
    target_form = SlaTargetForm(request.POST if request.POST.get("form") == "target" else None)
    calendar_form = CalendarForm(
        request.POST if request.POST.get("form") == "calendar" else None,
        initial={
            "working_days": calendar.working_days,
            "day_start": calendar.day_start,
            "day_end": calendar.day_end,
        },
    )
    holiday_form = HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "target" and target_form.is_valid():
                sla_writes.sla_target_set(user=request.user, **target_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("service:sla_settings")
            if kind == "calendar" and calendar_form.is_valid():
                sla_writes.calendar_set(user=request.user, **calendar_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("service:sla_settings")
            if kind == "holiday" and holiday_form.is_valid():
                holiday_form.save()
                messages.success(request, _("Saved."))
                return redirect("service:sla_settings")
            if kind == "holiday_delete":
                Holiday.objects.filter(pk=as_id(request.POST.get("holiday"))).delete()
                return redirect("service:sla_settings")
        except ValidationError as exc:
            form = {"target": target_form, "calendar": calendar_form}.get(kind, holiday_form)
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    targets = sla.sla_targets()
    rows = [
        {
            "category": label,
            "cells": [targets[(value, p)] for p, _label in Priority.choices],
        }
        for value, label in Category.choices
    ]
    return render(
        request,
        "service/sla_settings.html",
        {
            "rows": rows,
            "priorities": Priority.choices,
            "target_form": target_form,
            "calendar_form": calendar_form,
            "holiday_form": holiday_form,
            "holidays": Holiday.objects.filter(date__year__gte=timezone.localdate().year - 1).order_by(
                "date"
            ),
            "calendar": calendar,
            "title": _("SLA settings"),
        },
    )


@role_required(MANAGER)
def teams(request):
    team = None
    if as_id(request.GET.get("team")):
        team = ServiceTeam.objects.filter(pk=as_id(request.GET.get("team"))).first()
    engineer = None
    if as_id(request.GET.get("engineer")):
        engineer = Engineer.objects.filter(pk=as_id(request.GET.get("engineer"))).first()
    kind = request.POST.get("form")
    team_form = TeamForm(request.POST if kind == "team" else None, instance=team)
    engineer_form = EngineerForm(request.POST if kind == "engineer" else None, instance=engineer)
    if request.method == "POST":
        form = team_form if kind == "team" else engineer_form
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("service:teams")
    return render(
        request,
        "service/teams.html",
        {
            "teams": selectors.teams_by_name(
                ServiceTeam.objects.prefetch_related("regions").select_related("manager")
            ),
            "engineers": selectors.engineers_by_name(),
            "team_form": team_form,
            "engineer_form": engineer_form,
            "category_labels": dict(Category.choices),
            "title": _("Service teams"),
        },
    )


# --- the public form --------------------------------------------------------------------------


def support(request):
    """The public support form (no login): an order number and the e-mail or phone of its
    customer open a ticket. A filled honeypot is answered as a success and dropped; more than
    SERVICE_FORM_LIMIT submissions an hour from one address are refused (429)."""
    form = PublicTicketForm(request.POST or None)
    context = {"form": form, "title": _("Customer support")}
    if request.method == "POST":
        count = counters.hit(f"service-support-form:{client_ip(request) or 'unknown'}", 3600)
        if count > getattr(settings, "SERVICE_FORM_LIMIT", PUBLIC_FORM_LIMIT):
            return render(request, "service/support.html", {**context, "limited": True}, status=429)
        if form.data.get("website"):
            return render(request, "service/support.html", {**context, "thanks": True})
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                ticket = services.ticket_open_public(**data)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return render(
                    request, "service/support.html", {**context, "thanks": True, "number": ticket.number}
                )
    return render(request, "service/support.html", context)
