"""Pages for quotes: list, form, detail and the quote's actions (send, accept into an order,
cancel, PDF). The shared line form and helpers are the order pages' (``views``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.idempotency import one_time_form
from core.permissions import role_required
from core.roles import has_role
from core.sql import as_id
from crm.sales.models import Quote
from crm.sales.orders import ownership, quote_services
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders.forms import QuoteHeaderForm
from crm.sales.orders.quote_pdf import quote_pdf
from crm.sales.orders.selectors import QUOTE_READ_ROLES, QUOTE_WRITE_ROLES
from crm.sales.orders.views import _lines_form_page, _page, _pdf_response


@role_required(*QUOTE_READ_ROLES)
def quote_list(request):
    search = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    if state not in Quote.State.values:
        state = ""
    # The home page's "see all": mine (``owner=me``), expiring in the next ``expiring`` days.
    owner_id = request.user.pk if request.GET.get("owner") == "me" else None
    expiring = min(as_id(request.GET.get("expiring")) or 0, 366)
    qs = order_selectors.quote_list(
        user=request.user,
        search=search,
        state=state,
        ordering=request.GET.get("ordering", ""),
        owner_id=owner_id,
        expiring_days=expiring,
    )
    return render(
        request,
        "sales/quotes/list.html",
        {
            "title": _("Quotes"),
            "page_obj": _page(request, qs),
            "search": search,
            "state": state,
            "states": Quote.State.choices,
            "mine": bool(owner_id),
            "expiring": expiring,
            "can_create": has_role(request.user, QUOTE_WRITE_ROLES),
        },
    )


def _quote_form_page(request, *, quote=None):
    def save(data, lines):
        if quote is None:
            created = quote_services.quote_create(
                customer=data["customer"],
                owner=request.user,
                lines=lines,
                valid_until=data["valid_until"],
                notes=data["notes"],
            )
            return created, _("Quote %(number)s created.") % {"number": created.number}
        quote_services.quote_update(
            quote=quote,
            user=request.user,
            customer=data["customer"],
            lines=lines,
            valid_until=data["valid_until"],
            notes=data["notes"],
        )
        return quote, _("Quote %(number)s saved.") % {"number": quote.number}

    header_initial = {}
    if quote is not None:
        header_initial = {
            "customer": quote.customer_id,
            "valid_until": quote.valid_until,
            "notes": quote.notes,
        }
    return _lines_form_page(
        request,
        kind="quote",
        record=quote,
        header_form=QuoteHeaderForm,
        header_initial=header_initial,
        save=save,
        detail="sales:orders:quote_detail",
        title=_("Edit quote %(number)s") % {"number": quote.number} if quote else _("New quote"),
    )


@role_required(*QUOTE_WRITE_ROLES)
@one_time_form
def quote_create(request):
    return _quote_form_page(request)


@role_required(*QUOTE_WRITE_ROLES)
def quote_edit(request, pk):
    quote = order_selectors.quote_detail(user=request.user, quote_id=pk)
    if not order_selectors.can_change(request.user, quote):
        raise PermissionDenied
    if quote.state != Quote.State.DRAFT:
        messages.error(request, _("Only a draft quote can be changed."))
        return redirect("sales:orders:quote_detail", pk=pk)
    return _quote_form_page(request, quote=quote)


@role_required(*QUOTE_READ_ROLES)
def quote_detail(request, pk):
    quote = order_selectors.quote_detail(user=request.user, quote_id=pk)
    return render(
        request,
        "sales/quotes/detail.html",
        {
            "title": quote.number,
            "quote": quote,
            "can_change": order_selectors.can_change(request.user, quote),
            "recipient": quote_services.quote_recipient(quote),
            "history": ownership.quote_history(quote),
        },
    )


def _quote_action(request, pk, action):
    quote = order_selectors.quote_detail(user=request.user, quote_id=pk)
    if not order_selectors.can_change(request.user, quote):
        raise PermissionDenied
    try:
        return action(quote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sales:orders:quote_detail", pk=pk)


@role_required(*QUOTE_WRITE_ROLES)
@require_POST
def quote_send(request, pk):
    def send(quote):
        quote_services.quote_send(quote=quote, user=request.user)
        if quote.sent_to:
            messages.success(
                request,
                _("The quote is being e-mailed to %(email)s; it is marked sent once the e-mail has left.")
                % {"email": quote.sent_to},
            )
        else:
            messages.warning(
                request, _("Quote marked as sent. No e-mail address is on file for this customer.")
            )
        return redirect("sales:orders:quote_detail", pk=pk)

    return _quote_action(request, pk, send)


@role_required(*QUOTE_WRITE_ROLES)
@require_POST
def quote_accept(request, pk):
    def accept(quote):
        order = quote_services.quote_accept(quote=quote, user=request.user)
        messages.success(request, _("Quote accepted: order %(number)s created.") % {"number": order.number})
        return redirect("sales:orders:order_detail", pk=order.pk)

    return _quote_action(request, pk, accept)


@role_required(*QUOTE_WRITE_ROLES)
@require_POST
def quote_cancel(request, pk):
    def cancel(quote):
        quote_services.quote_cancel(quote=quote, user=request.user)
        messages.success(request, _("Quote %(number)s cancelled.") % {"number": quote.number})
        return redirect("sales:orders:quote_detail", pk=pk)

    return _quote_action(request, pk, cancel)


@role_required(*QUOTE_READ_ROLES)
def quote_pdf_view(request, pk):
    quote = order_selectors.quote_detail(user=request.user, quote_id=pk)
    return _pdf_response(quote_pdf(quote), f"{quote.number}.pdf")
