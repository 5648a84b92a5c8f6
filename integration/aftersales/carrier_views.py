"""The carrier figures page: shipments, damage complaints and rate, on-time rate per carrier for
a period; carriers above the damage threshold are flagged."""

from datetime import timedelta

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.forms import DocumentDateField
from core.permissions import role_required
from core.roles import MANAGER, PURCHASING, SERVICE, WAREHOUSE, has_role
from core.sql import as_id
from integration.aftersales import carriers
from integration.aftersales.models import QualitySettings

READERS = (WAREHOUSE, PURCHASING, SERVICE, MANAGER)


class PeriodForm(forms.Form):
    date_from = DocumentDateField(label=pgettext_lazy("date range", "From"), required=False)
    date_to = DocumentDateField(label=pgettext_lazy("date range", "To"), required=False)


def period(params):
    """The period from the query string (``from``/``to``; bad dates reported and replaced by the
    default: the last twelve months)."""
    today = timezone.localdate()
    data = {
        "date_from": params.get("from") or (today - timedelta(days=365)).isoformat(),
        "date_to": params.get("to") or today.isoformat(),
    }
    form = PeriodForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    date_from = cleaned.get("date_from") or today - timedelta(days=365)
    date_to = cleaned.get("date_to") or today
    return form, date_from, date_to


@role_required(*READERS)
def carrier_figures(request):
    form, date_from, date_to = period(request.GET)
    rows = carriers.carrier_figures(date_from=date_from, date_to=date_to)
    # ?carrier=<id>: the damage complaints behind that carrier's count, below the figures.
    chosen = next((r for r in rows if r.carrier_id == as_id(request.GET.get("carrier"))), None)
    damage = None
    if chosen is not None:
        damage = Paginator(
            carriers.damage_tickets(carrier_id=chosen.carrier_id, date_from=date_from, date_to=date_to), 25
        ).get_page(request.GET.get("page"))
    ticket_view = resolve(reverse("service:ticket_detail", args=[1])).func
    return render(
        request,
        "aftersales/carrier_figures.html",
        {
            "title": _("Carrier figures"),
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "rows": rows,
            "chosen": chosen,
            "damage": damage,
            "link_tickets": has_role(request.user, getattr(ticket_view, "allowed_roles", ())),
            "threshold": QualitySettings.current().carrier_damage_rate,
        },
    )
