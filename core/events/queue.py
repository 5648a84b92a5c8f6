"""Handing published events to the worker: a dispatch task per event, or (with a Redis broker)
one task for a run of events, counted in Redis (``enqueue_event``). A broker that cannot be
reached loses nothing: the event stays pending and the sweep dispatches it."""

import logging

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

_PUBLISHED_KEY = "tandem:events:published"
# Count one more published event; the first of a run starts the count's life.
_COUNT_SCRIPT = """local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n"""
# Take the count (how many events were published since the last take) and start again.
_TAKE_SCRIPT = """local n = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
return n"""
_counters: dict[str, object] = {}


def published_counter():
    """The Redis client that counts events published since a dispatch task last started, or
    None when events are not coalesced (tasks in-process, a broker other than Redis, or
    ``EVENTS_COALESCE_SECONDS`` = 0)."""
    if current_app.conf.task_always_eager or settings.EVENTS_COALESCE_SECONDS <= 0:
        return None
    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = _counters.get(url)
    if client is None:
        import redis

        client = _counters[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def published_key() -> str:
    """The count's key, under the broker's key prefix (``BROKER_KEY_PREFIX``) like the queue
    whose tasks take it."""
    options = current_app.conf.broker_transport_options or {}
    return options.get("global_keyprefix", "") + _PUBLISHED_KEY


def enqueue_event(event_id: int | None) -> None:
    """Queue a dispatch task for the event, unless one is already queued and not yet started.

    Each published event adds one to a count in Redis; only the event that starts a count
    queues a task. That task takes the count when it starts and, if other events came after
    its own, works off every fresh pending delivery. Under load a few tasks carry many events
    and the web request pays one Redis command instead of a task message. The count lives
    ``EVENTS_COALESCE_SECONDS`` at most, should its task be lost (then the next event queues a
    task again, which finds the backlog; the sweep is the last resort)."""
    from core.events.tasks import dispatch_event

    counter = published_counter()
    if counter is not None:
        try:
            count = counter.eval(_COUNT_SCRIPT, 1, published_key(), settings.EVENTS_COALESCE_SECONDS)
            if int(count) > 1:
                return
        except Exception:  # noqa: BLE001 - Redis hiccup: queue the task as without the count
            logger.warning("Could not count event %s; queueing its task.", event_id, exc_info=True)
    try:
        if counter is not None and settings.EVENTS_DISPATCH_DELAY_MS > 0:
            # The task starts a moment later and takes the events published meanwhile along.
            dispatch_event.apply_async((event_id,), countdown=settings.EVENTS_DISPATCH_DELAY_MS / 1000)
        else:
            dispatch_event.delay(event_id)
    except Exception:
        # The broker is down: the sweep re-dispatches undelivered events, nothing is lost.
        logger.warning("Could not queue event %s; the sweep will dispatch it.", event_id, exc_info=True)
        if counter is not None:
            take_published_count(counter)


def take_published_count(counter) -> int:
    """How many events were published since the last take (0 when the count has gone)."""
    try:
        return int(counter.eval(_TAKE_SCRIPT, 1, published_key()) or 0)
    except Exception:  # noqa: BLE001 - treated as "unknown": the task drains if it is behind
        logger.warning("Could not take the published events count.", exc_info=True)
        return 0


def enqueue_delivery(delivery_id: int, countdown: int | None = None) -> None:
    from core.events.tasks import dispatch_delivery

    try:
        dispatch_delivery.apply_async((delivery_id,), countdown=countdown)
    except Exception:
        logger.warning("Could not queue delivery %s; the sweep will retry it.", delivery_id, exc_info=True)
