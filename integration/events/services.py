"""The transactional outbox.

``publish`` writes an event and one delivery per registered handler inside the caller's
transaction, and queues a dispatch task on commit. A rolled-back transaction leaves no event, so
nothing is ever handled for a change that did not happen. ``delivery_run`` runs one handler in a
transaction that also marks the delivery done: a second run (a duplicate task, a racing worker,
a sweep) finds it done, or locked, and does nothing.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integration.events import registry
from integration.events.models import Delivery, Event, Notification

logger = logging.getLogger(__name__)


def publish(name: str, payload: dict | None = None) -> Event:
    """Record ``name`` with ``payload`` (ids and plain values, not objects) in the current
    transaction and hand it to the dispatcher once the transaction commits."""
    # Joins the caller's transaction (no savepoint): the event belongs to the caller's change.
    with transaction.atomic(savepoint=False):
        event = Event.objects.create(name=name, payload=payload or {})
        handlers = registry.handlers_for(name)
        Delivery.objects.bulk_create([Delivery(event=event, handler=h) for h in handlers])
    if handlers:
        transaction.on_commit(partial(_enqueue_event, event.pk))
    return event


def _enqueue_event(event_id: int) -> None:
    from integration.events.tasks import dispatch_event

    try:
        dispatch_event.delay(event_id)
    except Exception:
        # The broker is down: the sweep re-dispatches undelivered events, nothing is lost.
        logger.warning("Could not queue event %s; the sweep will dispatch it.", event_id, exc_info=True)


def _enqueue_delivery(delivery_id: int, countdown: int | None = None) -> None:
    from integration.events.tasks import dispatch_delivery

    try:
        dispatch_delivery.apply_async((delivery_id,), countdown=countdown)
    except Exception:
        logger.warning("Could not queue delivery %s; the sweep will retry it.", delivery_id, exc_info=True)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base … capped at one hour."""
    seconds = settings.EVENTS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def event_dispatch(*, event_id: int) -> dict[str, str]:
    """Run every pending, due delivery of one event. One failing handler blocks no other."""
    now = timezone.now()
    ids = list(
        Delivery.objects.filter(event_id=event_id, state=Delivery.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {str(pk): delivery_run(delivery_id=pk) for pk in ids}


def delivery_run(*, delivery_id: int) -> str:
    """Run one delivery's handler exactly once in effect.

    Locking: the delivery row is locked with SKIP LOCKED, so a second worker racing for the
    same delivery skips it instead of waiting; after commit it sees ``done``. The handler runs
    in the same transaction as the state change, so its effect and ``done`` commit together.
    Returns ``done``, ``retry``, ``dead`` or ``skipped``.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("event")
                .filter(pk=delivery_id, state=Delivery.State.PENDING)
                .first()
            )
            if delivery is None:
                return "skipped"
            if delivery.next_attempt_at and delivery.next_attempt_at > now:
                return "skipped"
            func = registry.get_handler(delivery.event.name, delivery.handler)
            if func is None:
                raise LookupError(f"No handler {delivery.handler} for {delivery.event.name}")
            func(delivery.event)
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.DONE, handled_at=now, attempts=F("attempts") + 1, last_error=""
            )
        return "done"
    except Exception as exc:  # noqa: BLE001 - any handler failure is recorded, never lost
        logger.exception("Handler failed for delivery %s", delivery_id)
        return _delivery_failed(delivery_id, exc)


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
    user_ids = {getattr(u, "pk", u) for u in users if u is not None}
    rows = [
        Notification(user_id=uid, title=title[:200], body=body, url=url, kind=kind, key=key)
        for uid in sorted(user_ids)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    return len(rows)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
