"""Which way each figure is good news (``Figure.better``, one owner for the card's colour and the
API), and the charts whose categories have a list behind them opening that list: a warehouse's
stock, a stage's column of the pipeline, a slow mover's stock."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crm.sales.models import PipelineStage
from integration.insights import views
from integration.insights.figures import FIGURES
from integration.insights.models import SlowMoversDay
from tests.integration.insights.dashboard_data import company, sell
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
URL = "/insights/"


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


def _chart(html: str, key: str) -> dict:
    match = re.search(
        rf'<script id="insights-chart-{key}" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1))


def test_each_figure_says_which_way_is_good_news():
    down = {key for key, f in FIGURES.items() if f.better == "down"}
    neither = {key for key, f in FIGURES.items() if f.better is None}
    assert down == {"backorders", "slow_movers", "ar_aging", "ap_aging"}
    assert neither == {"inventory_value"}
    assert all(f.better == "up" for key, f in FIGURES.items() if key not in down | neither)


def test_a_change_of_the_inventory_value_is_neither_good_nor_bad():
    card = {
        "key": "inventory_value",
        "chart": {},
        "unit": "money",
        "value": Decimal("9"),
        "change": Decimal("5"),
    }
    assert views._card(card, query="")["change_view"]["tone"] == "secondary"


def test_a_fall_of_overdue_receivables_is_green():
    card = {"key": "ar_aging", "chart": {}, "unit": "money", "value": 9, "change": Decimal("-5")}
    assert views._card(card, query="")["change_view"]["tone"] == "success"


def test_the_api_says_which_way_each_figure_is_good_news(manager_user):
    api = APIClient()
    api.force_authenticate(manager_user)
    body = api.get("/api/v1/insights/figures/", {"period": "month", "at": "2026-03"}).json()
    assert {f["key"]: f["better"] for f in body["figures"]} == {k: f.better for k, f in FIGURES.items()}


def test_each_warehouse_of_inventory_value_and_turnover_opens_its_stock(
    manager, django_capture_on_commit_callbacks
):
    world = sell(orders=2, warehouses=2, capture=django_capture_on_commit_callbacks)
    html = manager.get(URL).content.decode()
    stock = reverse("inventory:stock")
    by_name = {w.name: w.pk for w in world["warehouses"]}
    for key in ("inventory_value", "turnover"):
        chart = _chart(html, key)
        assert chart["links"] == [f"{stock}?warehouse={by_name[name]}" for name in chart["categories"]]
    chart = _chart(html, "inventory_value")
    first = world["warehouses"][0]
    page = manager.get(chart["links"][chart["categories"].index(first.name)])
    assert page.status_code == 200
    rows = list(page.context["page_obj"])
    assert rows and {level.warehouse_id for level in rows} == {first.pk}


def test_each_open_stage_of_the_funnel_opens_its_column_of_the_pipeline(
    manager, django_capture_on_commit_callbacks
):
    company(capture=django_capture_on_commit_callbacks)
    chart = _chart(manager.get(URL).content.decode(), "pipeline")
    board = manager.get(reverse("sales:board"))
    assert board.status_code == 200
    column = r'<section class="kanban-column" id="(stage-\d+)"[^>]*>\s*<header[^>]*><strong>([^<]+)'
    columns = dict(re.findall(column, board.content.decode()))
    closed = {stage.name for stage in PipelineStage.objects.all() if stage.is_closed}
    assert len(chart["links"]) == len(chart["categories"]) > 0
    for link, name in zip(chart["links"], chart["categories"], strict=True):
        path, _hash, anchor = link.partition("#")
        assert path == reverse("sales:board")
        if name in closed:  # won: no column of its own
            assert not anchor
        else:
            assert columns[anchor] == name


def test_each_slow_mover_opens_the_products_stock(manager):
    from scm.inventory import services as stock

    slow = ProductFactory(sku="SLOW-001", cost=Decimal("12.5000"))
    other = ProductFactory(sku="FAST-002", cost=Decimal("3.0000"))
    store = WarehouseFactory(code="GZ")
    for product in (slow, other):
        stock.stock_receive(product=product, warehouse=store, quantity=8, reference="TEST")
    SlowMoversDay.objects.create(
        day=timezone.localdate(),
        products=1,
        value=Decimal("100.00"),
        top=[["SLOW-001", slow.name, "8", "100.00"]],
    )
    chart = _chart(manager.get(URL).content.decode(), "slow_movers")
    assert chart["links"] == [reverse("inventory:stock") + "?q=SLOW-001"]
    rows = list(manager.get(chart["links"][0]).context["page_obj"])
    assert [level.product_id for level in rows] == [slow.pk]


def test_charts_by_day_or_aging_bucket_open_the_cards_list(manager, django_capture_on_commit_callbacks):
    """The shipments, payments and aging lists take no day or bucket: a click anywhere on those
    charts opens the card's list."""
    sell(orders=1, capture=django_capture_on_commit_callbacks)
    html = manager.get(URL).content.decode()
    for key in ("sales", "cash", "ar_aging", "ap_aging"):
        chart = _chart(html, key)
        assert "links" not in chart
        assert chart["drilldown"]
