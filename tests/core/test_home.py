"""The "today" home page: each role sees its own panels with the right counts, a rep only their
own and their team's records, an admin every panel folded, the same number of queries whatever
the data size, and no grid of links."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import home
from core.roles import MANAGER, SALES
from tests.home_world import build, users

pytestmark = pytest.mark.django_db

PANELS = {
    "sales": [
        "sales.tasks",
        "rules.stock_alerts",
        "orders.quotes_expiring",
        "orders.waiting",
        "insights.due_to_buy",
    ],
    "warehouse": ["fulfilment.picks_due", "purchasing.receipts_due", "inventory.counts_open"],
    "purchasing": ["planning.suggestions", "purchasing.overdue"],
    "finance": ["finance.overdue_invoices", "finance.bills_due", "finance.unmatched_bills"],
    "service": ["service.sla"],
    "manager": [
        "insights.headline",
        "orders.credit_holds",
        "purchasing.to_approve",
        "finance.mismatch_approvals",
        "inventory.counts_to_approve",
        "aftersales.alerts_open",
    ],
}
# With ``build(2)``: what waits for each role (the other team's rep has as much again).
COUNTS = {
    "sales": {
        "sales.tasks": 2,
        "rules.stock_alerts": 2,
        "orders.quotes_expiring": 2,
        "orders.waiting": 4,
        "insights.due_to_buy": 0,
    },
    # Receipts due: the two expected today and the buyer's two late ones.
    "warehouse": {"fulfilment.picks_due": 2, "purchasing.receipts_due": 4, "inventory.counts_open": 2},
    "purchasing": {"planning.suggestions": 2, "purchasing.overdue": 2},
    "finance": {"finance.overdue_invoices": 2, "finance.bills_due": 4, "finance.unmatched_bills": 2},
    "service": {"service.sla": 2},
    # Credit holds: both teams' orders.
    "manager": {
        "insights.headline": None,  # figures, not a count
        "orders.credit_holds": 4,
        "purchasing.to_approve": 2,
        "finance.mismatch_approvals": 2,
        "inventory.counts_to_approve": 0,
        "aftersales.alerts_open": 2,
    },
}


@pytest.fixture
def people():
    return users()


@pytest.fixture
def world(people):
    build(2, people)
    return people


def home_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def panels_on(page: str) -> list[str]:
    return re.findall(r'data-panel="([^"]+)"', page)


def counts_on(page: str) -> dict[str, int]:
    """Each panel's count badge."""
    found = {}
    for key, body in re.findall(r'data-panel="([^"]+)"(.*?)</section>', page, re.S):
        badge = re.search(r'data-testid="panel-count">(\d+)<', body)
        found[key] = int(badge.group(1)) if badge else None
    return found


@pytest.mark.parametrize("role", PANELS)
def test_each_role_sees_its_own_panels_in_order(client, world, role):
    assert panels_on(home_page(client, world[role])) == PANELS[role]


@pytest.mark.parametrize("role", COUNTS)
def test_each_panel_counts_what_waits_for_the_role(client, world, role):
    assert counts_on(home_page(client, world[role])) == COUNTS[role]


def test_a_rep_sees_none_of_another_teams_records(client, world):
    from crm.sales.models import Quote, SalesOrder

    page = home_page(client, world["sales"])
    theirs = [q.number for q in Quote.objects.filter(owner=world["other_rep"])]
    theirs += [o.number for o in SalesOrder.objects.filter(owner=world["other_rep"])]
    assert theirs and not [number for number in theirs if number in page]


def test_a_panel_lists_records_with_links_and_a_see_all_link(client, world):
    from crm.sales.models import Quote

    page = home_page(client, world["sales"])
    quote = Quote.objects.filter(owner=world["sales"]).first()
    assert reverse("sales:orders:quote_detail", args=[quote.pk]) in page
    assert html.escape(f"{reverse('sales:orders:quote_list')}?owner=me&expiring=7") in page


@pytest.mark.parametrize("role", PANELS)
def test_every_see_all_link_opens_for_the_role(client, world, role):
    page = home_page(client, world[role])
    links = [html.unescape(u) for u in re.findall(r'href="([^"]+)" data-testid="see-all"', page)]
    assert links
    for url in links:
        assert client.get(url).status_code == 200, url


def test_a_see_all_list_shows_as_many_records_as_the_panel_counts(client, world):
    from crm.sales.models import SalesOrder

    client.force_login(world["sales"])
    page = client.get(f"{reverse('sales:orders:order_list')}?owner=me&waiting=1").content.decode()
    waiting = SalesOrder.objects.filter(owner=world["sales"], state__in=["credit_hold", "confirmed"])
    assert sorted(re.findall(r">(SO[^<]+)</a></td>", page)) == sorted(o.number for o in waiting)


def test_an_empty_panel_says_what_to_do_next(client, people):
    page = home_page(client, people["sales"])
    assert 'data-testid="today-empty-orders.quotes_expiring"' in page
    assert "No quote of yours expires this week" in page
    assert 'data-testid="see-all"' not in page


def test_the_grid_of_links_is_gone_but_quick_actions_stay(client, people):
    page = home_page(client, people["sales"])
    assert "home-tile" not in page
    actions = re.findall(r'data-action="([^"]+)"', page)
    assert actions[:2] == ["orders.new_order", "orders.new_quote"]


def test_the_warehouse_gets_its_own_quick_actions(client, people):
    actions = re.findall(r'data-action="([^"]+)"', home_page(client, people["warehouse"]))
    assert "fulfilment.picking" in actions and "orders.new_order" not in actions


def test_an_admin_sees_every_panel_folded_by_role(client, world):
    page = home_page(client, world["admin"])
    assert 'data-testid="today-summary"' in page
    every = {key for keys in PANELS.values() for key in keys}
    assert every <= set(panels_on(page))
    assert page.count("<details") == len(set(panels_on(page)))
    assert re.findall(r'data-action="', page) == []


def test_a_user_with_two_roles_sees_both_groups(client, world):
    from django.contrib.auth.models import Group

    world["sales"].groups.add(Group.objects.get(name=MANAGER))
    page = home_page(client, world["sales"])
    assert re.findall(r'data-role="([^"]+)"', page) == [SALES, MANAGER]
    assert "Approvals waiting" in page


@pytest.mark.parametrize("role", PANELS)
def test_the_home_page_costs_the_same_queries_for_more_data(
    client, people, role, django_assert_max_num_queries
):
    build(1, people, tag="one")
    client.force_login(people[role])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    build(4, people, tag="more")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("home")).status_code == 200


def test_the_manager_headline_slot_comes_first_and_wide(client, world):
    page = home_page(client, world["manager"])
    assert panels_on(page)[0] == home.MANAGER_HEADLINE
    assert re.search(
        r'<div class="col-12">\s*<section class="card h-100 today-panel" data-panel="insights.headline"', page
    )
