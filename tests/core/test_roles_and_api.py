import pytest
from django.urls import reverse

from core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("sales", "home", "events.deliveries"),
        ("warehouse", "home", "events.deliveries"),
        ("admin", "events.deliveries", None),
    ],
)
def test_each_role_sees_its_own_navigation(client, user_with_role, role, visible, hidden):
    client.force_login(user_with_role(role))
    html = client.get(reverse("home")).content.decode()
    assert f'data-nav="{visible}"' in html
    if hidden:
        assert f'data-nav="{hidden}"' not in html


def test_api_call_outside_role_gets_403_and_is_audited(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    response = api_client.get("/api/v1/audit-log/")
    assert response.status_code == 403
    assert "results" not in response.json()
    assert AuditLog.objects.filter(action="permission.denied", actor=sales_user).exists()


def test_page_outside_role_answers_403_page(client, sales_user):
    client.force_login(sales_user)
    response = client.get(reverse("events:deliveries"))
    assert response.status_code == 403
    assert b'data-testid="forbidden"' in response.content


def test_admin_reads_audit_log_through_api(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    response = api_client.get("/api/v1/audit-log/")
    assert response.status_code == 200
    assert "results" in response.json()


def test_anonymous_page_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_login_is_audited_and_failed_login_too(client, sales_user):
    client.post(reverse("login"), {"username": sales_user.username, "password": "wrong"})
    client.post(reverse("login"), {"username": sales_user.username, "password": "pw-Secret-123"})
    actions = list(AuditLog.objects.values_list("action", flat=True))
    assert "auth.login_failed" in actions and "auth.login" in actions


def test_repeated_failed_logins_answer_429(client, sales_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": sales_user.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": sales_user.username, "password": "pw-Secret-123"})
    assert response.status_code == 429


def test_repeated_bad_api_tokens_answer_429(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope").status_code == 401
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope").status_code == 429


def test_audit_log_refuses_updates_and_deletes(sales_user):
    from core.models import AppendOnlyError

    row = AuditLog.objects.create(action="x")
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_openapi_schema_is_served(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    response = api_client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_user_without_role_is_told_to_ask_for_one(client, user_with_role):
    client.force_login(user_with_role())
    assert b"has no role yet" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content


def test_user_with_a_role_is_not_told_to_ask_for_one(client, warehouse_user):
    client.force_login(warehouse_user)
    assert b"has no role yet" not in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content
