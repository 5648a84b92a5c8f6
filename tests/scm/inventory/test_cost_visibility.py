"""Cost prices (a product's average cost, stock moves' unit costs, the stock valuation) are read
by purchasing, finance, managers and admins only, on pages and API alike."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scm.inventory import counts, services
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("sales", False),
        ("service", False),
        ("warehouse", False),
        ("purchasing", True),
        ("finance", True),
        ("manager", True),
    ],
)
def test_product_cost_in_the_api_only_for_roles_that_read_costs(api_client, user_with_role, role, sees):
    product = ProductFactory(cost=Decimal("61.2345"))
    api_client.force_authenticate(user_with_role(role))
    body = api_client.get(f"/api/v1/inventory/products/{product.pk}/").json()
    assert "cost" in body
    assert (body["cost"] is not None) is sees


@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("service", False), ("purchasing", True)])
def test_product_page_shows_average_cost_only_to_roles_that_read_costs(client, user_with_role, role, sees):
    product = ProductFactory(cost=Decimal("61.2345"))
    client.force_login(user_with_role(role))
    page = client.get(reverse("inventory:product_detail", args=[product.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert (b"Average cost" in page.content) is sees


@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("warehouse", False), ("finance", True)])
def test_stock_valuation_only_for_roles_that_read_costs(client, user_with_role, role, sees):
    client.force_login(user_with_role(role))
    page = client.get(reverse("inventory:stock"))
    assert (b'data-testid="valuation"' in page.content) is sees


@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("warehouse", False), ("finance", True)])
def test_stock_values_per_row_only_for_roles_that_read_costs(client, user_with_role, role, sees):
    product, warehouse = ProductFactory(cost=Decimal("61.2345")), WarehouseFactory()
    services.stock_receive(product=product, warehouse=warehouse, quantity=5)
    client.force_login(user_with_role(role))
    page = client.get(reverse("inventory:stock"), HTTP_ACCEPT_LANGUAGE="en")
    assert (b">Value</th>" in page.content) is sees


@pytest.mark.parametrize(("role", "sees"), [("warehouse", False), ("manager", True)])
def test_count_lines_unit_cost_only_for_roles_that_read_costs(api_client, user_with_role, role, sees):
    product, warehouse = ProductFactory(cost=Decimal("61.2345")), WarehouseFactory()
    services.stock_receive(product=product, warehouse=warehouse, quantity=5)
    count = counts.count_start(warehouse=warehouse, user=user_with_role("warehouse"))
    api_client.force_authenticate(user_with_role(role))
    lines = api_client.get(f"/api/v1/inventory/counts/{count.pk}/").json()["lines"]
    assert (lines[0]["unit_cost"] is not None) is sees
