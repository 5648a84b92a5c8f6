"""Receivables pages. Finance writes; managers read everything; sales reps read the invoices and
balances of the customers they own or their team's (``finance.selectors`` applies the rule)."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from core.dates import optional_date_input
from core.export import export_response
from core.idempotency import one_time_form
from core.permissions import role_required
from core.roles import FINANCE, MANAGER, SALES, has_role
from core.sql import as_id, id_input
from core.templatetags.tandem import money
from crm.customers.pickers import customer_picker
from finance import documents, payments, selectors, services
from finance.forms import CancelForm, CreditNoteForm, InvoiceFilterForm, PaymentForm
from finance.models import Invoice
from finance.payables.selectors import ar_ap_summary

READ = (FINANCE, MANAGER, SALES)
WRITE = (FINANCE,)
PAGE_SIZE = 25
# Aging reports list a page of parties; the totals are over all of them.
AGING_PAGE_SIZE = 50
CSV_LIMIT = 10000


def _can_write(user) -> bool:
    return has_role(user, WRITE)


def _add_errors(form, exc: ValidationError, fallback: str | None = None) -> None:
    """Show a service's ValidationError next to the field it names."""
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else fallback
        for error in errors:
            form.add_error(target, error)


def _customer_or_404(user, pk):
    return get_object_or_404(selectors.visible_customers(user), pk=pk)


# --- invoices -------------------------------------------------------------------------------


