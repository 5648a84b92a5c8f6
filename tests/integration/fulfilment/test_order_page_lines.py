"""The order page after confirmation: per line, where its stock is held (warehouse, lot,
quantity) and what waits on backorder with its expected date, for any number of lines in the
same number of queries."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.sales.orders import services as order_services
from integration.fulfilment import services
from scm.inventory.models import IncomingSupply
from tests.integration.fulfilment.factories import CustomerFactory, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory, lot_product

pytestmark = pytest.mark.django_db

IN_10_DAYS = timezone.localdate() + timedelta(days=10)


@pytest.fixture
def world(sales_user):
    return {"wh": three_warehouses(), "customer": CustomerFactory(owner=sales_user), "rep": sales_user}


def confirmed_order(world, capture, n_lines):
    """An order of ``n_lines`` lot products: each has 3 in a lot in SH and lacks 2, which a
    receipt into SH in 10 days covers."""
    lines = []
    for i in range(n_lines):
        product = lot_product(list_price=Decimal("10.00"), lead_time_days=30)
        receive(
            product,
            world["wh"]["SH"],
            3,
            lot_number=f"L{i:03d}",
            expiry_date=IN_10_DAYS + timedelta(days=365),
        )
        IncomingSupply.objects.create(
            reference=f"PO-{product.pk}",
            product=product,
            warehouse=world["wh"]["SH"],
            quantity=20,
            expected_date=IN_10_DAYS,
        )
        lines.append({"product": product, "quantity": 5})
    order = order_services.order_create(customer=world["customer"], owner=world["rep"], lines=lines)
    with capture(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    return order


def test_each_line_shows_where_it_is_held_and_when_its_backorder_is_expected(
    client, world, django_capture_on_commit_callbacks
):
    order = confirmed_order(world, django_capture_on_commit_callbacks, 1)
    client.force_login(world["rep"])
    body = client.get(reverse("sales:orders:order_detail", args=[order.pk])).content.decode()
    row = re.search(r'<tr data-line="\d+">(.*?)</tr>', body, re.S).group(1)
    assert re.search(r'data-held="SH">上海仓 · \S+ L000 · 3<', row)
    assert f'data-backorder-expected="{IN_10_DAYS.isoformat()}"' in row


def test_a_backorder_without_incoming_is_expected_after_the_lead_time(
    client, world, django_capture_on_commit_callbacks
):
    product = ProductFactory(lead_time_days=12)
    order = order_services.order_create(
        customer=world["customer"], owner=world["rep"], lines=[{"product": product, "quantity": 2}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    client.force_login(world["rep"])
    body = client.get(reverse("sales:orders:order_detail", args=[order.pk])).content.decode()
    expected = timezone.localdate() + timedelta(days=12)
    assert f'data-backorder-expected="{expected.isoformat()}"' in body


def test_the_order_page_takes_the_same_queries_for_two_lines_and_for_eight(
    client, world, django_capture_on_commit_callbacks
):
    small = confirmed_order(world, django_capture_on_commit_callbacks, 2)
    large = confirmed_order(world, django_capture_on_commit_callbacks, 8)
    client.force_login(world["rep"])
    client.get(reverse("sales:orders:order_detail", args=[small.pk]))  # first-request reads
    counts = []
    for order in (small, large):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("sales:orders:order_detail", args=[order.pk])).content.decode()
        counts.append(len(queries))
        assert body.count("data-held=") == order.lines.count()
    assert counts[0] == counts[1]
