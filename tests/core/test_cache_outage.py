"""A cache outage fails no request: token-authenticated API calls, failed tokens, logins and the
public lead form answer as usual with the cache at a closed port, and the outage is logged once."""

import logging

import pytest
from django.urls import reverse

from core.tokens import token_create

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"  # tests.factories.UserFactory's
DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DOWN


def test_token_authenticated_api_calls_answer_while_the_cache_is_down(cache_down, api_client, user_with_role):
    header = f"Token {token_create(user=user_with_role('sales'))[1]}"
    for _ in range(3):
        assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 200
        assert api_client.get("/api/v1/sales-orders/", HTTP_AUTHORIZATION=header).status_code == 200


def test_failed_tokens_answer_401_not_500_while_the_cache_is_down(cache_down, api_client):
    for i in range(12):
        response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {i:064x}")
        assert response.status_code == 401


def test_logging_in_works_while_the_cache_is_down(cache_down, client, api_client, user_with_role):
    user = user_with_role("sales")
    page = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert page.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    api = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "name": "t"}, format="json"
    )
    assert api.status_code == 200


def test_the_public_lead_form_takes_leads_while_the_cache_is_down(cache_down, client):
    response = client.post(reverse("sales:lead_public"), {"name": "王先生", "phone": "13800000000"})
    assert response.status_code == 200


def test_a_cache_outage_is_logged_once_not_per_request(cache_down, api_client, caplog):
    with caplog.at_level(logging.WARNING, logger="core.counters"):
        for i in range(5):
            api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {i:064x}")
    assert len([r for r in caplog.records if r.name == "core.counters"]) == 1
