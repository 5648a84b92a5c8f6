"""A real Celery worker for tests marked ``broker``: ``celery -A config worker`` subprocesses on
the test database and the broker from ``CELERY_BROKER_URL``. Import the fixtures into a test
module (``from tests.worker import celery_worker_process  # noqa: F401``)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def start_celery_worker():
    """Start a worker process (``start()``; call again for more, each with a name of its own;
    ``start(EMAIL_BACKEND=…)`` sets its environment); every one started is stopped after the
    test."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    (ROOT / "var").mkdir(exist_ok=True)
    started: list[tuple[subprocess.Popen, object]] = []

    def start(**environment: str) -> subprocess.Popen:
        n = len(started) + 1
        suffix = "" if n == 1 else f"-{n}"
        log = open(ROOT / "var" / f"test-celery-worker{suffix}.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                "celery",
                "-n",
                f"test-worker-{n}@%h",
            ],
            cwd=ROOT,
            env={**env, **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((proc, log))
        return proc

    yield start
    for proc, _log in started:
        proc.terminate()
    for proc, log in started:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """One real worker on the test database."""
    return start_celery_worker()


def wait_for(predicate, *workers, timeout: float = 60.0) -> None:
    """Poll ``predicate`` until it holds; fail if a worker dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        assert all(w.poll() is None for w in workers), "a worker died"
        time.sleep(0.2)
    raise AssertionError("the worker did not get there in time")
