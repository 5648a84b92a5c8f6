"""The worker's side of the outbox: claim a pending delivery, run its handler in the same
transaction, record a failure for retry (exponential backoff, then dead), and sweep up what a
lost task left behind.

``delivery_run`` runs one handler in a transaction that also marks the delivery done: a second
run (a duplicate task, a racing worker, a sweep) finds it done, or locked, and does nothing.
A handler registered with ``atomic=False`` (network I/O) runs after its claim has committed, on
a lease: the delivery stays pending but is not due until ``EVENTS_LEASE_SECONDS`` have passed,
so no other run takes it meanwhile, and a worker that dies mid-run leaves it to the sweep.
"""

import logging
from contextvars import ContextVar
from datetime import UTC, timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.events import queue, registry
from core.events.models import Delivery, Event

logger = logging.getLogger(__name__)


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
    On PostgreSQL it takes a batch handler's deliveries ``EVENTS_HANDLER_BATCH`` at a time, each
    lot in one transaction, and every other delivery in a transaction of its own
    (``_run_fresh_batch``). With coalesced events (``queue.enqueue_event``) the task also goes on
    when events were published while it was queued (they have no task of their own); a full
    batch then queues the next.
    """
    results: dict[str, str] = {}
    counter = queue.published_counter()
    # Taken before the first claim: an event counted after it has a task of its own.
    published = queue.take_published_count(counter) if counter is not None else 0
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
            queue.enqueue_event(None)
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
    outside = None
    try:
        with transaction.atomic():
            claimed = _claim(now=now, delivery_id=delivery_id, event_id=event_id, after=after, fresh=fresh)
            if claimed is None:
                return None, "skipped", 0.0
            delivery, event, more = claimed
            func = registry.get_handler(event.name, delivery.handler)
            if func is None:
                raise LookupError(f"No handler {delivery.handler} for {event.name}")
            if registry.runs_outside(delivery.handler):
                _lease([delivery.pk], now)
                outside = func
            else:
                func(event)
        waited = (now - delivery.created_at).total_seconds()
        if outside is not None:
            result = _run_leased(delivery, event, outside)
            if result != "done":
                return delivery.pk, result, waited
        done = "last" if event_id is not None and not more else "done"
        return delivery.pk, done, waited
    except Exception as exc:  # noqa: BLE001 - any handler failure is recorded, never lost
        pk = claimed[0].pk if claimed else delivery_id
        if pk is None:
            raise
        logger.exception("Handler failed for delivery %s", pk)
        return pk, _delivery_failed(pk, exc), 0.0


def _claims_many() -> bool:
    return settings.EVENTS_HANDLER_BATCH > 1 and connection.vendor == "postgresql"


def _run_fresh_batch(limit: int) -> dict[str, str]:
    """Work off up to ``limit`` of the fresh pending deliveries: those of a handler registered
    with ``registry.batch_of`` (the reservation rule) in lots, each lot in one transaction and
    one call (``_run_handler_batch``); then, if the lots left room, the oldest other fresh
    delivery alone, in a transaction of its own. Unrelated handlers never share a transaction:
    one would hold its locks (an invoice's, a shipment's) while the next waits for others' —
    a cycle through rows neither needs. Returns the outcome by delivery id, in the order run
    (empty when nothing was pending)."""
    results: dict[str, str] = {}
    for handler in registry.batched_handlers():
        if len(results) >= limit:
            break
        results.update(_run_handler_batch(handler, limit - len(results)))
    if len(results) < limit:
        pk, result, _waited = _claim_and_run(fresh=True)
        if pk is not None:
            results[str(pk)] = result
    return results


def _run_handler_batch(handler: str, limit: int) -> dict[str, str]:
    """Claim up to ``limit`` of the oldest fresh pending deliveries of ``handler`` (one
    statement) and run them in one transaction, the batch function getting their events in one
    call. If it fails the transaction rolls back and each delivery runs on its own, its failure
    recorded as usual."""
    claimed: list = []
    try:
        with transaction.atomic():
            claimed = _claim_fresh_many(now=timezone.now(), limit=limit, handler=handler)
            by_name: dict[str, list[Event]] = {}
            for _delivery, event in claimed:
                by_name.setdefault(event.name, []).append(event)
            for name, events in by_name.items():
                many = registry.get_batch_handler(handler) if len(events) > 1 else None
                if many is not None:
                    many(events)
                    continue
                func = registry.get_handler(name, handler)
                if func is None:
                    raise LookupError(f"No handler {handler} for {name}")
                func(events[0])
    except Exception:
        if not claimed:
            raise
        logger.info("A batch of %s deliveries failed; running them one by one.", len(claimed), exc_info=True)
        return {str(d.pk): _claim_and_run(delivery_id=d.pk)[1] for d, _event in claimed}
    return {str(delivery.pk): "done" for delivery, _event in claimed}


def _lease(delivery_ids: list[int], now) -> None:
    """Turn claims (marked done in the claiming transaction) into leases, for handlers that run
    outside the transaction: pending again, but not due before ``EVENTS_LEASE_SECONDS`` (the
    attempt stays counted). Commits with the claim."""
    Delivery.objects.filter(pk__in=delivery_ids).update(
        state=Delivery.State.PENDING,
        handled_at=None,
        next_attempt_at=now + timedelta(seconds=settings.EVENTS_LEASE_SECONDS),
    )


def _run_leased(delivery: Delivery, event: Event, func) -> str:
    """Run a handler registered with ``atomic=False`` on its leased delivery, outside any
    transaction (it makes its own), then mark the delivery done; a failure is recorded for a
    retry as usual. A worker that dies in between leaves the delivery pending: once the lease is
    over the sweep runs it again, and the handler tells from its own records what was done."""
    try:
        func(event)
    except Exception as exc:  # noqa: BLE001 - any handler failure is recorded, never lost
        logger.exception("Handler failed for delivery %s", delivery.pk)
        return _delivery_failed(delivery.pk, exc, counted=True)
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
        state=Delivery.State.DONE, handled_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return "done"


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


def _claim_fresh_many(*, now, limit: int, handler: str) -> list[tuple[Delivery, Event]]:
    """``_claim`` with ``fresh`` for up to ``limit`` deliveries of ``handler`` at once
    (PostgreSQL), oldest first."""
    at = connection.ops.adapt_datetimefield_value(now)
    # The event's columns come from the UPDATE's join (FROM): one row per delivery.
    sql = (
        f"UPDATE {_DELIVERY} d SET state = %s, handled_at = %s, attempts = d.attempts + 1, last_error = '' "
        f"FROM {_EVENT} e "
        f"WHERE e.id = d.event_id AND d.id IN (SELECT id FROM {_DELIVERY} "
        f"WHERE state = %s AND next_attempt_at IS NULL AND handler = %s ORDER BY id LIMIT %s "
        "FOR UPDATE SKIP LOCKED) "
        f"RETURNING d.id, d.handler, d.event_id, d.attempts, d.created_at, e.name, e.payload, e.created_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Delivery.State.DONE, at, Delivery.State.PENDING, handler, limit])
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


def _delivery_failed(delivery_id: int, exc: Exception, *, counted: bool = False) -> str:
    """Record a failed try: retry later (backoff), or dead after ``EVENTS_MAX_ATTEMPTS``.
    ``counted``: the try is already counted (a leased delivery's claim committed)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != Delivery.State.PENDING:
            return "skipped"
        attempts = delivery.attempts + (0 if counted else 1)
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
        transaction.on_commit(partial(queue.enqueue_delivery, delivery_id, int(delay.total_seconds())))
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
        queue.enqueue_delivery(pk)
    return len(ids)
