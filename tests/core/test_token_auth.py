"""API tokens: one per login and device, expiring, revocable; the token, its user and the user's
roles are read together."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import ApiToken
from core.tokens import token_create

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"  # tests.factories.UserFactory's


def _token(user, **kwargs):
    return f"Token {token_create(user=user, **kwargs)[1]}"


def _login(api_client, user, name="", password=PASSWORD):
    return api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": password, "name": name}, format="json"
    )


def test_token_call_reports_the_users_roles(api_client, user_with_role):
    user = user_with_role("sales")
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=_token(user))
    assert response.status_code == 200
    assert response.json()["roles"] == ["sales"]


def test_token_of_an_inactive_user_is_refused(api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
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


def test_tokens_are_stored_hashed(user_with_role):
    token, text = token_create(user=user_with_role("sales"))
    assert text not in {token.digest, token.token_key}
    assert not ApiToken.objects.filter(digest__contains=text).exists()


# --- logging in for a token ---------------------------------------------------------------


def test_each_login_gets_a_token_of_its_own_named_for_its_device(api_client, user_with_role):
    user = user_with_role("sales")
    first = _login(api_client, user, name="tablet 1")
    second = _login(api_client, user, name="laptop")
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert sorted(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == ["laptop", "tablet 1"]
    for answer in (first, second):
        me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        assert me.status_code == 200


def test_a_token_expires_after_the_lifetime_setting(api_client, user_with_role, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 2
    answer = _login(api_client, user_with_role("sales")).json()
    token = ApiToken.objects.get(pk=answer["id"])
    assert abs(token.expiry - (timezone.now() + timedelta(hours=2))) < timedelta(minutes=1)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {answer['token']}").status_code == 401


def test_a_wrong_password_gets_no_token(api_client, user_with_role):
    response = _login(api_client, user_with_role("sales"), password="wrong")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


# --- revocation -----------------------------------------------------------------------------


def test_changing_the_password_revokes_every_token(api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user, name="tablet")
    user.set_password("another-Secret-456")
    user.save()
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_changing_the_password_on_its_page_revokes_every_token(client, api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user)
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Secret-456",
            "new_password2": "another-Secret-456",
        },
    )
    assert response.status_code == 302
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_deactivating_a_user_revokes_every_token(api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user)
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_saving_a_user_without_changing_credentials_keeps_the_tokens(api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user)
    user.first_name = "Li"
    user.save()
    user.groups.add(Group.objects.get(name="finance"))
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 200


def test_logging_out_revokes_the_token_used_and_only_it(api_client, user_with_role):
    user = user_with_role("sales")
    used, other = _token(user, name="a"), _token(user, name="b")
    assert api_client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=used).status_code == 204
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=used).status_code == 401
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=other).status_code == 200


def test_logging_out_everywhere_revokes_every_token(api_client, user_with_role):
    user = user_with_role("sales")
    used, other = _token(user), _token(user)
    assert api_client.post("/api/v1/auth/logout-all/", HTTP_AUTHORIZATION=used).status_code == 204
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=other).status_code == 401


def test_a_user_lists_and_revokes_their_own_tokens_only(api_client, user_with_role):
    user, other = user_with_role("sales"), user_with_role("sales")
    header = _token(user, name="mine")
    theirs, _ = token_create(user=other, name="theirs")
    listed = api_client.get("/api/v1/tokens/", HTTP_AUTHORIZATION=header).json()["results"]
    assert [(t["name"], t["current"]) for t in listed] == [("mine", True)]
    assert api_client.delete(f"/api/v1/tokens/{theirs.pk}/", HTTP_AUTHORIZATION=header).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    mine = listed[0]["id"]
    assert api_client.delete(f"/api/v1/tokens/{mine}/", HTTP_AUTHORIZATION=header).status_code == 204
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_an_admin_lists_and_revokes_anyones_tokens(api_client, user_with_role):
    admin, user = user_with_role("admin"), user_with_role("sales")
    header = _token(admin)
    token, text = token_create(user=user, name="lost phone")
    listed = api_client.get(f"/api/v1/tokens/?user={user.pk}", HTTP_AUTHORIZATION=header).json()["results"]
    assert [t["name"] for t in listed] == ["lost phone"]
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/", HTTP_AUTHORIZATION=header).status_code == 204
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {text}").status_code == 401


def test_the_tokens_page_lists_and_revokes_the_users_tokens(client, api_client, user_with_role):
    user = user_with_role("sales")
    header = _token(user, name="warehouse tablet")
    token = ApiToken.objects.get(user=user)
    client.force_login(user)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    assert "warehouse tablet" in page.content.decode()
    assert client.post("/accounts/tokens/", {"revoke": str(token.pk)}).status_code == 302
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_the_tokens_page_does_not_revoke_another_users_token(client, user_with_role):
    user, other = user_with_role("sales"), user_with_role("sales")
    theirs, _ = token_create(user=other)
    client.force_login(user)
    client.post("/accounts/tokens/", {"revoke": str(theirs.pk)})
    client.post("/accounts/tokens/", {"revoke": "all"})
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


# --- warehouse tablets ------------------------------------------------------------------------


def test_a_warehouse_tablets_token_lapses_after_the_idle_timeout(api_client, user_with_role, settings):
    settings.SESSION_IDLE_TIMEOUT_WAREHOUSE = 900
    token, text = token_create(user=user_with_role("warehouse"), name="tablet")
    assert abs(token.expiry - (timezone.now() + timedelta(seconds=900))) < timedelta(minutes=1)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {text}").status_code == 401


def test_using_a_warehouse_tablets_token_keeps_it_alive(api_client, user_with_role, settings):
    settings.SESSION_IDLE_TIMEOUT_WAREHOUSE = 900
    token, text = token_create(user=user_with_role("warehouse"))
    soon = timezone.now() + timedelta(seconds=100)
    ApiToken.objects.filter(pk=token.pk).update(expiry=soon)
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {text}").status_code == 200
    token.refresh_from_db()
    assert token.expiry > timezone.now() + timedelta(seconds=800)


def test_an_office_users_token_has_no_idle_timeout(user_with_role):
    token, _ = token_create(user=user_with_role("warehouse", "sales"))
    assert token.idle_seconds is None


def test_the_nightly_task_deletes_expired_tokens(user_with_role):
    from core.tasks import tokens_delete_expired

    user = user_with_role("sales")
    old, _ = token_create(user=user)
    live, _ = token_create(user=user)
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert tokens_delete_expired() == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [live.pk]


def test_an_unnamed_login_names_its_token_for_the_user_agent(api_client, user_with_role):
    user = user_with_role("sales")
    api_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT="ScannerApp/2.1",
    )
    assert ApiToken.objects.get(user=user).name == "ScannerApp/2.1"
