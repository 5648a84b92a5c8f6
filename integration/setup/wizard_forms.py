"""The set-up wizard's form steps: forms rendered and saved inside the wizard's frame.

Each is ``view(request, *, frame, complete)``: ``frame`` is the wizard's context (the step bar,
this step, its URLs), to be passed on to the template, which extends ``setup/wizard.html``;
``complete()`` records the step as done and answers the redirect to the next step."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.company import company_profile, company_profile_update
from core.forms import CompanyProfileForm
from core.sql import as_id
from scm.inventory.forms import WarehouseForm
from scm.inventory.models import Warehouse
from scm.inventory.warehouses import warehouse_save

WAREHOUSES_PER_PAGE = 50


def profile(request, *, frame: dict, complete):
    """The company profile (``core.company.company_profile_update``); saved, the wizard moves on."""
    current = company_profile()
    form = CompanyProfileForm(request.POST or None, request.FILES or None, profile=current)
    if request.method == "POST" and form.is_valid():
        try:
            company_profile_update(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The company profile is saved."))
            return complete()
    return render(request, "setup/wizard_profile.html", {**frame, "form": form, "profile": current})


def warehouses(request, *, frame: dict, complete):
    """The stock warehouses, a page at a time, with a form that adds one or, given ``edit``
    (``?edit=<id>``, or ``warehouse`` in the form), changes it
    (``scm.inventory.warehouses.warehouse_save``). Saved, the step stays open for the next."""
    stock = Warehouse.objects.filter(kind=Warehouse.Kind.STOCK)
    edit_id = as_id(request.POST.get("warehouse") if request.method == "POST" else request.GET.get("edit"))
    editing = stock.filter(pk=edit_id).first() if edit_id else None
    form = WarehouseForm(request.POST or None, warehouse=editing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = warehouse_save(warehouse=editing, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            text = _("Warehouse %(code)s is saved.") if editing else _("Warehouse %(code)s is added.")
            messages.success(request, text % {"code": saved.code})
            return redirect(frame["step_url"])
    page_obj = Paginator(stock.order_by("code"), WAREHOUSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "setup/wizard_warehouses.html",
        {**frame, "form": form, "editing": editing, "page_obj": page_obj},
    )
