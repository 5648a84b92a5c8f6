"""Payables pages. Finance writes; managers read everything and accept mismatches; purchasing
reads bills. Services and selectors in ``finance.payables`` do the work."""

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

from core.export import export_response
from core.idempotency import one_time_form
from core.permissions import role_required
from core.roles import FINANCE, MANAGER, PURCHASING, has_role
from core.sql import as_id
from core.templatetags.tandem import money
from finance.payables import bills as services
from finance.payables import documents, payments, selectors
from finance.payables.forms import (
    SERVICE_LINES,
    AcceptMismatchForm,
    BillFilterForm,
    BillForm,
    SupplierCreditNoteForm,
    SupplierPaymentForm,
)
from finance.payables.models import Bill
from finance.views import (
    AGING_PAGE_SIZE,
    CSV_LIMIT,
    PAGE_SIZE,
    CancelForm,
    _add_errors,
    _as_of,
    _period,
    aging_labels,
)
from scm.purchasing.models import Supplier
from scm.purchasing.pickers import supplier_picker

BILL_READ = (FINANCE, MANAGER, PURCHASING)
READ = (FINANCE, MANAGER)
WRITE = (FINANCE,)
ACCEPT = (MANAGER,)


def _suppliers():
    return Supplier.objects.only("pk", "code", "name").order_by("search_pinyin", "pk")


# --- bills ----------------------------------------------------------------------------------


