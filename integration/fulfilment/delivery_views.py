"""Pages of delivery confirmation and carriers: the driver's tablet screen (scan or type the
shipment number, confirm), the customer's signed link from the shipping e-mail (no login), and
the carriers list with transit days per region."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import role_required
from core.roles import MANAGER, PURCHASING, SERVICE, WAREHOUSE, has_role
from crm.customers.models import Region
from integration.fulfilment import carriers, delivery
from integration.fulfilment.models import Carrier, Shipment

CARRIER_READERS = (WAREHOUSE, PURCHASING, SERVICE, MANAGER)
CARRIER_WRITERS = (WAREHOUSE, MANAGER)


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@role_required(WAREHOUSE, MANAGER)
def delivery_confirm(request):
    """The driver's screen: the shipment number (scanned or typed) shows the shipment; a big
    button confirms its delivery. Built for a 1024×768 tablet held in the hand."""
    shipment, error = None, ""
    number = (request.POST.get("number") or request.GET.get("number") or "").strip()[:30]
    if number:
        try:
            shipment = delivery.shipment_by_number(number)
        except ValidationError as exc:
            error = _error_text(exc)
    if request.method == "POST" and shipment is not None and request.POST.get("confirm") == "1":
        try:
            delivery.shipment_deliver(shipment=shipment, source=Shipment.Delivery.DRIVER, user=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request, _("Shipment %(number)s delivered. Thank you.") % {"number": shipment.number}
            )
            return redirect("fulfilment:delivery-confirm")
    status = 400 if error and request.method == "POST" else 200
    return render(
        request,
        "fulfilment/delivery_confirm.html",
        {"title": _("Confirm delivery"), "shipment": shipment, "number": number, "error": error},
        status=status,
    )


def delivery_link(request, token):
    """The customer's link from the shipping e-mail: no login; shows the shipment and a button
    that confirms it arrived. Expired or altered links get a clear page, never a 500."""
    try:
        shipment = delivery.shipment_from_token(token)
    except delivery.LinkExpired:
        return render(
            request, "fulfilment/delivery_link.html", {"expired": True, "title": _("Delivery")}, status=410
        )
    except delivery.LinkInvalid:
        return render(
            request, "fulfilment/delivery_link.html", {"invalid": True, "title": _("Delivery")}, status=404
        )
    error = ""
    if request.method == "POST" and shipment.delivered_at is None:
        try:
            shipment = delivery.shipment_deliver(shipment=shipment, source=Shipment.Delivery.CUSTOMER)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            return render(
                request,
                "fulfilment/delivery_link.html",
                {"shipment": shipment, "thanks": True, "title": _("Delivery")},
            )
    return render(
        request,
        "fulfilment/delivery_link.html",
        {"shipment": shipment, "error": error, "title": _("Delivery")},
        status=400 if error else 200,
    )


# --- carriers ---------------------------------------------------------------------------------


class CarrierForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    transit_days = forms.CharField(
        label=gettext_lazy("Transit days (default)"),
        max_length=3,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


@role_required(*CARRIER_READERS)
def carrier_list(request):
    rows = list(Carrier.objects.prefetch_related("transits__region").order_by("name"))
    return render(
        request,
        "fulfilment/carriers.html",
        {
            "title": _("Carriers"),
            "carriers": rows,
            "may_edit": has_role(request.user, CARRIER_WRITERS),
        },
    )


@role_required(*CARRIER_WRITERS)
def carrier_edit(request, pk=None):
    carrier = get_object_or_404(Carrier, pk=pk) if pk else None
    regions = list(Region.objects.order_by("name"))
    current = dict(carrier.transits.values_list("region_id", "days")) if carrier else {}
    initial = (
        {"name": carrier.name, "transit_days": carrier.transit_days, "is_active": carrier.is_active}
        if carrier
        else {"transit_days": 2, "is_active": True}
    )
    form = CarrierForm(request.POST or None, initial=initial)
    region_values = {
        r.pk: (request.POST.get(f"region_{r.pk}", "") if request.method == "POST" else current.get(r.pk, ""))
        for r in regions
    }
    if request.method == "POST" and form.is_valid():
        transits = {pk: str(v).strip() for pk, v in region_values.items() if str(v).strip()}
        try:
            carrier = carriers.carrier_save(
                carrier=carrier, transits=transits, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Carrier %(name)s saved.") % {"name": carrier.name})
            return redirect("fulfilment:carriers")
    return render(
        request,
        "fulfilment/carrier_form.html",
        {
            "title": carrier.name if carrier else _("New carrier"),
            "form": form,
            "carrier": carrier,
            "regions": [(r, region_values[r.pk]) for r in regions],
        },
        status=400 if request.method == "POST" else 200,
    )
