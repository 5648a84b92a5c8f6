"""Pages of the selling loop: the purchase cycles list (what customers are due to buy, with the
follow-up tasks made for them), the cross-sell suggestions partial of the order and quote forms,
and a quote made from a suggestion in one click."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.idempotency import one_time_form
from core.permissions import role_required
from core.redirects import redirect_next
from core.roles import has_role, is_manager
from core.sql import as_id
from crm.customers.selectors import customers_visible_to
from crm.sales.orders.selectors import QUOTE_WRITE_ROLES
from integration.insights import crosssell, selling_selectors
from integration.insights.models import PurchaseCycle
from integration.insights.reminders import lead_days
from integration.insights.selling_selectors import SELLING_ROLES, SHOW_ALL, SHOW_DUE
from integration.insights.selling_services import suggestion_quote_create

PAGE_SIZE = 25
FORM_SUGGESTIONS = 5


@role_required(*SELLING_ROLES)
def cycle_list(request):
    """Purchase cycles of the customers the user may see: due soon (default) or all."""
    show = request.GET.get("show", SHOW_DUE)
    show = show if show in (SHOW_DUE, SHOW_ALL) else SHOW_DUE
    kind = request.GET.get("kind", "")
    owner = request.GET.get("owner", "")
    search = request.GET.get("q", "").strip()[:100]
    qs = selling_selectors.cycle_list(user=request.user, show=show, kind=kind, owner=owner, q=search)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/selling/cycle_list.html",
        {
            "title": _("Purchase cycles"),
            "page_obj": page,
            "show": show,
            "kind": kind if kind in PurchaseCycle.Kind.values else "",
            "kinds": PurchaseCycle.Kind.choices,
            "owner": owner if owner == "me" or as_id(owner) is not None else "",
            "search": search,
            "lead_days": lead_days(),
            "is_manager": is_manager(request.user),
        },
    )


@role_required(*SELLING_ROLES)
def form_suggestions(request):
    """The order and quote forms' cross-sell panel (htmx, ``crm.sales.orders.form_panels``):
    suggestions for the chosen customer, leaving out the products already on the form."""
    customer_id = as_id(request.GET.get("customer"))
    customer = (
        customers_visible_to(request.user).filter(pk=customer_id, is_active=True).first()
        if customer_id is not None
        else None
    )
    on_form = {
        as_id(value)
        for name, value in request.GET.items()
        if name.startswith("lines-") and name.endswith("-product")
    } - {None}
    suggestions = (
        crosssell.suggestions_for(
            customer=customer, user=request.user, limit=FORM_SUGGESTIONS, exclude=on_form
        )
        if customer is not None
        else []
    )
    return render(
        request,
        "insights/selling/form_suggestions.html",
        {
            "customer": customer,
            "suggestions": suggestions,
            "kind": "quote" if request.GET.get("kind") == "quote" else "order",
            "can_quote": has_role(request.user, QUOTE_WRITE_ROLES),
        },
    )


@role_required(*QUOTE_WRITE_ROLES)
@require_POST
@one_time_form
def quote_from_suggestion(request, pk):
    """A draft quote for the customer with the suggested product (one line), then its edit page;
    a refused line goes back where the button was, with the reason."""
    customer = get_object_or_404(customers_visible_to(request.user), pk=pk)
    try:
        quote = suggestion_quote_create(
            customer=customer,
            product_id=as_id(request.POST.get("product")),
            quantity=request.POST.get("quantity", ""),
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect_next(request, "customers:detail", pk=customer.pk)
    messages.success(
        request, _("Quote %(number)s created: check the line and send it.") % {"number": quote.number}
    )
    return redirect("sales:orders:quote_edit", pk=quote.pk)
