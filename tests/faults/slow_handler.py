"""A handler that takes its time, for the fault tests: a worker busy with it when the broker
drops. Loaded by the test process (so events get a delivery for it) and by the worker
(``celery worker --include tests.faults.slow_handler``)."""

import time

from core.events.registry import on

SLOW = "test.fault.slow"


@on(SLOW)
def take_time(event):
    time.sleep(float(event.payload.get("seconds", 0.2)))
