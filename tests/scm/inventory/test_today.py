"""Counts on the home pages: the warehouse's open counts, the manager's counts to approve."""

import pytest

from scm.inventory import counts, today
from scm.inventory.models import CountSession
from tests.scm.inventory.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


def test_open_counts_are_those_counting_or_approved_and_to_approve_those_submitted(
    warehouse_user, manager_user
):
    counting, submitted, approved, posted = (
        counts.count_start(warehouse=WarehouseFactory(), user=warehouse_user) for _ in range(4)
    )
    CountSession.objects.filter(pk=submitted.pk).update(state=CountSession.State.SUBMITTED)
    CountSession.objects.filter(pk=approved.pk).update(state=CountSession.State.APPROVED)
    CountSession.objects.filter(pk=posted.pk).update(state=CountSession.State.POSTED)
    opened = today.home_counts_open(None, warehouse_user)
    assert {r["title"] for r in opened["rows"]} == {counting.number, approved.number} and opened["count"] == 2
    assert opened["rows"][-1]["url"].startswith("/inventory/tablet/count/")
    waiting = today.home_counts_to_approve(None, manager_user)
    assert [r["title"] for r in waiting["rows"]] == [submitted.number] and waiting["count"] == 1


def test_the_count_list_filters_open_counts(client, warehouse_user):
    counting = counts.count_start(warehouse=WarehouseFactory(), user=warehouse_user)
    posted = counts.count_start(warehouse=WarehouseFactory(), user=warehouse_user)
    CountSession.objects.filter(pk=posted.pk).update(state=CountSession.State.POSTED)
    client.force_login(warehouse_user)
    page = client.get("/inventory/counts/?state=open").content.decode()
    assert counting.number in page and posted.number not in page
