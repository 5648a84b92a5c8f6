"""Dispatch tasks that are behind, racing on PostgreSQL: every delivery runs once."""

import threading

import pytest
from django.db import connection, transaction

from config.celery import app
from core.events import dispatch, registry, services
from core.events.models import Delivery

runs: list[int] = []
lock = threading.Lock()


@pytest.fixture
def slow_handler():
    runs.clear()

    @registry.on("test.drained")
    def count(event):
        # Holds its delivery's lock a moment, so that the racing tasks meet.
        connection.cursor().execute("SELECT pg_sleep(0.002)")
        with lock:
            runs.append(event.pk)

    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    yield
    app.conf.task_always_eager = previous
    registry.unregister("test.drained", registry.handler_name(count))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_dispatch_tasks_that_are_behind_run_each_delivery_once(slow_handler, settings):
    settings.EVENTS_DRAIN_AFTER_SECONDS = 0
    settings.EVENTS_DISPATCH_BATCH = 1000
    with transaction.atomic():
        events = [services.publish("test.drained") for _ in range(120)]
    # The tasks of the first few events, run at once by four worker processes.
    errors = []

    def task(event_id):
        try:
            dispatch.event_dispatch(event_id=event_id)
        except Exception as exc:  # noqa: BLE001 - shown below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=task, args=(e.pk,)) for e in events[:4]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(runs) == sorted(e.pk for e in events)
    assert set(Delivery.objects.filter(event__name="test.drained").values_list("state", "attempts")) == {
        ("done", 1)
    }
