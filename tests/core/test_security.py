"""The security and reliability baseline every module inherits."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse

from core.events.models import Event
from core.middleware import LAST_SEEN_KEY
from tests.core import urls_probe

pytestmark = pytest.mark.django_db

PRODUCTION_SECURITY = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
}


# --- headers and cookies --------------------------------------------------------------------


@override_settings(**PRODUCTION_SECURITY)
def test_production_answers_carry_hsts_and_a_content_security_policy(client):
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(**PRODUCTION_SECURITY)
def test_production_session_cookie_is_secure_httponly_and_samesite(client, sales_user):
    response = client.post(
        reverse("login"), {"username": sales_user.username, "password": "pw-Secret-123"}, secure=True
    )
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert response.cookies["csrftoken"]["secure"] is True


def test_pages_allow_no_inline_script(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script


# --- sessions -------------------------------------------------------------------------------


def test_login_starts_a_new_session(client, sales_user):
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    client.post(reverse("login"), {"username": sales_user.username, "password": "pw-Secret-123"})
    after = client.cookies["sessionid"].value
    assert after and after != before


def _idle(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_warehouse_tablet_session_is_logged_out_after_idle_timeout(client, warehouse_user, settings):
    client.force_login(warehouse_user)
    _idle(client, settings.SESSION_IDLE_TIMEOUT_WAREHOUSE + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_warehouse_session_active_within_timeout_stays(client, warehouse_user, settings):
    client.force_login(warehouse_user)
    _idle(client, settings.SESSION_IDLE_TIMEOUT_WAREHOUSE - 60)
    assert client.get(reverse("home")).status_code == 200


def test_office_session_outlives_the_warehouse_timeout(client, sales_user, settings):
    client.force_login(sales_user)
    _idle(client, settings.SESSION_IDLE_TIMEOUT_WAREHOUSE + 5)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, settings.SESSION_IDLE_TIMEOUT + 5)
    assert client.get(reverse("home")).status_code == 302


# --- denied list and create -----------------------------------------------------------------


@pytest.mark.urls("tests.core.urls_probe")
def test_denied_api_list_returns_no_data(api_client, sales_user):
    Event.objects.create(name="secret.thing")
    api_client.force_authenticate(sales_user)
    response = api_client.get("/api/probe/")
    assert response.status_code == 403
    assert "secret.thing" not in response.content.decode()


@pytest.mark.urls("tests.core.urls_probe")
@pytest.mark.parametrize("role", ["sales", "manager"])
def test_denied_api_create_writes_nothing(api_client, user_with_role, role):
    api_client.force_authenticate(user_with_role(role))
    response = api_client.post("/api/probe/", {"name": "forged", "payload": {}}, format="json")
    assert response.status_code == 403
    assert not Event.objects.filter(name="forged").exists()


@pytest.mark.urls("tests.core.urls_probe")
def test_allowed_api_create_writes(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    response = api_client.post("/api/probe/", {"name": "allowed", "payload": {}}, format="json")
    assert response.status_code == 201
    assert Event.objects.filter(name="allowed").exists()


@pytest.mark.urls("tests.core.urls_probe")
def test_denied_page_list_returns_no_data(client, sales_user):
    Event.objects.create(name="secret.thing")
    client.force_login(sales_user)
    response = client.get("/probe/list/")
    assert response.status_code == 403
    assert b"secret.thing" not in response.content


# --- conflicts ------------------------------------------------------------------------------
# A request is not one transaction (no ATOMIC_REQUESTS), so the service's own transaction can be
# re-run: these tests commit for real, as requests do.


@pytest.fixture
def contention():
    urls_probe.attempts.update(count=0, fail_times=0)
    return urls_probe.attempts


@pytest.mark.urls("tests.core.urls_probe")
@pytest.mark.django_db(transaction=True)
def test_serialization_failure_is_retried_and_then_succeeds(client, sales_user, contention):
    contention["fail_times"] = 2
    client.force_login(sales_user)
    response = client.get("/probe/contended/")
    assert response.status_code == 200
    assert contention["count"] == 3
    assert Event.objects.filter(name="probe.contended").count() == 1


@pytest.mark.urls("tests.core.urls_probe")
@pytest.mark.django_db(transaction=True)
def test_lasting_serialization_failure_answers_409_page_and_writes_nothing(client, sales_user, contention):
    contention["fail_times"] = 99
    client.force_login(sales_user)
    response = client.get("/probe/contended/")
    assert response.status_code == 409
    assert contention["count"] == 3
    assert not Event.objects.filter(name="probe.contended").exists()


@pytest.mark.urls("tests.core.urls_probe")
@pytest.mark.django_db(transaction=True)
def test_lasting_serialization_failure_answers_409_in_the_api(api_client, admin_user, contention):
    contention["fail_times"] = 99
    api_client.force_authenticate(admin_user)
    response = api_client.post("/api/probe/contended/")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert contention["count"] == 3
    assert not Event.objects.filter(name="probe.contended").exists()


# --- Celery ---------------------------------------------------------------------------------


def test_celery_acknowledges_late_and_requeues_on_a_lost_worker():
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_broker_visibility_timeout_is_longer_than_the_longest_task():
    from config.celery import app

    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_event_task_is_queued_only_after_commit(monkeypatch, sales_user, django_capture_on_commit_callbacks):
    from django.db import transaction

    from core.events import registry, services, tasks

    queued = []
    monkeypatch.setattr(tasks.dispatch_event, "delay", lambda event_id: queued.append(event_id))

    @registry.on("probe.queued")
    def noop(event):
        pass

    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            event = services.publish("probe.queued", {})
            assert queued == []
        assert queued == [event.pk]
    finally:
        registry.unregister("probe.queued", registry.handler_name(noop))
