"""The figures' API: the dashboard's cards with the same definitions, managers and admins only,
a bad period a 400 naming its field."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from integration.insights.figures import FIGURES
from integration.insights.models import SalesDay

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_has_every_figure_with_its_definition(manager_user):
    SalesDay.objects.create(
        day=date(2026, 3, 2),
        owner_id=manager_user.pk,
        orders=2,
        net=Decimal("300"),
        revenue=Decimal("500"),
        cost=Decimal("300"),
    )
    response = client_for(manager_user).get("/api/v1/insights/figures/", {"period": "month", "at": "2026-03"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31", "label": "2026-03"}
    assert body["previous"]["label"] == "2026-02"
    assert [f["key"] for f in body["figures"]] == list(FIGURES)
    sales = body["figures"][0]
    assert sales["definition"] == str(FIGURES["sales"].definition)
    assert sales["value"] == "500.00" and sales["unit"] == "money"
    assert body["figures"][list(FIGURES).index("aov")]["value"] == "150.00"


def test_one_figure_by_its_key(manager_user):
    response = client_for(manager_user).get(
        "/api/v1/insights/figures/otif/", {"period": "year", "at": "2025"}
    )
    assert response.status_code == 200
    assert response.json()["key"] == "otif" and response.json()["value"] is None


def test_an_unknown_figure_is_not_found(manager_user):
    assert client_for(manager_user).get("/api/v1/insights/figures/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "end"),
        ({"period": "custom", "start": "2026-02-31", "end": "2026-03-01"}, "start"),
        ({"period": "decade"}, "period"),
        ({"team": "²"}, "team"),
        ({"team": "999999"}, "team"),
    ],
)
def test_a_bad_period_or_team_is_a_400_naming_the_field(manager_user, params, field):
    response = client_for(manager_user).get("/api/v1/insights/figures/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_other_roles_are_refused(sales_user, finance_user):
    assert client_for(sales_user).get("/api/v1/insights/figures/").status_code == 403
    assert client_for(finance_user).get("/api/v1/insights/figures/sales/").status_code == 403
