"""End to end through a real Celery worker process: publish → broker → worker → handler."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from core.events import services
from core.events.handlers import PING
from core.events.models import Delivery, Notification

ROOT = Path(__file__).resolve().parents[3]


def test_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's ``test_…`` database)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False


@pytest.fixture
def worker(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TANDEM_ALLOW_INSECURE_KEY": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    command += ["--hostname", f"test-{os.getpid()}@%h"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()
    print((tmp_path / "worker.log").read_text()[-4000:])


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_event_published_in_a_transaction_is_handled_by_a_worker_process(worker, sales_user):
    with transaction.atomic():
        event = services.publish(PING, {"user_id": sales_user.pk})

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if Delivery.objects.filter(event=event, state=Delivery.State.DONE).exists():
            break
        assert worker.poll() is None, "the worker process exited"
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not handle the event within 90 seconds")

    assert Notification.objects.filter(user=sales_user, key=f"ping:{event.pk}").count() == 1
    assert Delivery.objects.get(event=event).attempts == 1
