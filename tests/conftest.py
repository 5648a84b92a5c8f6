"""Shared test set-up: a cheap password hasher, role users, the rule that tests needing a
service (PostgreSQL, a live broker) are skipped on the embedded default but fail in CI, and what
keeps parallel workers (pytest-xdist, ``-n``) apart on the shared Redis dbs and under
PostgreSQL's connection limit."""

import fcntl
import os

import pytest
from django.conf import settings

from tests import row_locks
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("TANDEM_REQUIRE_SERVICES", "") in {"1", "true", "yes"}
# The fault tests and the API fuzzer take minutes and stop services: `.ci/run` runs them in a step
# of their own (TANDEM_SLOW_CHECKS=1); every other run leaves them out.
SLOW_CHECKS = os.environ.get("TANDEM_SLOW_CHECKS", "") in {"1", "true", "yes"}
SLOW_MARKERS = ("fault", "fuzz")
CHROMIUM = "/usr/bin/chromium"
# "gw0", "gw1", … in a parallel run (pytest-xdist), empty otherwise.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_configure(config):
    """In a parallel run each worker process gets its own key prefix on the Redis dbs the run
    shares: its cache keys (each test clears only its own worker's, not the rate-limit counters
    and import previews of a test running next door) and its broker keys (the task queue and the
    outbox's published-events count, inherited through the environment by the Celery worker
    processes the broker tests start, so two such workers never take each other's tasks)."""
    row_locks.install()
    if not XDIST_WORKER:
        return
    from config.celery import app

    prefix = f"test-{XDIST_WORKER}:"
    os.environ["BROKER_KEY_PREFIX"] = prefix
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": prefix}
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    app.conf.broker_transport_options = options
    # In place: the cache handler reads this dict when the first test opens the cache.
    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{XDIST_WORKER}"


FIGURES = "printed_figures"


def pytest_terminal_summary(terminalreporter):
    """Figures a test recorded for the run's log (``record_property(FIGURES, text)``: the
    time-to-value walk's table), printed after the results whatever the capture, and also from
    the workers of a parallel run (xdist hands each report's properties to the main process)."""
    seen = set()
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call" or report.nodeid in seen:
                continue
            texts = [text for name, text in getattr(report, "user_properties", ()) if name == FIGURES]
            if texts:
                seen.add(report.nodeid)
                terminalreporter.write_sep("-", f"figures of {report.nodeid}")
                for text in texts:
                    terminalreporter.write_line(text)


def _has_browser() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    if not SLOW_CHECKS:
        slow = [item for item in items if any(item.get_closest_marker(m) for m in SLOW_MARKERS)]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if item not in slow]
    is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(settings.CELERY_BROKER_URL)
    for item in items:
        missing = None
        if item.get_closest_marker("postgres") and not is_postgres:
            missing = "PostgreSQL (set DATABASE_URL)"
        if item.get_closest_marker("broker") and not (has_broker and is_postgres):
            missing = "a Celery broker and PostgreSQL (set CELERY_BROKER_URL and DATABASE_URL)"
        if item.get_closest_marker("browser") and not _has_browser():
            missing = f"Playwright and Chromium at {CHROMIUM}"
        if missing:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"TANDEM_REQUIRE_SERVICES is set: {item.nodeid} needs {missing}")
            item.add_marker(pytest.mark.skip(reason=f"needs {missing}"))


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process (as on the embedded default) even when CI sets a broker URL; only
    tests marked ``broker`` talk to the real broker and worker."""
    from config.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _row_locks_name_their_rows():
    """A query that locks rows and joins another table without ``of=`` fails the test that ran
    it (``tests/row_locks.py``)."""
    row_locks.found.clear()
    yield
    found = sorted(set(row_locks.found))
    row_locks.found.clear()
    assert not found, "select_for_update must name what it locks (of=): " + "; ".join(found)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True
    # One dispatch task per event, as the tests count them; tests of coalescing turn it on.
    settings.EVENTS_COALESCE_SECONDS = 0
    _cache_clear()
    # A cache failure seen by an earlier test (the cache outage tests) is forgotten.
    from core import counters, preferences

    counters.reset_state()
    preferences.cache_clear()


_redis_clients: dict = {}


def _cache_clear():
    """Empty this worker's cache. A Redis cache's ``clear()`` empties the whole db, so in a
    parallel run only the keys under this worker's prefix are deleted."""
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if not (prefix and settings.REDIS_URL):
        cache.clear()
        return
    import redis

    client = _redis_clients.get(settings.REDIS_URL)
    if client is None:
        client = _redis_clients[settings.REDIS_URL] = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def user_with_role(db):
    def make(*roles, **kwargs):
        return UserFactory(roles=roles, **kwargs)

    return make


def _role_fixture(role):
    @pytest.fixture
    def fixture(db):
        return UserFactory(roles=[role], username=f"{role}-user")

    return fixture


sales_user = _role_fixture("sales")
service_user = _role_fixture("service")
warehouse_user = _role_fixture("warehouse")
purchasing_user = _role_fixture("purchasing")
finance_user = _role_fixture("finance")
manager_user = _role_fixture("manager")
admin_user = _role_fixture("admin")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def in_english(settings):
    """Pages, API answers and messages in English, for tests that read their words."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _one_connection_hungry_test_at_a_time(request, tmp_path_factory):
    """A test marked ``many_connections`` (dozens of threads, each with its own connection) holds
    a lock that every test worker of the run shares, so two of them never run side by side. The
    rest open a handful each, so a run stays under PostgreSQL's ``max_connections`` (100 by
    default): past it the server refuses connections and the app answers 503."""
    if request.node.get_closest_marker("many_connections") is None:
        yield
        return
    # The workers' temporary directories share this parent (and a run without workers its own).
    lock_path = tmp_path_factory.getbasetemp().parent / "many-connections.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
