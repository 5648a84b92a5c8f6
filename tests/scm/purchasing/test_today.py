"""Purchasing's panels on the home pages: receipts expected today (the warehouse), overdue
receipts (the buyer), purchase orders to approve (the manager)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from scm.purchasing import order_selectors
from scm.purchasing.models import PurchaseOrder
from tests.scm.purchasing.factories import PurchaseOrderFactory, open_purchase_order

pytestmark = pytest.mark.django_db


def titles(context):
    return [row["title"] for row in context["rows"]]


def expected(days, **kwargs):
    return open_purchase_order(
        lines=[{"expected_date": timezone.localdate() + timedelta(days=days)}], **kwargs
    )


def test_receipts_due_are_open_orders_with_lines_owed_by_today(warehouse_user):
    late, due = expected(-2), expected(0)
    expected(1)
    received = expected(0)
    received.lines.update(received_quantity=Decimal("10"), accepted_quantity=Decimal("10"))
    draft = expected(0)
    PurchaseOrder.objects.filter(pk=draft.pk).update(state=PurchaseOrder.State.DRAFT)
    context = order_selectors.home_receipts_due(None, warehouse_user)
    assert titles(context) == [late.number, due.number] and context["count"] == 2
    assert context["rows"][0]["end_colour"] == "danger" and not context["rows"][1]["end_colour"]


def test_the_order_list_due_filter_lists_the_panels_orders(client, warehouse_user):
    due, later = expected(0), expected(3)
    client.force_login(warehouse_user)
    page = client.get(reverse("purchasing:order_list") + "?due=1").content.decode()
    assert due.number in page and later.number not in page


def test_a_buyer_sees_their_own_overdue_receipts(purchasing_user):
    mine = expected(-1, owner=purchasing_user)
    expected(-1)
    context = order_selectors.home_overdue(None, purchasing_user)
    assert titles(context) == [mine.number] and context["count"] == 1
    assert context["see_all"].endswith(f"?overdue=1&buyer={purchasing_user.pk}")


def test_the_manager_sees_the_orders_to_approve_oldest_first(manager_user):
    first = PurchaseOrderFactory(state=PurchaseOrder.State.TO_APPROVE)
    second = PurchaseOrderFactory(state=PurchaseOrder.State.TO_APPROVE)
    PurchaseOrderFactory(state=PurchaseOrder.State.SENT)
    context = order_selectors.home_to_approve(None, manager_user)
    assert titles(context) == [first.number, second.number] and context["count"] == 2
