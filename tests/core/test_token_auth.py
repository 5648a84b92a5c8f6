"""Token authentication: the token, its user and the user's roles are read together."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def _token(user):
    return f"Token {Token.objects.create(user=user).key}"


def test_token_call_reports_the_users_roles(api_client, user_with_role):
    user = user_with_role("sales")
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=_token(user))
    assert response.status_code == 200
    assert response.json()["roles"] == ["sales"]


def test_token_of_an_inactive_user_is_refused(api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user)
    user.is_active = False
    user.save()
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_token_of_a_user_without_a_role_is_refused_by_role_checks(api_client, user_with_role):
    response = api_client.get("/api/v1/sales-orders/", HTTP_AUTHORIZATION=_token(user_with_role()))
    assert response.status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one query on PostgreSQL only")
def test_token_user_and_roles_cost_one_query(api_client, user_with_role):
    header = _token(user_with_role("sales", "finance"))
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert sorted(response.json()["roles"]) == ["finance", "sales"]
    assert len(queries) == 1