@role_required(*BILL_READ)
def bill_list(request):
    form = BillFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.bills_for(
        state=filters.get("state") or "",
        supplier_id=filters.get("supplier"),
        overdue=bool(filters.get("overdue")),
        due_soon=bool(filters.get("due")),
        to_pay=bool(filters.get("to_pay")),
        q=filters.get("q") or "",
    )
    if request.GET.get("format") == "csv":
        return _bills_csv(qs)
    ordering = request.GET.get("ordering") or ""
    if ordering.lstrip("-") in {"number", "issue_date", "due_date", "total"}:
        qs = qs.order_by(ordering, "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    supplier = _suppliers().filter(pk=filters["supplier"]).first() if filters.get("supplier") else None
    return render(
        request,
        "finance/payables/bill_list.html",
        {
            "title": _("Bills"),
            "form": form,
            "page_obj": page,
            "totals": selectors.bill_totals(qs),
            "filter_supplier": supplier,
            "supplier_picker": supplier_picker(
                include_inactive=True, queryset=_suppliers(), placeholder=_("All suppliers")
            ).knowing(supplier),
            "today": timezone.localdate(),
            "can_write": has_role(request.user, WRITE),
            "states": Bill.State.choices,
        },
    )


def _bills_csv(qs):
    headers = [
        _("Number"),
        _("Supplier code"),
        _("Supplier"),
        _("Supplier's invoice number"),
        _("Purchase order"),
        _("Issue date"),
        _("Due date"),
        _("State"),
        _("Total"),
        _("Paid"),
        _("Credited"),
        pgettext("open amount", "Open"),
    ]
    rows = (
        [
            b.number,
            b.supplier.code,
            b.supplier.name,
            b.supplier_invoice_number,
            b.purchase_order.number if b.purchase_order_id else "",
            b.issue_date,
            b.due_date,
            b.get_state_display(),
            b.total,
            b.paid_amount,
            b.credited_amount,
            b.open_amount,
        ]
        for b in qs[:CSV_LIMIT]
    )
    return export_response(filename="bills", headers=headers, rows=rows, fmt="csv")


def _bill_or_404(pk) -> Bill:
    try:
        return selectors.bill_detail(pk=pk)
    except Bill.DoesNotExist:
        raise Http404


def _timeline(bill) -> list[dict]:
    entries = [{"time": bill.created_at, "who": bill.created_by, "text": _("entered the bill")}]
    if bill.mismatch_accepted_at:
        entries.append(
            {
                "time": bill.mismatch_accepted_at,
                "who": bill.mismatch_accepted_by,
                "text": _("accepted the mismatch: %(note)s") % {"note": bill.mismatch_note},
            }
        )
    for alloc in bill.allocations.all():
        entries.append(
            {
                "time": alloc.created_at,
                "who": None,
                "text": _("Payment %(number)s paid %(amount)s")
                % {"number": alloc.payment.number, "amount": money(alloc.amount, bill.currency)},
            }
        )
    for note in bill.credit_notes.all():
        entries.append(
            {
                "time": note.created_at,
                "who": None,
                "text": _("Credit note %(number)s for %(amount)s: %(reason)s")
                % {"number": note.number, "amount": money(note.total, bill.currency), "reason": note.reason},
            }
        )
    if bill.cancelled_at:
        entries.append(
            {
                "time": bill.cancelled_at,
                "who": None,
                "text": _("Cancelled: %(reason)s") % {"reason": bill.cancel_reason},
            }
        )
    entries.sort(key=lambda e: e["time"])
    return entries


@role_required(*BILL_READ)
def bill_detail(request, pk):
    return _render_detail(request, _bill_or_404(pk))


def _render_detail(request, bill, *, cancel_form=None, accept_form=None, credit_form=None, status=200):
    return render(
        request,
        "finance/payables/bill_detail.html",
        {
            "title": bill.number,
            "bill": bill,
            "timeline": _timeline(bill),
            "today": timezone.localdate(),
            "can_write": has_role(request.user, WRITE),
            "can_accept": has_role(request.user, ACCEPT),
            "cancel_form": cancel_form or CancelForm(),
            "accept_form": accept_form or AcceptMismatchForm(),
            "credit_form": credit_form or SupplierCreditNoteForm(),
        },
        status=status,
    )


@role_required(*ACCEPT)
@require_POST
def bill_accept_mismatch(request, pk):
    bill = _bill_or_404(pk)
    form = AcceptMismatchForm(request.POST)
    if form.is_valid():
        try:
            services.bill_accept_mismatch(bill=bill, note=form.cleaned_data["note"], user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc, fallback="note")
        else:
            messages.success(request, _("Bill %(number)s approved for payment.") % {"number": bill.number})
            return redirect("finance:bill_detail", pk=bill.pk)
    return _render_detail(request, _bill_or_404(pk), accept_form=form, status=400)


@role_required(*WRITE)
@require_POST
def bill_cancel(request, pk):
    bill = _bill_or_404(pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.bill_cancel(bill=bill, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc, fallback="reason")
        else:
            messages.success(request, _("Bill %(number)s cancelled.") % {"number": bill.number})
            return redirect("finance:bill_detail", pk=bill.pk)
    return _render_detail(request, _bill_or_404(pk), cancel_form=form, status=400)


@role_required(*WRITE)
@require_POST
def bill_credit_note(request, pk):
    bill = _bill_or_404(pk)
    form = SupplierCreditNoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            note = services.supplier_credit_note_create(
                supplier=bill.supplier,
                bill=bill,
                amount=data["amount"],
                reason=data["reason"],
                supplier_reference=data["supplier_reference"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc, fallback="amount")
        else:
            messages.success(request, _("Credit note %(number)s recorded.") % {"number": note.number})
            return redirect("finance:bill_detail", pk=bill.pk)
    return _render_detail(request, _bill_or_404(pk), credit_form=form, status=400)


def _billable_lines(supplier_id):
    supplier_id = as_id(supplier_id)
    return [] if supplier_id is None else selectors.billable_order_lines(supplier_id=supplier_id)


@role_required(*WRITE)
@one_time_form
def bill_create(request):
    data = request.POST if request.method == "POST" else None
    initial = {"supplier": as_id(request.GET.get("supplier"))} if request.GET.get("supplier") else None
    form = BillForm(data, suppliers=_suppliers(), initial=initial)
    order_lines = _billable_lines((data or {}).get("supplier") or request.GET.get("supplier"))
    for line in order_lines:
        line.posted_qty = (data or {}).get(f"qty_{line.pk}", "")
        line.posted_price = (data or {}).get(f"price_{line.pk}", "")
    status, line_errors = 200, []
    if request.method == "POST":
        if form.is_valid():
            v = form.cleaned_data
            try:
                bill = services.bill_create(
                    supplier=v["supplier"],
                    supplier_invoice_number=v["supplier_invoice_number"],
                    lines=form.lines(request.POST, order_lines),
                    issue_date=v["issue_date"],
                    notes=v["notes"],
                    user=request.user,
                )
            except ValidationError as exc:
                errors = exc.message_dict
                for key in ("lines", "quantity", "unit_price", "tax_rate", "purchase_order"):
                    line_errors += errors.pop(key, [])
                if errors:
                    _add_errors(form, ValidationError(errors))
            else:
                if bill.state == Bill.State.ON_HOLD:
                    messages.warning(
                        request,
                        _("Bill %(number)s does not match the order: on hold until a manager accepts it.")
                        % {"number": bill.number},
                    )
                else:
                    messages.success(request, _("Bill %(number)s entered.") % {"number": bill.number})
                return redirect("finance:bill_detail", pk=bill.pk)
        status = 400
    return render(
        request,
        "finance/payables/bill_form.html",
        {
            "title": _("Enter a bill"),
            "form": form,
            "order_lines": order_lines,
            "line_errors": line_errors,
            "service_rows": [
                {
                    "n": n,
                    "desc": (data or {}).get(f"desc_{n}", ""),
                    "amount": (data or {}).get(f"amount_{n}", ""),
                    "tax": (data or {}).get(f"tax_{n}", "0.13"),
                }
                for n in range(SERVICE_LINES)
            ],
        },
        status=status,
    )


@role_required(*WRITE)
def bill_billable_lines(request):
    """htmx: the chosen supplier's order lines received and not yet billed."""
    return render(
        request,
        "finance/payables/_billable_lines.html",
        {"order_lines": _billable_lines(request.GET.get("supplier"))},
    )


# --- supplier payments ----------------------------------------------------------------------


@role_required(*READ)
def supplier_payment_list(request):
    supplier_id = as_id(request.GET.get("supplier"))
    qs = selectors.supplier_payments_for(supplier_id=supplier_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/payables/payment_list.html",
        {"title": _("Supplier payments"), "page_obj": page, "can_write": has_role(request.user, WRITE)},
    )


def _payable_bills(supplier_id):
    supplier_id = as_id(supplier_id)
    return [] if supplier_id is None else list(selectors.payable_bills(supplier_id=supplier_id))


@role_required(*WRITE)
@one_time_form
def supplier_payment_create(request):
    data = request.POST if request.method == "POST" else None
    initial = {"supplier": as_id(request.GET.get("supplier"))} if request.GET.get("supplier") else None
    form = SupplierPaymentForm(data, suppliers=_suppliers(), initial=initial)
    bills = _payable_bills((data or {}).get("supplier") or request.GET.get("supplier"))
    for bill in bills:
        bill.posted_amount = (data or {}).get(f"alloc_{bill.pk}", "")
    status, allocation_errors = 200, []
    if request.method == "POST":
        if form.is_valid():
            v = form.cleaned_data
            try:
                payment = payments.supplier_payment_record(
                    supplier=v["supplier"],
                    amount=v["amount"],
                    allocations=form.allocations(request.POST, bills),
                    paid_at=v["paid_at"],
                    method=v["method"],
                    reference=v["reference"],
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
                    _("Payment %(number)s of %(amount)s recorded.")
                    % {"number": payment.number, "amount": money(payment.amount)},
                )
                return redirect(reverse("finance:bill_list") + f"?supplier={payment.supplier_id}")
        status = 400
    return render(
        request,
        "finance/payables/payment_form.html",
        {"title": _("Pay a supplier"), "form": form, "bills": bills, "allocation_errors": allocation_errors},
        status=status,
    )


@role_required(*WRITE)
def supplier_payment_bills(request):
    """htmx: the chosen supplier's bills that may be paid."""
    return render(
        request,
        "finance/payables/_payable_bills.html",
        {"bills": _payable_bills(request.GET.get("supplier"))},
    )


# --- reports --------------------------------------------------------------------------------


@role_required(*READ)
def ap_aging(request):
    report = selectors.ap_aging(as_of=_as_of(request))
    page = Paginator(report["suppliers"], AGING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/payables/aging.html",
        {"title": _("Payables aging"), "report": report, "page_obj": page, "labels": aging_labels()},
    )


@role_required(*READ)
def supplier_statement(request, supplier_id):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    date_from, date_to = _period(request)
    statement = selectors.supplier_statement(supplier.pk, date_from, date_to)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            documents.supplier_statement_pdf(supplier, statement), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="statement-{supplier.code}.pdf"'
        return response
    return render(
        request,
        "finance/payables/statement.html",
        {
            "title": _("Supplier statement · %(supplier)s") % {"supplier": supplier.name},
            "supplier": supplier,
            "statement": statement,
            "balance": selectors.supplier_balance(supplier_id=supplier.pk),
            "date_from": date_from,
            "date_to": date_to,
        },
    )


@role_required(*READ)
def supplier_net(request, supplier_id):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    return render(
        request,
        "finance/payables/net.html",
        {
            "title": _("Receivables, payables, net · %(name)s") % {"name": supplier.name},
            "position": selectors.party_position(supplier),
        },
    )
