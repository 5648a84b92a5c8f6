"""The transactional outbox.

``publish`` writes an event and one delivery per registered handler inside the caller's
transaction, and queues a dispatch task on commit. A rolled-back transaction leaves no event, so
nothing is ever handled for a change that did not happen. ``delivery_run`` runs one handler in a
transaction that also marks the delivery done: a second run (a duplicate task, a racing worker,
a sweep) finds it done, or locked, and does nothing.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.events import registry
from core.events.models import Delivery, Event, Notification

logger = logging.getLogger(__name__)


def publish(name: str, payload: dict | None = None) -> Event:
    """Record ``name`` with ``payload`` (ids and plain values, not objects) in the current
    transaction and hand it to the dispatcher once the transaction commits."""
    handlers = registry.handlers_for(name)
    # Joins the caller's transaction (no savepoint): the event belongs to the caller's change.
    with transaction.atomic(savepoint=False):
        if handlers and connection.vendor == "postgresql":
            event = _insert_event_and_deliveries(name, payload or {})
        else:
            event = Event.objects.create(name=name, payload=payload or {})
            Delivery.objects.bulk_create([Delivery(event=event, handler=h) for h in handlers])
    if handlers:
        transaction.on_commit(partial(_enqueue_event, event.pk))
    return event


def _insert_event_and_deliveries(name: str, payload: dict) -> Event:
    """The event and its deliveries in one statement (PostgreSQL): every confirmed order pays
    for this, and two ORM inserts cost more to build than to run."""
    now = timezone.now()
    event = Event(name=name, payload=payload, created_at=now)
    ctes, params = outbox_ctes(
        name, "%s::jsonb", "(SELECT 1) AS one", [json.dumps(payload, cls=DjangoJSONEncoder)], now=now
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} SELECT id FROM published", params)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    return event


def outbox_ctes(
    name: str, payload_sql: str, source: str, payload_params: list = (), *, now=None
) -> tuple[str, list]:
    """For a service that changes rows and publishes about them in one statement (PostgreSQL):
    the common table expressions ``published`` (the new events' ids) and ``delivered`` that
    publish ``name`` once for each row of ``source`` (a table expression earlier in the same
    statement), with the payload ``payload_sql`` (a jsonb expression over ``source``'s columns,
    its parameters in ``payload_params``) and one delivery per registered handler. After the
    statement, hand the ids to ``published``."""
    now = now or timezone.now()
    sql = f"""published AS (
            INSERT INTO {Event._meta.db_table} (name, payload, created_at)
            SELECT %s, {payload_sql}, %s FROM {source} RETURNING id
        ), delivered AS (
            INSERT INTO {Delivery._meta.db_table} (event_id, handler, state, attempts, last_error, created_at)
            SELECT published.id, h, %s, 0, '', %s FROM published, unnest(%s::text[]) AS h
        )"""
    handlers = list(registry.handlers_for(name))
    return sql, [name, *payload_params, now, Delivery.State.PENDING, now, handlers]


def published(name: str, event_ids: list[int]) -> None:
    """The events of a statement built with ``outbox_ctes`` go to the dispatcher once the
    caller's transaction commits (at once outside a transaction), as ``publish`` does."""
    if registry.handlers_for(name):
        for event_id in event_ids:
            transaction.on_commit(partial(_enqueue_event, event_id))


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


def _published_counter():
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


def _enqueue_event(event_id: int | None) -> None:
    """Queue a dispatch task for the event, unless one is already queued and not yet started.

    Each published event adds one to a count in Redis; only the event that starts a count
    queues a task. That task takes the count when it starts and, if other events came after
    its own, works off every fresh pending delivery. Under load a few tasks carry many events
    and the web request pays one Redis command instead of a task message. The count lives
    ``EVENTS_COALESCE_SECONDS`` at most, should its task be lost (then the next event queues a
    task again, which finds the backlog; the sweep is the last resort)."""
    from core.events.tasks import dispatch_event

    counter = _published_counter()
    if counter is not None:
        try:
            count = counter.eval(_COUNT_SCRIPT, 1, _PUBLISHED_KEY, settings.EVENTS_COALESCE_SECONDS)
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
            _take_published_count(counter)


def _take_published_count(counter) -> int:
    """How many events were published since the last take (0 when the count has gone)."""
    try:
        return int(counter.eval(_TAKE_SCRIPT, 1, _PUBLISHED_KEY) or 0)
    except Exception:  # noqa: BLE001 - treated as "unknown": the task drains if it is behind
        logger.warning("Could not take the published events count.", exc_info=True)
        return 0


def _enqueue_delivery(delivery_id: int, countdown: int | None = None) -> None:
    from core.events.tasks import dispatch_delivery

    try:
        dispatch_delivery.apply_async((delivery_id,), countdown=countdown)
    except Exception:
        logger.warning("Could not queue delivery %s; the sweep will retry it.", delivery_id, exc_info=True)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base … capped at one hour."""
    seconds = settings.EVENTS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def event_dispatch(*, event_id: int | None) -> dict[str, str]:
    """Run every pending, due delivery of one event, each in its own transaction: one failing
    handler blocks no other.

    When the worker is behind (this event waited longer than ``EVENTS_DRAIN_AFTER_SECONDS``, or
    another task already ran it), the task goes on with other fresh pending deliveries, oldest
    first, up to ``EVENTS_DISPATCH_BATCH`` in all: a backlog is worked off by whichever task
    runs, and the tasks of the deliveries it took find them done at the cost of one statement.
    On PostgreSQL it takes them ``EVENTS_HANDLER_BATCH`` at a time, each lot in one transaction
    (``_run_fresh_batch``). With coalesced events (``_enqueue_event``) the task also goes on
    when events were published while it was queued (they have no task of their own); a full
    batch then queues the next.
    """
    results: dict[str, str] = {}
    counter = _published_counter()
    # Taken before the first claim: an event counted after it has a task of its own.
    published = _take_published_count(counter) if counter is not None else 0
    coalesced = published > 1 or (counter is not None and event_id is None)
    behind, after = coalesced, 0
    while event_id is not None:
        pk, result, waited = _claim_and_run(event_id=event_id, after=after)
        if pk is None:
            break
        results[str(pk)] = result
        behind = behind or waited > settings.EVENTS_DRAIN_AFTER_SECONDS
        if result == "last":  # the event has no other pending delivery: no empty claim
            results[str(pk)] = "done"
            break
        after = pk
    if (behind or not results) and not current_app.conf.task_always_eager:
        batch = _BatchCache()
        token = _batch.set(batch)
        try:
            pk = None
            while len(results) < settings.EVENTS_DISPATCH_BATCH:
                if _claims_many():
                    ran = _run_fresh_batch(
                        min(settings.EVENTS_HANDLER_BATCH, settings.EVENTS_DISPATCH_BATCH - len(results))
                    )
                    results.update(ran)
                    pk = int(next(reversed(ran))) if ran else None
                else:
                    pk, result, _waited = _claim_and_run(fresh=True)
                    if pk is not None:
                        results[str(pk)] = result
                if pk is None:
                    break
        finally:
            _batch.reset(token)
        if coalesced and pk is not None:  # the batch is full and more may wait
            _enqueue_event(None)
    return results


def delivery_run(*, delivery_id: int) -> str:
    """Run one delivery's handler exactly once in effect.

    Returns ``done``, ``retry``, ``dead`` or ``skipped`` (not pending, not due, or being run by
    another worker).
    """
    _pk, result, _waited = _claim_and_run(delivery_id=delivery_id)
    return result


class _BatchCache(dict):
    """What a handler may keep from one delivery to the next within one dispatch batch (a
    fraction of a second): reference data such as the active warehouses."""


_batch: ContextVar[_BatchCache | None] = ContextVar("events_batch", default=None)


def batch_cache() -> dict | None:
    """The running dispatch batch's cache, or None outside a batch (then cache nothing)."""
    return _batch.get()


def _claim_and_run(
    *, delivery_id: int | None = None, event_id: int | None = None, after: int = 0, fresh: bool = False
) -> tuple[int | None, str, float]:
    """Claim one pending delivery and run its handler in one transaction.

    The claim is one statement: it locks the delivery (SKIP LOCKED: a second worker racing for
    it skips it instead of waiting) and marks it done. The handler runs in the same transaction,
    so its effect and ``done`` commit together; if it raises, both roll back and the failure is
    recorded. A second run (a duplicate task, a racing worker, a sweep) finds nothing to claim.
    Returns the delivery id (None when nothing was claimed), the outcome and how long the
    delivery had waited (seconds). By ``event_id``, ``last`` instead of ``done`` tells that the
    event had no other pending delivery after this one.
    """
    now = timezone.now()
    claimed = None
    try:
        with transaction.atomic():
            claimed = _claim(now=now, delivery_id=delivery_id, event_id=event_id, after=after, fresh=fresh)
            if claimed is None:
                return None, "skipped", 0.0
            delivery, event, more = claimed
            func = registry.get_handler(event.name, delivery.handler)
            if func is None:
                raise LookupError(f"No handler {delivery.handler} for {event.name}")
            func(event)
        done = "last" if event_id is not None and not more else "done"
        return delivery.pk, done, (now - delivery.created_at).total_seconds()
    except Exception as exc:  # noqa: BLE001 - any handler failure is recorded, never lost
        pk = claimed[0].pk if claimed else delivery_id
        if pk is None:
            raise
        logger.exception("Handler failed for delivery %s", pk)
        return pk, _delivery_failed(pk, exc), 0.0


def _claims_many() -> bool:
    return settings.EVENTS_HANDLER_BATCH > 1 and connection.vendor == "postgresql"


def _run_fresh_batch(limit: int) -> dict[str, str]:
    """Claim up to ``limit`` of the oldest fresh pending deliveries (one statement) and run them
    in one transaction; a handler registered with ``registry.batch_of`` gets its events in one
    call. If anything fails the transaction rolls back and each delivery runs on its own, its
    failure recorded as usual. Returns the outcome by delivery id, in claim order (empty when
    nothing was pending)."""
    claimed: list = []
    try:
        with transaction.atomic():
            claimed = _claim_fresh_many(now=timezone.now(), limit=limit)
            groups: dict[tuple[str, str], list[Event]] = {}
            for delivery, event in claimed:
                groups.setdefault((event.name, delivery.handler), []).append(event)
            for (name, handler), events in groups.items():
                many = registry.get_batch_handler(handler) if len(events) > 1 else None
                if many is not None:
                    many(events)
                    continue
                func = registry.get_handler(name, handler)
                if func is None:
                    raise LookupError(f"No handler {handler} for {name}")
                for event in events:
                    func(event)
        return {str(delivery.pk): "done" for delivery, _event in claimed}
    except Exception:
        if not claimed:
            raise
        logger.info("A batch of %s deliveries failed; running them one by one.", len(claimed), exc_info=True)
        return {str(d.pk): _claim_and_run(delivery_id=d.pk)[1] for d, _event in claimed}


_DELIVERY = Delivery._meta.db_table
_EVENT = Event._meta.db_table
_NOT_PENDING_PARAMS = [state for state in Delivery.State.values if state != Delivery.State.PENDING]
_NOT_PENDING = f"state NOT IN ({', '.join(['%s'] * len(_NOT_PENDING_PARAMS))})"


def _claim(*, now, delivery_id=None, event_id=None, after=0, fresh=False):
    """Lock one pending delivery and mark it done (one UPDATE … RETURNING, with its event).

    By ``delivery_id``, or the first due one of ``event_id`` after the id ``after``; with
    ``fresh`` the oldest pending delivery that never failed (one that failed waits for its
    retry). The caller's transaction makes ``done`` stick only if the handler succeeds. Returns
    (delivery, event, how many more due deliveries the event has after this one) or None."""
    due = "(next_attempt_at IS NULL OR next_attempt_at <= %s)"
    at = connection.ops.adapt_datetimefield_value(now)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    if fresh:
        where, params = "state = %s AND next_attempt_at IS NULL", [Delivery.State.PENDING]
    elif delivery_id is not None or event_id is not None:
        if delivery_id is not None:
            where, params = "id = %s", [delivery_id]
        else:
            where, params = "event_id = %s AND id > %s", [event_id, after]
        # "Pending" said as "neither done nor dead": the filter then matches no index on pending
        # rows only, and the plan reads the delivery's or the event's own few index entries,
        # however long the backlog (and whatever the statistics think).
        where += f" AND {_NOT_PENDING} AND {due}"
        params += [*_NOT_PENDING_PARAMS, at]
    else:
        raise ValueError("delivery_id, event_id or fresh")
    sql = (
        f"UPDATE {_DELIVERY} SET state = %s, handled_at = %s, attempts = attempts + 1, last_error = '' "
        f"WHERE id = (SELECT id FROM {_DELIVERY} WHERE {where} ORDER BY id LIMIT 1{lock}) "
        f"RETURNING id, handler, event_id, attempts, created_at, "
        f"(SELECT name FROM {_EVENT} e WHERE e.id = event_id), "
        f"(SELECT payload FROM {_EVENT} e WHERE e.id = event_id), "
        f"(SELECT created_at FROM {_EVENT} e WHERE e.id = event_id), "
        # Read in the statement's snapshot, where the claimed row is still pending.
        f"(SELECT count(*) FROM {_DELIVERY} o WHERE o.event_id = {_DELIVERY}.event_id "
        f"AND o.id > {_DELIVERY}.id AND o.{_NOT_PENDING} AND {due.replace('next_', 'o.next_')})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Delivery.State.DONE, at, *params, *_NOT_PENDING_PARAMS, at])
        row = cursor.fetchone()
    if row is None:
        return None
    delivery, event = _claimed(row[:8], now)
    return delivery, event, row[8]


def _claimed(row, now) -> tuple[Delivery, Event]:
    """A claimed delivery and its event from the claim's row: (delivery id, handler, event id,
    attempts, delivery created, event name, payload, event created)."""
    pk, handler, ev_id, attempts, created_at, name, payload, ev_created_at = row
    event = Event(
        id=ev_id,
        name=name,
        payload=_payload_field.from_db_value(payload, None, connection),
        created_at=_datetime(ev_created_at),
    )
    delivery = Delivery(
        id=pk,
        event=event,
        handler=handler,
        state=Delivery.State.DONE,
        attempts=attempts,
        handled_at=now,
        created_at=_datetime(created_at),
    )
    return delivery, event


def _claim_fresh_many(*, now, limit: int) -> list[tuple[Delivery, Event]]:
    """``_claim`` with ``fresh`` for up to ``limit`` deliveries at once (PostgreSQL), oldest first."""
    at = connection.ops.adapt_datetimefield_value(now)
    # The event's columns come from the UPDATE's join (FROM): one row per delivery.
    sql = (
        f"UPDATE {_DELIVERY} d SET state = %s, handled_at = %s, attempts = d.attempts + 1, last_error = '' "
        f"FROM {_EVENT} e "
        f"WHERE e.id = d.event_id AND d.id IN (SELECT id FROM {_DELIVERY} "
        f"WHERE state = %s AND next_attempt_at IS NULL ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) "
        f"RETURNING d.id, d.handler, d.event_id, d.attempts, d.created_at, e.name, e.payload, e.created_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Delivery.State.DONE, at, Delivery.State.PENDING, limit])
        rows = sorted(cursor.fetchall())
    return [_claimed(row, now) for row in rows]


_payload_field = Event._meta.get_field("payload")


def _datetime(value):
    """A timestamp as a raw cursor gives it: SQLite's is naive UTC (or a string)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _delivery_failed(delivery_id: int, exc: Exception) -> str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != Delivery.State.PENDING:
            return "skipped"
        attempts = delivery.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:4000]
        if attempts >= settings.EVENTS_MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery_id).update(
                state=Delivery.State.DEAD, attempts=attempts, last_error=error, next_attempt_at=None
            )
            return "dead"
        delay = retry_delay(attempts)
        Delivery.objects.filter(pk=delivery_id).update(
            attempts=attempts, last_error=error, next_attempt_at=timezone.now() + delay
        )
    if not current_app.conf.task_always_eager:
        # With a broker, the retry is a delayed task; in-process the sweep picks it up.
        transaction.on_commit(partial(_enqueue_delivery, delivery_id, int(delay.total_seconds())))
    return "retry"


def undelivered() -> "Delivery.objects":
    """Pending deliveries that are due and whose task looks lost (older than the grace time)."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.EVENTS_SWEEP_GRACE_SECONDS)
    return Delivery.objects.filter(state=Delivery.State.PENDING).filter(
        Q(next_attempt_at__isnull=True, created_at__lte=grace) | Q(next_attempt_at__lte=now)
    )


def sweep(*, limit: int = 500) -> int:
    """Re-dispatch what is still undelivered (a task lost while the broker was down, a retry
    whose time has come). Returns how many deliveries were queued."""
    ids = list(undelivered().order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        _enqueue_delivery(pk)
    return len(ids)


def delivery_replay(*, delivery_id: int, actor=None) -> Delivery:
    """An admin sends a dead delivery round again (after fixing its cause)."""
    from core.audit import audit

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(
            state=Delivery.State.PENDING, attempts=0, next_attempt_at=None, last_error=""
        )
        audit("events.replay", actor=actor, obj=delivery, data={"handler": delivery.handler})
        transaction.on_commit(partial(_enqueue_delivery, delivery_id))
    delivery.refresh_from_db()
    return delivery


def notify(*, users, title: str, body: str = "", url: str = "", kind: str = "", key: str = "") -> int:
    """In-app notification to each of ``users`` (users or ids). With ``key``, writing the same
    notification again is a no-op, so a handler that runs twice notifies once."""
    return notify_many([{"users": users, "title": title, "body": body, "url": url, "kind": kind, "key": key}])


def notify_many(notes: list[dict]) -> int:
    """Several ``notify`` calls (each a dict of its keyword arguments) in one statement."""
    rows, keyed = [], False
    for note in notes:
        user_ids = {getattr(u, "pk", u) for u in note["users"] if u is not None}
        key = note.get("key", "")
        keyed = keyed or bool(key)
        rows += [
            Notification(
                user_id=uid,
                title=note["title"][:200],
                body=note.get("body", ""),
                url=note.get("url", ""),
                kind=note.get("kind", ""),
                key=key,
            )
            for uid in sorted(user_ids)
        ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=keyed)
    return len(rows)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
