"""Notifications grouped (a kind's notifications of one day are one line in the bell and the
list) and rate-limited (past the limit of a kind per user and period, they fold into the group
instead of adding unread rows)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.events import selectors, services
from core.events.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.NOTIFICATIONS_PER_KIND = 3
    settings.NOTIFICATIONS_PERIOD_SECONDS = 3600
    return 3


def tight(user, n, start=0, kind="stock_tight"):
    for i in range(start, start + n):
        services.notify(
            users=[user],
            title="Stock is tight: %(sku)s %(product)s",
            params={"sku": f"SKU-{i}", "product": f"纸 {i}"},
            url=f"/inventory/products/{i}/",
            kind=kind,
            key=f"{kind}:{i}",
        )


def test_past_the_limit_a_kinds_notifications_fold_instead_of_adding_unread_rows(sales_user, limit):
    tight(sales_user, 5)
    notes = Notification.objects.filter(user=sales_user)
    assert notes.count() == 5
    assert notes.filter(read_at__isnull=True, folded=False).count() == 3
    assert notes.filter(folded=True, read_at__isnull=False).count() == 2


def test_the_limit_is_per_kind_and_per_user(sales_user, service_user, limit):
    tight(sales_user, 3)
    tight(sales_user, 2, kind="crm.task")
    tight(service_user, 3)
    assert Notification.objects.filter(folded=True).count() == 0


def test_notifications_without_a_kind_are_never_folded(sales_user, limit):
    for i in range(5):
        services.notify(users=[sales_user], title=f"hello {i}")
    assert Notification.objects.filter(user=sales_user, read_at__isnull=True).count() == 5


def test_the_limit_counts_only_the_period(sales_user, limit):
    tight(sales_user, 3)
    Notification.objects.update(created_at=timezone.now() - timedelta(seconds=3601))
    tight(sales_user, 1, start=10)
    assert Notification.objects.get(key="stock_tight:10").folded is False


def test_a_repeated_key_is_written_once_past_the_limit_too(sales_user, limit):
    tight(sales_user, 4)
    tight(sales_user, 2, start=2)
    assert Notification.objects.filter(user=sales_user).count() == 4
    assert Notification.objects.filter(user=sales_user, key="stock_tight:3", folded=True).count() == 1


def test_a_repeated_key_takes_no_place_under_the_limit(sales_user, limit):
    tight(sales_user, 2)
    tight(sales_user, 2)  # the same two again: no-ops
    tight(sales_user, 1, start=5)
    assert Notification.objects.get(key="stock_tight:5").folded is False


def test_a_limit_of_zero_turns_it_off(sales_user, settings):
    settings.NOTIFICATIONS_PER_KIND = 0
    tight(sales_user, 8)
    assert Notification.objects.filter(user=sales_user, read_at__isnull=True).count() == 8


def test_the_bell_counts_a_group_as_one_line(sales_user, limit):
    tight(sales_user, 12)
    services.notify(users=[sales_user], title="Order SO-1 shipped")
    services.notify(users=[sales_user], title="Order SO-2 shipped")
    assert selectors.unread_count(user=sales_user) == 3


def test_the_list_shows_a_kinds_notifications_of_a_day_as_one_line(client, sales_user, limit):
    tight(sales_user, 12)
    services.notify(users=[sales_user], title="Order SO-1 shipped", url="/x/")
    client.force_login(sales_user)
    page = client.get(reverse("events:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12 products are tight for your customers" in page
    assert page.count('data-kind="stock_tight"') == 1
    day = timezone.localdate().isoformat()
    assert f"?kind=stock_tight&amp;day={day}" in page
    assert "Order SO-1 shipped" in page


def test_a_groups_link_lists_the_notifications_behind_it(client, sales_user, limit):
    tight(sales_user, 12)
    client.force_login(sales_user)
    url = f"{reverse('events:notifications')}?kind=stock_tight&day={timezone.localdate().isoformat()}"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert len(re.findall(r"Stock is tight: SKU-\d+", page)) == 12


def test_a_kind_nobody_named_reads_as_its_latest_and_how_many_more(client, sales_user, limit):
    tight(sales_user, 3, kind="odd.kind")
    client.force_login(sales_user)
    page = client.get(reverse("events:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Stock is tight: SKU-2 纸 2 (and 2 more)" in page


def test_the_bell_menu_shows_the_unread_lines(client, sales_user, limit):
    tight(sales_user, 12)
    client.force_login(sales_user)
    page = client.get(reverse("events:bell_menu"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12 products are tight for your customers" in page


def test_marking_one_line_read_leaves_the_others_unread(client, sales_user, limit):
    tight(sales_user, 4)
    services.notify(users=[sales_user], title="Order SO-1 shipped")
    client.force_login(sales_user)
    client.post(reverse("events:mark_read"), {"kind": "stock_tight", "day": timezone.localdate().isoformat()})
    assert list(
        Notification.objects.filter(user=sales_user, read_at__isnull=True).values_list("title", flat=True)
    ) == ["Order SO-1 shipped"]


def test_a_day_that_is_not_a_date_is_ignored(client, sales_user, limit):
    tight(sales_user, 2)
    client.force_login(sales_user)
    response = client.get(f"{reverse('events:notifications')}?kind=stock_tight&day=2026-02-31")
    assert response.status_code == 200
    assert client.post(reverse("events:mark_read"), {"kind": "stock_tight", "day": "²"}).status_code == 302


def test_the_list_costs_the_same_queries_for_more_notifications(
    client, sales_user, limit, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tight(sales_user, 2)
    client.force_login(sales_user)
    client.get(reverse("events:notifications"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("events:notifications"))
    tight(sales_user, 40, start=100)
    for i in range(30):
        services.notify(users=[sales_user], title=f"note {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("events:notifications"))


def test_the_api_tells_a_folded_notification(api_client, sales_user, limit):
    tight(sales_user, 4)
    api_client.force_authenticate(sales_user)
    rows = api_client.get("/api/v1/notifications/").json()["results"]
    assert sorted(r["folded"] for r in rows) == [False, False, False, True]
