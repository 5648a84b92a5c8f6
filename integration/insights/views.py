"""The manager dashboard: one card per figure (``integration.insights.figures``) with its value,
the change against the previous period, its definition, a chart that drills down to the list
behind it, and an xlsx export of the figure's table. Period and team come from the query string
(``integration.insights.periods``), so a view of the dashboard is a bookmark."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.export import export_response
from core.permissions import role_required
from core.templatetags.tandem import money
from crm.customers.models import Team
from integration.insights import figures, periods

# Who reads the dashboard: who may see the figures.
READ_ROLES = figures.VIEW_ROLES

PERIOD_KINDS = (
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("year", gettext_lazy("Year")),
    ("custom", pgettext_lazy("period", "Custom")),
)
DEFAULT_KIND = "month"
# The ``at`` field's label and example for each kind of period.
AT_FIELD = {
    "month": (gettext_lazy("Month"), "2026-11"),
    "quarter": (gettext_lazy("Quarter"), "2026-Q3"),
    "year": (gettext_lazy("Year"), "2026"),
}
# The query parameters the filter form has; an error on any other goes above the form.
FILTER_FIELDS = ("period", "at", "start", "end", "team")


def _field_errors(exc: ValidationError, *, default: str) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        found = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    else:
        found = {default: " ".join(exc.messages)}
    errors: dict[str, str] = {}
    for field, message in found.items():
        key = field if field in FILTER_FIELDS else "form"
        errors[key] = f"{errors[key]} {message}" if key in errors else message
    return errors


def _filters(request):
    """The period, the one before it and the team the query asks for, or the errors naming the
    fields that are wrong: ``(current, previous, team, errors)``."""
    errors: dict[str, str] = {}
    current = previous = team = None
    try:
        current, previous = periods.period_from_params(request.GET, today=timezone.localdate())
    except ValidationError as exc:
        errors.update(_field_errors(exc, default="period"))
    try:
        team = periods.team_from_params(request.GET, user=request.user)
    except ValidationError as exc:
        errors.update(_field_errors(exc, default="team"))
    return current, previous, team, errors


def _at(kind: str, day: datetime.date) -> str:
    """The ``at`` parameter naming the month, quarter or year that holds ``day``."""
    if kind == "month":
        return f"{day:%Y-%m}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _query(*, kind: str, start: datetime.date, end: datetime.date, team) -> str:
    """The canonical query string of a period (and team): what the links and exports carry."""
    params = {"period": kind}
    if kind == "custom":
        params.update(start=start.isoformat(), end=end.isoformat())
    else:
        params["at"] = _at(kind, start)
    if team is not None:
        params["team"] = team.pk
    return urlencode(params)


def _steps(kind, current, team, today) -> tuple[str | None, str | None]:
    """Queries of the period before and the period after (none after one still running)."""
    before = current.previous()
    length = current.end - current.start
    after_start = current.end + datetime.timedelta(days=1)
    after_end = after_start + length
    prev_query = _query(kind=kind, start=before.start, end=before.end, team=team)
    next_query = None
    if after_start <= today:
        next_query = _query(kind=kind, start=after_start, end=after_end, team=team)
    return prev_query, next_query


def _number(value: Decimal, places: int) -> str:
    """``value`` rounded half up to ``places`` decimals, with thousands separators."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places, use_l10n=True, force_grouping=True)


def format_value(value, unit: str) -> str:
    """A figure as the card shows it: money with its symbol and thousands separators, percent
    and days with one decimal at most, numbers (a turnover of 0.06) with two, days with their
    unit; a dash when there is none."""
    if value is None:
        return "–"
    value = Decimal(value)
    if unit == "money":
        return money(value)
    places = 0 if value == value.to_integral_value() else 1
    if unit == "number" and places and value * 10 != (value * 10).to_integral_value():
        places = 2
    text = _number(value, places)
    if unit == "percent":
        return f"{text} %"
    if unit == "days":
        return _("%(days)s d") % {"days": text}
    return text


