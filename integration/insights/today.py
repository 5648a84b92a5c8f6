"""The manager's headline figures on the home page (``core.home.MANAGER_HEADLINE``): the
dashboard's ``figures.HEADLINE`` over the month so far against the same days of the month
before (``periods.period_from_params``' default), each a tile with its value, its change and its
definition, opening its card on the dashboard."""

from django.urls import reverse
from django.utils import timezone

from integration.insights import figures
from integration.insights.periods import period_from_params
from integration.insights.views import change_view, format_value


def home_headline(record, user) -> dict:
    """Three queries (the sales facts, the survey facts, the receivables' aging)."""
    period, previous = period_from_params({}, today=timezone.localdate())
    dashboard = f"{reverse('insights:dashboard')}?period=month"
    tiles = [
        {
            "key": card["key"],
            "title": card["title"],
            "definition": card["definition"],
            "display": format_value(card["value"], card["unit"]),
            "previous": card["previous"],
            "previous_display": format_value(card["previous"], card["unit"]),
            "change_view": change_view(card),
            "url": f"{dashboard}#figure-{card['key']}",
        }
        for card in figures.headline(user=user, period=period, previous=previous)
    ]
    return {"tiles": tiles, "period": period, "previous": previous, "dashboard_url": dashboard}
