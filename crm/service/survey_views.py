"""Pages of the satisfaction surveys: the list of surveys and answers with the NPS on top (service
and managers), and the public answer page at the signed link (no login)."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.forms import DocumentDateField
from core.permissions import role_required
from core.roles import MANAGER, SALES, SERVICE, has_role
from crm.sales.orders.selectors import ORDER_READ_ROLES
from crm.service import nps as nps_selectors
from crm.service import surveys
from crm.service.models import Survey

READERS = (SERVICE, SALES, MANAGER)


class SurveyFilter(forms.Form):
    date_from = DocumentDateField(label=pgettext_lazy("date range", "From"), required=False)
    date_to = DocumentDateField(label=pgettext_lazy("date range", "To"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All")), *Survey.Kind.choices]
    )
    score = forms.ChoiceField(
        label=gettext_lazy("Score"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("promoters", gettext_lazy("Promoters (9–10)")),
            ("passives", gettext_lazy("Passives (7–8)")),
            ("detractors", gettext_lazy("Detractors (0–6)")),
            ("unanswered", gettext_lazy("Not answered")),
        ],
    )


def survey_filters(params) -> tuple[SurveyFilter, dict]:
    """The list's filters from the query string (bad values are reported and left out); the
    period defaults to the last twelve months."""
    today = timezone.localdate()
    data = params.copy()
    data.setdefault("date_from", (today - timedelta(days=365)).isoformat())
    data.setdefault("date_to", today.isoformat())
    form = SurveyFilter(data)
    form.is_valid()
    for name in ("kind", "score"):
        form.fields[name].widget.attrs["class"] = "form-select"
    cleaned = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    return form, {
        "date_from": cleaned.get("date_from"),
        "date_to": cleaned.get("date_to"),
        "kind": cleaned.get("kind") or "",
        "score": cleaned.get("score") or "",
    }


@role_required(*READERS)
def survey_list(request):
    form, filters = survey_filters(request.GET)
    figures = nps_selectors.nps(
        date_from=filters["date_from"], date_to=filters["date_to"], kind=filters["kind"], user=request.user
    )
    page = Paginator(nps_selectors.surveys_visible_to(request.user, **filters), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "service/surveys.html",
        {
            "title": _("Satisfaction surveys"),
            "form": form,
            "page_obj": page,
            "nps": figures,
            "link_orders": has_role(request.user, ORDER_READ_ROLES),
        },
    )


# --- the public answer page -------------------------------------------------------------------


def survey_answer(request, token):
    """The customer's page (no login), in the company's language (zh-hans) unless the visitor
    chose another: 0–10 buttons and a comment. One answer per link; an expired or altered link
    gets a clear page, never a 500."""
    with translation.override(request.LANGUAGE_CODE or settings.LANGUAGE_CODE):
        return _survey_answer(request, token)


def _survey_answer(request, token):
    template = "service/survey_answer.html"
    try:
        survey = surveys.survey_from_token(token)
    except surveys.SurveyInvalid:
        return render(request, template, {"invalid": True, "title": _("Survey")}, status=404)
    context = {"survey": survey, "title": _("Survey"), "scores": range(11)}
    if survey.answered_at is not None:
        return render(request, template, {**context, "answered": True})
    if survey.expires_at <= timezone.now():
        return render(request, template, {**context, "expired": True}, status=410)
    if request.method == "POST":
        try:
            survey = surveys.survey_answer(
                survey=survey, score=request.POST.get("score", ""), comment=request.POST.get("comment", "")
            )
        except surveys.SurveyAnswered:
            return render(request, template, {**context, "answered": True})
        except surveys.SurveyExpired:
            return render(request, template, {**context, "expired": True}, status=410)
        except ValidationError as exc:
            context["errors"] = exc.message_dict
            context["comment"] = request.POST.get("comment", "")[: surveys.MAX_COMMENT]
            return render(request, template, context, status=400)
        return render(request, template, {**context, "survey": survey, "thanks": True})
    return render(request, template, context)
