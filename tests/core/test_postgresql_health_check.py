"""The PostgreSQL backend checks a kept connection (SELECT 1) only after it sat idle."""

import time

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
broken = False


@pytest.fixture
def checks(monkeypatch, settings):
    settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS = 5
    connection.ensure_connection()
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    made = []
    real = connection.is_usable

    def counted():
        made.append(1)
        return real() and not broken

    monkeypatch.setattr(connection, "is_usable", counted)
    return made


def _next_request(used_seconds_ago):
    connection._first_use_at = time.monotonic() - used_seconds_ago
    connection.health_check_done = False  # as Django sets it when a request starts


def test_connection_used_a_moment_ago_is_not_checked_again(checks):
    _next_request(used_seconds_ago=0.1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
    assert checks == []


def test_connection_idle_longer_is_checked_before_its_next_use(checks):
    _next_request(used_seconds_ago=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
    assert checks == [1]


@pytest.mark.django_db(transaction=True)
def test_broken_idle_connection_is_replaced_before_use(checks, monkeypatch):
    _next_request(used_seconds_ago=60)
    monkeypatch.setitem(globals(), "broken", True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    assert checks == [1]
