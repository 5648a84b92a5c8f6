"""The manager dashboard page (/insights/): who may open it, the period and team form with its
errors, the cards (value, comparison, definition, chart data, drill-down, export), each figure's
xlsx export, and a fixed number of queries whatever the data."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from integration.insights import views
from integration.insights.figures import FIGURES, figure_card
from integration.insights.periods import period_from_params
from tests.factories import UserFactory
from tests.integration.insights.dashboard_data import sell

pytestmark = pytest.mark.django_db
URL = "/insights/"


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def sold(django_capture_on_commit_callbacks):
    return sell(orders=2, capture=django_capture_on_commit_callbacks)


def _chart_data(html: str, key: str) -> dict:
    match = re.search(
        rf'<script id="insights-chart-{key}" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1))


def test_the_dashboard_is_named_insights_dashboard_at_insights():
    assert reverse("insights:dashboard") == URL


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_open_the_dashboard(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("role", ["sales", "service", "warehouse", "purchasing", "finance"])
def test_other_roles_may_not_open_the_dashboard_or_export(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("insights:export", args=["sales"])).status_code == 403


def test_every_figure_has_a_card_with_value_definition_chart_drilldown_and_export(manager, sold):
    html = manager.get(URL + "?period=month").content.decode()
    cards = re.findall(r'data-figure="([a-z_]+)"', html)
    assert cards == list(FIGURES)
    for key, figure in FIGURES.items():
        # The definition is the ⓘ's tooltip, which describes it.
        assert f'aria-describedby="insights-chart-{key}-definition"' in html
        assert (
            f'id="insights-chart-{key}-definition" role="tooltip">{escape(figure.definition)}</span>' in html
        )
        assert f'data-insights-chart="insights-chart-{key}"' in html
        assert reverse("insights:export", args=[key]) + "?period=month&amp;at=" in html
        data = _chart_data(html, key)
        assert data["kind"] in {"line", "bar", "funnel", "pie", "bar_stacked"}
        assert data["unit"] in {"money", "percent", "number", "days"}
        assert data["drilldown"]


def test_the_chart_data_carries_amounts_as_decimal_text_for_the_script(manager, sold):
    html = manager.get(URL).content.decode()
    data = _chart_data(html, "sales")
    values = [v for s in data["series"] for v in s["values"] if v is not None]
    assert values and all(isinstance(v, str) for v in values)
    assert sum(Decimal(v) for v in data["series"][0]["values"] if v) > 0


def test_a_percentage_with_a_funnel_draws_its_stages_counted(manager, sold):
    html = manager.get(URL).content.decode()
    assert _chart_data(html, "pipeline")["unit"] == "number"
    assert _chart_data(html, "sales")["unit"] == "money"


def test_a_money_figure_shows_thousands_separators_and_the_change_with_an_arrow():
    card = {
        "key": "sales",
        "chart": {},
        "unit": "money",
        "value": Decimal("1234567.5"),
        "change": Decimal("12.34"),
    }
    shown = views._card(card, query="period=month")
    assert shown["display"] == "¥1,234,567.50"
    assert shown["change_view"] == {"arrow": "▲", "text": "12.3 %", "tone": "success", "direction": "up"}


def test_a_percent_figure_shows_one_decimal_and_a_fall_is_red():
    card = {"key": "otif", "chart": {}, "unit": "percent", "value": Decimal("96.25"), "change": Decimal("-2")}
    shown = views._card(card, query="")
    assert shown["display"] == "96.3 %"
    assert shown["change_view"]["arrow"] == "▼"
    assert shown["change_view"]["tone"] == "danger"


def test_a_rise_of_a_figure_where_less_is_better_is_red():
    card = {
        "key": "backorders",
        "chart": {},
        "unit": "number",
        "value": Decimal("4"),
        "change": Decimal("100"),
    }
    assert views._card(card, query="")["change_view"]["tone"] == "danger"


def test_a_small_number_figure_keeps_its_second_decimal():
    card = {"key": "turnover", "chart": {}, "unit": "number", "value": Decimal("0.06"), "change": None}
    assert views._card(card, query="")["display"] == "0.06"
    assert views.format_value(Decimal("4.30"), "number") == "4.3"
    assert views.format_value(Decimal("96.25"), "percent") == "96.3 %"


def test_a_figure_without_value_or_comparison_shows_a_dash():
    card = {"key": "nps", "chart": {}, "unit": "number", "value": None, "previous": None, "change": None}
    shown = views._card(card, query="")
    assert shown["display"] == "–"
    assert shown["change_view"] is None


def test_the_period_and_team_are_kept_in_the_links(manager, sold):
    team = sold["team"]
    html = manager.get(URL, {"period": "quarter", "at": "2026-Q2", "team": team.pk}).content.decode()
    assert f"?period=quarter&amp;at=2026-Q1&amp;team={team.pk}" in html  # the period before
    assert f"?period=quarter&amp;at=2026-Q3&amp;team={team.pk}" in html  # the one after
    assert (
        reverse("insights:export", args=["sales"]) + f"?period=quarter&amp;at=2026-Q2&amp;team={team.pk}"
        in html
    )
    assert f'<option value="{team.pk}" selected>' in html
    assert 'id="period-quarter" value="quarter" autocomplete="off" checked' in html


def test_a_custom_period_keeps_its_dates_in_the_form(manager):
    html = manager.get(URL, {"period": "custom", "start": "2026-01-10", "end": "2026-02-20"}).content.decode()
    assert 'name="start" value="2026-01-10"' in html
    assert 'name="end" value="2026-02-20"' in html
    # The period before is as many days just before it.
    assert "?period=custom&amp;start=2025-11-29&amp;end=2026-01-09" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"period": "custom", "start": "2026-02-31", "end": "2026-03-31"}, "start"),
        ({"period": "custom", "start": "2026-01-01", "end": "NaN"}, "end"),
        ({"period": "month", "at": "2026-13"}, "at"),
        ({"period": "quarter", "at": "1e30"}, "at"),
        ({"period": "weekly"}, "period"),
        ({"team": "²"}, "team"),
        ({"team": "987654"}, "team"),
    ],
)
def test_a_bad_period_or_team_is_shown_next_to_its_field(manager, params, field):
    response = manager.get(URL, params)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in html
    assert 'data-testid="insight-card"' not in html


def test_a_bad_period_asked_by_htmx_answers_200_so_the_form_is_swapped_in(manager):
    response = manager.get(
        URL, {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-field-error="end"' in response.content.decode()


def test_export_writes_the_figures_table_as_xlsx(manager, manager_user, sold):
    params = {"period": "month"}
    current, previous = period_from_params(params, today=timezone.localdate())
    card = figure_card("inventory_value", user=manager_user, period=current, previous=previous)
    response = manager.get(reverse("insights:export", args=["inventory_value"]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="inventory_value-' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c) for c in card["table"]["columns"]]
    assert [r[0] for r in rows[1:]] == [w.name for w in sold["warehouses"]]
    assert all(isinstance(v, int | float) for v in rows[1][1:] if v is not None)


def test_export_cells_that_look_like_formulas_are_written_as_text(
    manager, django_capture_on_commit_callbacks
):
    data = sell(orders=1, capture=django_capture_on_commit_callbacks)
    store = data["warehouses"][0]
    store.name = '=HYPERLINK("http://evil.example","x")'
    store.save(update_fields=["name"])
    response = manager.get(reverse("insights:export", args=["inventory_value"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "'" + store.name


def test_export_of_an_unknown_figure_is_404(manager):
    assert manager.get(reverse("insights:export", args=["no-such-figure"])).status_code == 404


def test_export_with_a_bad_period_is_400_with_the_field_named(manager):
    response = manager.get(
        reverse("insights:export", args=["sales"]), {"period": "custom", "start": "2026-05-01", "end": "x"}
    )
    assert response.status_code == 400
    assert 'data-field-error="end"' in response.content.decode()


def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    manager, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    sell(orders=1, capture=django_capture_on_commit_callbacks)
    manager.get(URL)  # the session's first save
    with django_assert_max_num_queries(QUERIES) as small:
        manager.get(URL, {"period": "year"})
    sell(orders=6, warehouses=3, capture=django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(QUERIES) as large:
        manager.get(URL, {"period": "year"})
    assert len(large.captured_queries) == len(small.captured_queries)


def test_managers_have_a_dashboard_entry_in_the_menu_and_reps_do_not(client, manager_user, sales_user):
    from core.navigation import items_for

    assert "insights.dashboard" in [i["key"] for i in items_for(manager_user)]
    assert "insights.dashboard" not in [i["key"] for i in items_for(sales_user)]


# Session and user, roles, the team list, and the figures' reads (24 today; ``figures``'s own
# test fixes theirs).
QUERIES = 30
