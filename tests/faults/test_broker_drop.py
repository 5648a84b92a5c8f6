"""The broker connection drops while the worker is busy: the worker process stays up, connects
again when the broker is back, and the work gets done (what the broker lost with it is
dispatched again by the outbox's sweep)."""

import os
import time

import pytest
from django.db import transaction

from core.events import dispatch, services
from core.events.models import Delivery
from tests.faults.conftest import log_of, wait_until
from tests.faults.slow_handler import SLOW

pytestmark = [pytest.mark.fault, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

DROPS = int(os.environ.get("TANDEM_FAULT_BROKER_DROPS", "3"))


def _pending() -> int:
    return Delivery.objects.filter(event__name=SLOW).exclude(state=Delivery.State.DONE).count()


def test_busy_worker_survives_broker_drops_reconnects_and_finishes_the_work(
    redis_server, start_worker, use_broker, processes, settings
):
    settings.EVENTS_SWEEP_GRACE_SECONDS = 0
    # Each task runs its own event only (no draining of others): the work goes through the broker.
    worker = start_worker(
        redis_server.url, "--include", "tests.faults.slow_handler", EVENTS_DRAIN_AFTER_SECONDS="3600"
    )

    def log():
        return log_of(processes, worker)

    wait_until(lambda: "ready." in log(), timeout=60, alive=[worker], what="worker ready")
    use_broker(redis_server.url)
    events = 25 * DROPS
    for _ in range(events):
        with transaction.atomic():
            services.publish(SLOW, {"seconds": 0.5})

    for drop in range(DROPS):
        # Busy: tasks received on this connection and running in the pool when it drops.
        connected = log().count("Connected to")
        wait_until(
            lambda c=connected: (
                log().count("Connected to") >= c
                and log().rsplit("Connected to", 1)[-1].count("received") >= 2
            ),
            timeout=60,
            alive=[worker],
            what="the worker busy",
        )
        time.sleep(0.7)
        assert _pending() > 0, "the worker was not busy when the broker dropped"
        redis_server.stop(crash=drop % 2 == 0)  # killed, or shut down as a restart does
        time.sleep(3)
        assert worker.poll() is None, log()[-4000:]
        connections = log().count("Connected to")
        redis_server.start()
        wait_until(
            lambda c=connections: log().count("Connected to") > c,
            timeout=60,
            alive=[worker],
            what="the worker connected again",
        )
        dispatch.sweep()  # as beat's sweep does: what the dropped broker lost is queued again

    def all_done():
        if _pending() == 0:
            return True
        dispatch.sweep()
        return False

    wait_until(all_done, timeout=120, alive=[worker], every=2, what="every delivery done")
    assert worker.poll() is None, log()[-4000:]
    assert Delivery.objects.filter(event__name=SLOW, state=Delivery.State.DONE).count() == events
