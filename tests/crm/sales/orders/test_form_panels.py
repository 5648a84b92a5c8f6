"""The order and quote forms' panels (``crm.sales.orders.form_panels``) and the line row that a
panel's button adds filled with a product."""

import re

import pytest
from django.urls import reverse

from core.roles import MANAGER, SALES
from crm.sales.orders import form_panels
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_panel(monkeypatch):
    monkeypatch.setattr(form_panels, "_panels", {})
    form_panels.register("test.panel", "sales:orders:quote_list", roles=(SALES,))
    return reverse("sales:orders:quote_list")


def test_the_order_form_loads_a_registered_panel_for_the_chosen_customer(client, sales_user, a_panel):
    client.force_login(sales_user)

    page = client.get(reverse("sales:orders:order_create")).content.decode()

    assert f'hx-get="{a_panel}?kind=order"' in page
    assert 'hx-include="#id_customer, #lines-body select.line-product"' in page


def test_the_quote_form_loads_it_too(client, sales_user, a_panel):
    client.force_login(sales_user)

    page = client.get(reverse("sales:orders:quote_create")).content.decode()

    assert f'hx-get="{a_panel}?kind=quote"' in page


def test_a_panel_is_shown_only_to_the_roles_it_names(client, manager_user, a_panel):
    client.force_login(manager_user)

    assert a_panel + "?kind" not in client.get(reverse("sales:orders:order_create")).content.decode()
    assert form_panels.panels_for(manager_user) == []


def test_a_panel_whose_url_is_gone_is_left_out(sales_user, monkeypatch):
    monkeypatch.setattr(form_panels, "_panels", {})
    form_panels.register("gone", "nowhere:at_all", roles=(SALES, MANAGER))

    assert form_panels.panels_for(sales_user) == []


def test_a_line_row_can_come_filled_with_a_product_and_quantity(client, sales_user):
    product = ProductFactory(name="硒鼓 CF226A")
    client.force_login(sales_user)

    row = client.get(
        reverse("sales:orders:line_row"), {"lines-TOTAL_FORMS": "3", "product": product.pk, "quantity": "2"}
    ).content.decode()

    assert re.search(rf'<option value="{product.pk}" selected data-data="[^"]*硒鼓 CF226A', row)
    assert 'name="lines-3-quantity" value="2"' in row
    assert f"product={product.pk}" in row  # its available-to-promise is loaded


def test_a_filled_line_row_tells_the_form_to_refresh_its_totals_and_panels(client, sales_user):
    product = ProductFactory()
    client.force_login(sales_user)
    url = reverse("sales:orders:line_row")

    filled = client.get(url, {"lines-TOTAL_FORMS": "3", "product": product.pk})
    empty = client.get(url, {"lines-TOTAL_FORMS": "3"})

    assert filled["HX-Trigger-After-Settle"] == "line-added"
    assert "HX-Trigger-After-Settle" not in empty


@pytest.mark.parametrize("quantity", ["NaN", "1e30", "-1", "²", ""])
def test_a_quantity_that_is_no_plain_number_becomes_one(client, sales_user, quantity):
    product = ProductFactory()
    client.force_login(sales_user)

    query = {"lines-TOTAL_FORMS": "0", "product": product.pk, "quantity": quantity}

    row = client.get(reverse("sales:orders:line_row"), query).content.decode()

    assert 'name="lines-0-quantity" value="1"' in row


@pytest.mark.parametrize("product", ["inactive", "²", "987654"])
def test_a_product_that_cannot_be_sold_leaves_the_row_empty(client, sales_user, product):
    inactive = ProductFactory(is_active=False)
    client.force_login(sales_user)

    row = client.get(
        reverse("sales:orders:line_row"),
        {"lines-TOTAL_FORMS": "0", "product": inactive.pk if product == "inactive" else product},
    ).content.decode()

    assert '<option value="" selected>' in row.split('name="lines-0-unit"')[0]
    assert 'name="lines-0-quantity"' in row and 'name="lines-0-quantity" value=' not in row
