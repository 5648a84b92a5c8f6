"""rest_framework.authtoken's plain tokens become hashed API tokens that keep working for one
lifetime; the table of plain keys goes."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from core.models import ApiToken

pytestmark = pytest.mark.django_db

migration = importlib.import_module("core.migrations.0006_api_tokens_from_authtoken")
KEY = "368ffb1c6f747faf51cd4089c555e57d827bfca1"


class _Editor:
    connection = connection

    def quote_name(self, name):
        return connection.ops.quote_name(name)

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_old_tokens_are_carried_over_hashed_and_keep_working(api_client, user_with_role, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 24
    user = user_with_role("sales")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id integer)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [KEY, "2026-01-02 03:04:05", user.pk],
        )
    migration.forwards(apps, _Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=user)
    assert KEY not in token.digest and token.name == "migrated"
    assert abs(token.expiry - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {KEY}").status_code == 200


def test_without_the_old_table_nothing_happens(user_with_role):
    migration.forwards(apps, _Editor())
    assert not ApiToken.objects.exists()