@role_required(*READ)
def invoice_list(request):
    form = InvoiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.invoices_for(
        request.user,
        state=filters.get("state") or "",
        customer_id=filters.get("customer"),
        overdue=bool(filters.get("overdue")),
        q=filters.get("q") or "",
    )
    if request.GET.get("format") == "csv":
        return _invoices_csv(qs)
    ordering = request.GET.get("ordering") or ""
    if ordering.lstrip("-") in {"number", "issue_date", "due_date", "total"}:
        qs = qs.order_by(ordering, "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = selectors.visible_customers(request.user)
    customer = visible.filter(pk=filters["customer"]).first() if filters.get("customer") else None
    return render(
        request,
        "finance/invoice_list.html",
        {
            "title": _("Invoices"),
            "form": form,
            "page_obj": page,
            "totals": selectors.invoice_totals(qs),
            "filter_customer": customer,
            "customer_picker": customer_picker(
                include_inactive=True, queryset=visible, placeholder=_("All customers")
            ).knowing(customer),
            "today": timezone.localdate(),
            "can_write": _can_write(request.user),
            "states": Invoice.State.choices,
            # Receivables, payables and net, for those who read both (finance, managers).
            "ar_ap": ar_ap_summary() if has_role(request.user, (FINANCE, MANAGER)) else None,
        },
    )


def _invoices_csv(qs):
    headers = [
        _("Number"),
        _("Customer code"),
        _("Customer"),
        _("Issue date"),
        _("Due date"),
        _("State"),
        _("Total"),
        _("Paid"),
        _("Credited"),
        pgettext("open amount", "Open"),
        _("Reference"),
    ]
    rows = (
        [
            inv.number,
            inv.customer.code,
            inv.customer.name,
            inv.issue_date,
            inv.due_date,
            inv.get_state_display(),
            inv.total,
            inv.paid_amount,
            inv.credited_amount,
            inv.open_amount,
            inv.source_reference,
        ]
        for inv in qs[:CSV_LIMIT]
    )
    return export_response(filename="invoices", headers=headers, rows=rows, fmt="csv")


def _invoice_or_404(request, pk) -> Invoice:
    try:
        return selectors.invoice_detail(user=request.user, pk=pk)
    except Invoice.DoesNotExist:
        raise Http404


def _timeline(invoice) -> list[dict]:
    entries = [
        {"time": invoice.created_at, "who": invoice.created_by, "text": _("raised the invoice")},
    ]
    for alloc in invoice.allocations.all():
        entries.append(
            {
                "time": alloc.created_at,
                "who": None,
                "text": _("Payment %(number)s applied %(amount)s")
                % {"number": alloc.payment.number, "amount": money(alloc.amount, invoice.currency)},
            }
        )
    for note in invoice.credit_notes.all():
        entries.append(
            {
                "time": note.created_at,
                "who": None,
                "text": _("Credit note %(number)s for %(amount)s: %(reason)s")
                % {
                    "number": note.number,
                    "amount": money(note.total, invoice.currency),
                    "reason": note.reason,
                },
            }
        )
    if invoice.cancelled_at:
        entries.append(
            {
                "time": invoice.cancelled_at,
                "who": None,
                "text": _("Cancelled: %(reason)s") % {"reason": invoice.cancel_reason},
            }
        )
    entries.sort(key=lambda e: e["time"])
    return entries


@role_required(*READ)
def invoice_detail(request, pk):
    invoice = _invoice_or_404(request, pk)
    return _render_detail(request, invoice)


def _render_detail(request, invoice, *, credit_form=None, cancel_form=None, status=200):
    return render(
        request,
        "finance/invoice_detail.html",
        {
            "title": invoice.number,
            "invoice": invoice,
            "timeline": _timeline(invoice),
            "today": timezone.localdate(),
            "can_write": _can_write(request.user),
            "credit_form": credit_form or CreditNoteForm(),
            "cancel_form": cancel_form or CancelForm(),
        },
        status=status,
    )


@role_required(*READ)
def invoice_pdf(request, pk):
    invoice = _invoice_or_404(request, pk)
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@role_required(*WRITE)
@require_POST
def invoice_cancel(request, pk):
    invoice = _invoice_or_404(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_cancel(invoice=invoice, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc, fallback="reason")
        else:
            messages.success(request, _("Invoice %(number)s cancelled.") % {"number": invoice.number})
            return redirect("finance:invoice_detail", pk=invoice.pk)
    return _render_detail(request, _invoice_or_404(request, pk), cancel_form=form, status=400)


@role_required(*WRITE)
@require_POST
def credit_note_create(request, pk):
    invoice = _invoice_or_404(request, pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            note = services.credit_note_create(
                invoice=invoice,
                lines=[
                    {
                        "description": data["description"],
                        "quantity": 1,
                        "unit_price": data["amount"],
                        "tax_rate": data["tax_rate"],
                    }
                ],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc, fallback="amount")
        else:
            messages.success(request, _("Credit note %(number)s created.") % {"number": note.number})
            return redirect("finance:invoice_detail", pk=invoice.pk)
    return _render_detail(request, _invoice_or_404(request, pk), credit_form=form, status=400)


# --- payments -------------------------------------------------------------------------------


@role_required(*READ)
def payment_list(request):
    customer_id = id_input(request.GET.get("customer"), field="customer", required=False)
    qs = selectors.payments_for(request.user, customer_id=customer_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/payment_list.html",
        {"title": _("Payments"), "page_obj": page, "can_write": _can_write(request.user)},
    )


def _open_invoices_for(user, customer_id):
    customer_id = as_id(customer_id)
    if customer_id is None:
        return []
    if not selectors.visible_customers(user).filter(pk=customer_id).exists():
        return []
    return list(selectors.open_invoices(customer_id=customer_id))


@role_required(*WRITE)
@one_time_form
def payment_create(request):
    customers = selectors.visible_customers(request.user).only("pk", "code", "name")
    data = request.POST if request.method == "POST" else None
    initial = {"customer": as_id(request.GET.get("customer"))} if request.GET.get("customer") else None
    form = PaymentForm(data, customers=customers, initial=initial)
    customer_id = (data or {}).get("customer") or request.GET.get("customer")
    invoices = _open_invoices_for(request.user, customer_id)
    for inv in invoices:
        inv.posted_amount = (data or {}).get(f"alloc_{inv.pk}", "")
    status = 200
    allocation_errors = []
    if request.method == "POST":
        if form.is_valid():
            data_ = form.cleaned_data
            try:
                payment = payments.payment_record(
                    customer=data_["customer"],
                    amount=data_["amount"],
                    allocations=form.allocations(request.POST, invoices),
                    paid_at=data_["paid_at"],
                    method=data_["method"],
                    reference=data_["reference"],
                    user=request.user,
                )
            except ValidationError as exc:
                errors = exc.message_dict
                allocation_errors = errors.pop("allocations", [])
                if errors:
                    _add_errors(form, ValidationError(errors))
            else:
                messages.success(
                    request,
                    _("Payment %(number)s recorded: %(allocated)s applied, %(credit)s kept as credit.")
                    % {
                        "number": payment.number,
                        "allocated": money(payment.allocated_amount),
                        "credit": money(payment.unallocated_amount),
                    },
                )
                return redirect(reverse("finance:invoice_list") + f"?customer={payment.customer_id}")
        status = 400
    return render(
        request,
        "finance/payment_form.html",
        {
            "title": _("Record a payment"),
            "form": form,
            "invoices": invoices,
            "allocation_errors": allocation_errors,
        },
        status=status,
    )


@role_required(*WRITE)
def payment_open_invoices(request):
    """htmx: the open invoices of the customer just picked, with an allocation field each."""
    invoices = _open_invoices_for(request.user, request.GET.get("customer"))
    return render(request, "finance/_open_invoices.html", {"invoices": invoices})


# --- reports --------------------------------------------------------------------------------


def _as_of(request) -> date:
    return optional_date_input(request.GET.get("as_of"), field="as_of") or timezone.localdate()


@role_required(*READ)
def aging_report(request):
    report = selectors.aging(as_of=_as_of(request), user=request.user)
    page = Paginator(report["customers"], AGING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/aging.html",
        {"title": _("Receivables aging"), "report": report, "page_obj": page, "labels": aging_labels()},
    )


def aging_labels() -> dict:
    return {
        "current": _("Current"),
        "d1_30": _("1–30 days"),
        "d31_60": _("31–60 days"),
        "d61_90": _("61–90 days"),
        "over_90": _("> 90 days"),
        "total": _("Total"),
    }


def _period(request):
    today = timezone.localdate()
    date_to = optional_date_input(request.GET.get("date_to"), field="date_to") or today
    date_from = optional_date_input(request.GET.get("date_from"), field="date_from") or (
        date_to - timedelta(days=180)
    ).replace(day=1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return date_from, date_to


@role_required(*READ)
def customer_statement(request, customer_id):
    customer = _customer_or_404(request.user, customer_id)
    date_from, date_to = _period(request)
    statement = selectors.customer_statement(customer.pk, date_from, date_to)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(documents.statement_pdf(customer, statement), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="statement-{customer.code}.pdf"'
        return response
    return render(
        request,
        "finance/statement.html",
        {
            "title": _("Statement · %(customer)s") % {"customer": customer.name},
            "customer": customer,
            "statement": statement,
            "balance": selectors.customer_balance(customer_id=customer.pk),
            "date_from": date_from,
            "date_to": date_to,
        },
    )
