"""Lockouts that protect accounts without locking out everyone: the client's address comes from
the proxy header only from a trusted proxy; failures are keyed on what failed (user name and
address, token address and prefix); a valid credential is never refused for others' failures."""

import time

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from core.net import client_ip
from core.tokens import token_create
from crm.sales.models import Lead

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"  # tests.factories.UserFactory's
PROXY = "10.0.0.5"


def _bad_token(i=0, prefix=None):
    """A wrong token; each its own prefix unless one is given."""
    prefix = prefix or f"{i:015x}"
    return f"Token {prefix}{i:049d}"


def _fail_tokens(api_client, n, start=0, **extra):
    return [
        api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=_bad_token(i), **extra).status_code
        for i in range(start, start + n)
    ]


# --- the client's address ---------------------------------------------------------------------


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_forwarded_header_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request(PROXY, "203.0.113.7")) == PROXY


def test_the_forwarded_header_is_honoured_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(_request(PROXY, "203.0.113.7")) == "203.0.113.7"


def test_the_forwarded_header_is_ignored_from_an_untrusted_peer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(_request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


def test_a_client_cannot_name_its_address_through_a_trusted_proxy(settings):
    # The proxy appends the address it saw; what the client sent stands to its left.
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "1.1.1.1, 203.0.113.7")) == "203.0.113.7"


def test_chained_trusted_proxies_are_skipped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request(PROXY, "203.0.113.7, 10.1.2.3")) == "203.0.113.7"


# --- API tokens ---------------------------------------------------------------------------------


def test_a_valid_token_keeps_working_while_another_client_fails_ten_times_from_its_address(
    api_client, user_with_role
):
    header = f"Token {token_create(user=user_with_role('sales'))[1]}"
    assert _fail_tokens(api_client, 11)[-1] == 429
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 200


def test_a_valid_session_keeps_working_while_another_client_fails_ten_times_from_its_address(
    client, api_client, user_with_role
):
    client.force_login(user_with_role("sales"))
    assert _fail_tokens(api_client, 11)[-1] == 429
    assert client.get("/api/v1/me/").status_code == 200


def test_failed_tokens_answer_429_past_the_limit(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 10
    codes = _fail_tokens(api_client, 12)
    assert codes == [401] * 10 + [429, 429]


def test_the_token_lockout_says_when_to_retry(api_client, settings):
    settings.API_TOKEN_COOLOFF_SECONDS = 600
    _fail_tokens(api_client, 10)
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=_bad_token(99))
    assert response.status_code == 429
    assert response["Retry-After"] == "600"


def test_failures_during_the_token_lockout_do_not_extend_it(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 2
    settings.API_TOKEN_COOLOFF_SECONDS = 1
    started = time.monotonic()
    assert _fail_tokens(api_client, 3)[-1] == 429
    i = 10
    while time.monotonic() - started < 0.9:
        assert _fail_tokens(api_client, 1, start=i) == [429]
        i += 1
        time.sleep(0.2)
    time.sleep(max(0.0, 1.2 - (time.monotonic() - started)))
    assert _fail_tokens(api_client, 1, start=i) == [401]


def test_token_failures_are_counted_per_client_behind_a_trusted_proxy(api_client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    via_proxy = {"REMOTE_ADDR": PROXY}
    assert _fail_tokens(api_client, 11, HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy)[-1] == 429
    assert _fail_tokens(api_client, 1, start=50, HTTP_X_FORWARDED_FOR="198.51.100.9", **via_proxy) == [401]


def test_guessing_one_tokens_rest_from_many_addresses_is_locked_by_its_prefix(api_client):
    codes = [
        api_client.get(
            "/api/v1/me/",
            HTTP_AUTHORIZATION=_bad_token(i, prefix="f" * 15),
            REMOTE_ADDR=f"198.51.100.{i + 1}",
        ).status_code
        for i in range(11)
    ]
    assert codes[-1] == 429


# --- logging in -------------------------------------------------------------------------------------


def _token_login(api_client, username, password, **extra):
    return api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def test_the_token_endpoint_answers_429_when_the_login_is_locked(api_client, user_with_role, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_with_role("sales")
    codes = [_token_login(api_client, user.username, "wrong").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    locked = _token_login(api_client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "Retry-After" in locked


def test_a_login_locked_for_one_client_is_open_to_another_behind_a_trusted_proxy(
    api_client, user_with_role, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = [PROXY]
    user = user_with_role("sales")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    for _ in range(4):
        _token_login(api_client, user.username, "wrong", **attacker)
    assert _token_login(api_client, user.username, PASSWORD, **attacker).status_code == 429
    assert _token_login(api_client, user.username, PASSWORD, **owner).status_code == 200


def test_the_login_page_is_locked_per_user_name_and_client(client, user_with_role, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user, other = user_with_role("sales"), user_with_role("sales")
    for _ in range(3):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 429
    assert (
        client.post(reverse("login"), {"username": other.username, "password": PASSWORD}).status_code == 302
    )


def test_failures_during_the_login_lockout_do_not_extend_it(client, user_with_role, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_with_role("sales")
    for _ in range(3):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    locked_at = AccessAttempt.objects.get(username=user.username).attempt_time
    for _ in range(3):
        assert (
            client.post(reverse("login"), {"username": user.username, "password": "wrong"}).status_code == 429
        )
    assert AccessAttempt.objects.get(username=user.username).attempt_time == locked_at


def test_a_locked_out_login_page_attempt_is_recorded_with_the_forwarded_client(
    client, user_with_role, settings
):
    settings.TRUSTED_PROXIES = [PROXY]
    user = user_with_role("sales")
    client.post(
        reverse("login"),
        {"username": user.username, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert AccessAttempt.objects.get(username=user.username).ip_address == "203.0.113.7"


# --- the public lead form -----------------------------------------------------------------------------


def test_the_public_lead_form_is_limited_per_client_behind_a_trusted_proxy(client, settings):
    settings.CRM_LEAD_FORM_LIMIT = 2
    settings.TRUSTED_PROXIES = [PROXY]

    def post(i, address):
        return client.post(
            reverse("sales:lead_public"),
            {"name": f"n{i}", "phone": f"1{i}"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=address,
        ).status_code

    assert [post(i, "203.0.113.7") for i in range(3)] == [200, 200, 429]
    assert post(9, "198.51.100.9") == 200
    assert Lead.objects.count() == 3


def test_the_audit_log_records_the_forwarded_client_of_a_failed_token(api_client, settings):
    from core.models import AuditLog

    settings.TRUSTED_PROXIES = [PROXY]
    _fail_tokens(api_client, 1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AuditLog.objects.get(action="auth.token_failed").ip == "203.0.113.7"
