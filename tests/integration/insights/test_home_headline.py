"""The manager's home page opens with the dashboard's headline figures of the month so far: each a
tile with its value, its change against the same days of the month before and its definition,
opening its card on the dashboard; the same queries whatever the data; not for the other roles
(an admin finds it in the summary)."""

import html
import re

import pytest
from django.urls import reverse

from integration.insights import today
from integration.insights.figures import FIGURES, HEADLINE
from tests.integration.insights.dashboard_data import company, sell, ship_orders

pytestmark = pytest.mark.django_db


def home_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def tiles(page: str) -> dict[str, str]:
    """Each headline tile's value as shown."""
    return dict(re.findall(r'data-figure="([a-z_]+)".*?data-testid="value">([^<]*)<', page, re.S))


@pytest.fixture
def sold(django_capture_on_commit_callbacks):
    """Two orders shipped today: tea 3 × 120.00 + paper 10 × 25.50 = 615.00 and tea 4 × 120.00 +
    paper 12 × 25.50 = 786.00, at cost 7 × 70 + 22 × 18 = 886.00; invoices not yet due."""
    return sell(orders=2, capture=django_capture_on_commit_callbacks)


def test_the_managers_home_shows_the_headline_figures_of_the_month(client, manager_user, sold):
    page = home_page(client, manager_user)
    shown = tiles(page)
    assert list(shown) == list(HEADLINE)
    assert shown["sales"] == "¥1,401.00"
    assert shown["gross_margin"] == "36.8 %"  # (1401 − 886) ÷ 1401
    assert shown["aov"] == "¥700.50"
    assert shown["ar_aging"] == "¥0.00"  # nothing overdue yet
    assert shown["nps"] == "–"  # no survey answered


def test_each_tile_says_its_definition_and_opens_its_card_on_the_dashboard(client, manager_user, sold):
    page = home_page(client, manager_user)
    dashboard = f"{reverse('insights:dashboard')}?period=month"
    for key in HEADLINE:
        assert f'href="{html.escape(dashboard)}#figure-{key}"' in page
        assert (
            f'id="headline-{key}-definition" role="tooltip">{html.escape(FIGURES[key].definition)}<' in page
        )
    board = client.get(dashboard).content.decode()
    assert all(f'id="figure-{key}"' in board for key in HEADLINE)


def test_a_rise_against_the_month_before_shows_an_arrow(client, manager_user, sold, monkeypatch):
    from integration.insights import figures

    plain = figures.headline

    def with_change(**kwargs):
        cards = plain(**kwargs)
        cards[0].update(previous=1000, change=40)
        return cards

    monkeypatch.setattr(figures, "headline", with_change)
    page = home_page(client, manager_user)
    sales = page[page.index('data-figure="sales"') :]
    assert re.search(r'data-direction="up" data-testid="change"\s+title="[^"]+">▲ 40.0 %<', sales)


def test_the_headline_comes_before_the_approvals(client, manager_user, sold):
    page = home_page(client, manager_user)
    panels = re.findall(r'data-panel="([^"]+)"', page)
    assert panels[0] == "insights.headline"


@pytest.mark.parametrize("role", ["sales", "finance", "warehouse", "purchasing", "service"])
def test_other_roles_do_not_see_the_headline(client, role, sold):
    from tests.factories import UserFactory

    page = home_page(client, UserFactory(roles=[role]))
    assert 'data-panel="insights.headline"' not in page
    assert "headline-" not in page


def test_an_admin_finds_the_headline_in_the_summary(client, admin_user, sold):
    page = home_page(client, admin_user)
    assert re.search(
        r'<details class="list-group-item today-summary-item" data-panel="insights.headline"', page
    )
    assert tiles(page)["sales"] == "¥1,401.00"


def test_the_headline_costs_the_same_queries_for_more_data(
    manager_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = company(capture=django_capture_on_commit_callbacks)
    ship_orders(world, orders=1, capture=django_capture_on_commit_callbacks)
    today.home_headline(None, manager_user)
    with CaptureQueriesContext(connection) as small:
        today.home_headline(None, manager_user)
    ship_orders(world, orders=5, pay=3, capture=django_capture_on_commit_callbacks)
    assert len(small.captured_queries) <= 3  # the sales and survey facts, the receivables
    with django_assert_num_queries(len(small.captured_queries)):
        today.home_headline(None, manager_user)
