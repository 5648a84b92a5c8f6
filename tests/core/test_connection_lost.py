"""A database connection lost during a request is answered 503 with Retry-After, never 500; a
deadlock is not a lost connection; a kept connection the database dropped between requests is
replaced by Django's health check before it is used."""

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, close_old_connections, connection, connections
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from core import db as core_db
from core.views import server_error


@pytest.fixture(autouse=True)
def _in_english(settings):
    """The messages are asserted in English: pages and the API answer in it (a client that asks
    for no language gets LANGUAGE_CODE), and so do services called here."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


ONE_STATEMENT = "SELECT 1"


def _lost(message="server closed the connection unexpectedly", cause=None) -> OperationalError:
    error = OperationalError(message)
    error.__cause__ = cause
    return error


@pytest.fixture
def on_postgresql(monkeypatch):
    """``is_connection_lost`` as on PostgreSQL, whatever database runs the test."""
    monkeypatch.setattr(core_db, "connection", type("C", (), {"vendor": "postgresql"})())


@pytest.mark.parametrize(
    "exc",
    [
        _lost(),
        _lost("terminating connection due to administrator command", psycopg.errors.AdminShutdown()),
        _lost("connection failed: Connection refused", psycopg.OperationalError("connection failed")),
        InterfaceError("connection already closed"),
    ],
    ids=["closed", "terminated", "refused", "interface"],
)
def test_a_dropped_refused_or_closed_connection_is_a_lost_connection(on_postgresql, exc):
    assert core_db.is_connection_lost(exc)


@pytest.mark.parametrize(
    "exc",
    [
        _lost("deadlock detected", psycopg.errors.DeadlockDetected()),
        _lost("could not serialize access", psycopg.errors.SerializationFailure()),
        _lost("division by zero", psycopg.errors.DivisionByZero()),
        ValueError("not a database error"),
    ],
    ids=["deadlock", "serialization", "bad-statement", "other"],
)
def test_a_conflict_or_a_bad_statement_is_not_a_lost_connection(on_postgresql, exc):
    assert not core_db.is_connection_lost(exc)


def _raising(exc):
    def view(*args, **kwargs):
        raise exc

    return view


@pytest.mark.django_db
def test_api_call_that_loses_the_connection_answers_503_with_retry_after(
    on_postgresql, monkeypatch, sales_user
):
    from crm.customers.api import CustomerViewSet

    monkeypatch.setattr(CustomerViewSet, "list", _raising(_lost()))
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(sales_user)
    response = client.get("/api/v1/customers/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(core_db.CONNECTION_LOST_RETRY_AFTER)
    assert "database" in response.json()["detail"]


@pytest.mark.django_db
def test_deadlock_that_survived_its_retries_is_still_a_409(on_postgresql, monkeypatch, sales_user):
    from crm.customers.api import CustomerViewSet

    monkeypatch.setattr(
        CustomerViewSet, "list", _raising(_lost("deadlock", psycopg.errors.DeadlockDetected()))
    )
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(sales_user)
    assert client.get("/api/v1/customers/").status_code == 409


@pytest.mark.django_db
def test_page_that_loses_the_connection_answers_503_with_retry_after(on_postgresql, monkeypatch, sales_user):
    from crm.customers import selectors

    monkeypatch.setattr(selectors, "customer_list", _raising(_lost()))
    client = Client(raise_request_exception=False)
    client.force_login(sales_user)
    response = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == str(core_db.CONNECTION_LOST_RETRY_AFTER)
    assert "Try again in a moment" in response.content.decode()


def test_connection_lost_before_any_view_ran_answers_503(on_postgresql):
    """Loading the session or the user (a middleware) met the lost connection: Django's 500
    handler gives the same 503."""
    request = RequestFactory().get("/api/v1/customers/")
    try:
        raise _lost()
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"]


def test_any_other_error_is_still_the_500_page():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_killed_mid_request_answers_503_and_the_next_request_works(sales_user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(sales_user)
    assert client.get("/api/v1/customers/").status_code == 200
    _terminate(connection)
    try:
        # The test client does not run Django's per-request health check: the query meets the
        # dead connection, as a request does when the database drops it mid-request.
        response = client.get("/api/v1/customers/")
        assert response.status_code == 503 and response["Retry-After"]
        close_old_connections()  # as at the end of every request: the broken connection goes
        assert client.get("/api/v1/customers/").status_code == 200
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_kept_connection_dropped_between_requests_is_replaced_before_use():
    """CONN_HEALTH_CHECKS (Django's own check) on every request: a kept connection the database
    dropped costs no failed request."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    connection.ensure_connection()
    _terminate(connection)
    close_old_connections()  # a request starts
    with connection.cursor() as cursor:
        cursor.execute(ONE_STATEMENT)
        assert cursor.fetchone() == (1,)


def _terminate(victim) -> None:
    pid = victim.connection.info.backend_pid
    with connections.create_connection("default").cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
