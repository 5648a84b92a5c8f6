"""The one settings module, switched by environment variables (read in a fresh interpreter so
each case sees its own environment)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
import django
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "health_checks": db["CONN_HEALTH_CHECKS"],
    "name": str(db["NAME"]), "host": db.get("HOST") or "",
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY, "samesite": settings.SESSION_COOKIE_SAMESITE,
    "hsts": settings.SECURE_HSTS_SECONDS, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
}))
"""

CLEARED = (
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "SECURE_COOKIES",
    "CELERY_BROKER_URL",
    "BROKER_KEY_PREFIX",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "TANDEM_ALLOW_INSECURE_KEY",
)


def settings_with(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_database_url_the_database_is_a_sqlite_file_under_var(tmp_path):
    found = settings_with(DEBUG="1", TANDEM_VAR_DIR=str(tmp_path))
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "tandem.sqlite3")


def test_postgres_database_url_selects_postgresql():
    found = settings_with(DEBUG="1", DATABASE_URL="postgres://tandem@db.example:5432/tandem_prod")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["health_checks"] is True  # a dropped connection is replaced, not a failed request
    assert (found["name"], found["host"]) == ("tandem_prod", "db.example")


def test_sqlite_database_url_selects_sqlite(tmp_path):
    found = settings_with(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == f"{tmp_path}/other.sqlite3"


def test_without_broker_tasks_run_in_process_and_with_one_they_are_queued():
    assert settings_with(DEBUG="1")["eager"] is True
    queued = settings_with(DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/9")
    assert queued["eager"] is False and queued["broker"] == "redis://127.0.0.1:6379/9"


def test_broker_keys_go_under_the_prefix_from_the_environment():
    found = settings_with(DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/9", BROKER_KEY_PREFIX="shop2:")
    assert found["broker_options"]["global_keyprefix"] == "shop2:"
    assert "global_keyprefix" not in settings_with(DEBUG="1")["broker_options"]


def test_production_refuses_to_start_without_a_secret_key():
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0"})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_cookies_are_secure_httponly_samesite_and_hsts_is_on():
    found = settings_with(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="tandem.example.com")
    assert found["session_secure"] is True and found["csrf_secure"] is True
    assert found["session_httponly"] is True
    assert found["samesite"] in {"Lax", "Strict"}
    assert found["hsts"] >= 31536000
    assert found["ssl_redirect"] is True


def test_development_cookies_work_over_plain_http():
    found = settings_with(DEBUG="1")
    assert found["session_secure"] is False and found["hsts"] == 0


def test_email_file_path_comes_from_the_environment(tmp_path):
    probe = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    )
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "outgoing"),
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "outgoing"),
    ]