def change_view(card) -> dict | None:
    """The change against the previous period: arrow, text and whether it is good news (the
    figure's ``better``: a figure where less is better is coloured the other way round, one
    where neither is, grey)."""
    change = card.get("change")
    if change is None:
        return None
    change = Decimal(change)
    better = figures.FIGURES[card["key"]].better
    rise, fall = ("success", "danger") if better == "up" else ("danger", "success")
    if better is None:
        rise = fall = "secondary"
    if change > 0:
        arrow, tone = "▲", rise
    elif change < 0:
        arrow, tone = "▼", fall
    else:
        arrow, tone = "=", "secondary"
    text = _number(abs(change), 1)
    return {
        "arrow": arrow,
        "text": f"{text} %",
        "tone": tone,
        "direction": "up" if change > 0 else "down" if change < 0 else "flat",
    }


def _chart_unit(card) -> str:
    """The unit of the chart's values: the chart's own, else the figure's, but a percentage's
    funnel or pie draws what it is the share of (opportunities, customers), counted."""
    chart = card.get("chart") or {}
    unit = card.get("unit", "number")
    if chart.get("unit"):
        return chart["unit"]
    if unit == "percent" and chart.get("kind") in ("funnel", "pie"):
        return "number"
    return unit


def _card(card, *, query: str) -> dict:
    unit = card.get("unit", "number")
    chart = {**card["chart"], "unit": _chart_unit(card), "drilldown": card.get("drilldown") or ""}
    return {
        **card,
        "chart_id": f"insights-chart-{card['key']}",
        "chart_data": chart,
        "display": format_value(card.get("value"), unit),
        "previous_display": format_value(card.get("previous"), unit),
        "change_view": change_view(card),
        "export_url": f"{reverse('insights:export', args=[card['key']])}?{query}",
    }


def _page(request, *, current, previous, team, errors, cards, status=200):
    today = timezone.localdate()
    params = request.GET
    kind = params.get("period") or DEFAULT_KIND
    context = {
        "title": _("Dashboard"),
        "kinds": PERIOD_KINDS,
        "kind": kind,
        "at_label": AT_FIELD.get(kind, AT_FIELD[DEFAULT_KIND])[0],
        "at_example": AT_FIELD.get(kind, AT_FIELD[DEFAULT_KIND])[1],
        "teams": Team.objects.order_by("name").only("pk", "name"),
        "team_value": params.get("team", ""),
        "errors": errors,
        "cards": cards,
        "period": current,
        "previous": previous,
        "team": team,
        "currency": settings.DEFAULT_CURRENCY,
    }
    if current is not None:
        context["at_value"] = params.get("at") or _at(kind if kind != "custom" else "month", current.start)
        context["start_value"] = params.get("start") or current.start.isoformat()
        context["end_value"] = params.get("end") or current.end.isoformat()
        context["prev_query"], context["next_query"] = _steps(kind, current, team, today)
    else:
        context["at_value"] = params.get("at", "")
        context["start_value"] = params.get("start", "")
        context["end_value"] = params.get("end", "")
    if errors and not request.htmx:
        status = 400
    return render(request, "insights/dashboard.html", context, status=status)


@role_required(*READ_ROLES)
def dashboard(request):
    """The dashboard page; with errors in the period or team, the form says which field is
    wrong (400) and no figure is computed."""
    current, previous, team, errors = _filters(request)
    cards = []
    if not errors:
        kind = request.GET.get("period") or DEFAULT_KIND
        query = _query(kind=kind, start=current.start, end=current.end, team=team)
        cards = [
            _card(card, query=query)
            for card in figures.dashboard(user=request.user, period=current, previous=previous, team=team)
        ]
    return _page(request, current=current, previous=previous, team=team, errors=errors, cards=cards)


@role_required(*READ_ROLES)
def figure_export(request, key):
    """One figure's table (what its card draws) as an xlsx, for the period and team asked."""
    if key not in figures.FIGURES:
        raise Http404
    current, previous, team, errors = _filters(request)
    if errors:
        return _page(
            request, current=current, previous=previous, team=team, errors=errors, cards=[], status=400
        )
    card = figures.figure_card(key, user=request.user, period=current, previous=previous, team=team)
    if card is None:
        raise Http404
    table = card["table"]
    return export_response(
        filename=f"{key}-{current.start:%Y%m%d}-{current.end:%Y%m%d}",
        headers=[str(c) for c in table["columns"]],
        rows=table["rows"],
        fmt="xlsx",
    )
