"""The transactional outbox and in-app notifications.

``publish`` writes an event and one delivery per registered handler inside the caller's
transaction, and queues a dispatch task on commit (``queue``). A rolled-back transaction leaves
no event, so nothing is ever handled for a change that did not happen. The worker's side (claim,
run, retry, sweep) is ``dispatch``.
"""

import json
from collections import Counter
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import ConflictError
from core.events import queue, registry
from core.events.models import Delivery, Event, Notification
from core.i18n import stored_params
from core.sql import as_id


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
        transaction.on_commit(partial(queue.enqueue_event, event.pk))
    return event


def _insert_event_and_deliveries(name: str, payload: dict) -> Event:
    """The event and its deliveries in one statement (PostgreSQL): every confirmed order pays
    for this, and two ORM inserts cost more to build than to run."""
    now = timezone.now()
    ctes, params = outbox_ctes(
        name, "%s::jsonb", "(SELECT 1) AS one", [json.dumps(payload, cls=DjangoJSONEncoder)], now=now
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} SELECT id FROM published", params)
        (pk,) = cursor.fetchone()
    # The instance the ORM would make of the stored row.
    return Event.from_db(connection.alias, ["id", "name", "payload", "created_at"], [pk, name, payload, now])


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
            transaction.on_commit(partial(queue.enqueue_event, event_id))


def delivery_replay(*, delivery_id: int, actor=None) -> Delivery:
    """An admin sends a dead delivery round again (after fixing its cause). Only a dead one: a
    pending delivery is still being tried and a done one has had its effect, so replaying
    either would run its handler once too often. Raises ``Delivery.DoesNotExist`` for no such
    delivery and ``ConflictError`` for one that is not dead (claimed by compare-and-set, so two
    admins replaying at once queue it once)."""
    from core.audit import audit

    with transaction.atomic():
        replayed = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.DEAD).update(
            state=Delivery.State.PENDING, attempts=0, next_attempt_at=None, last_error=""
        )
        delivery = Delivery.objects.get(pk=delivery_id)
        if not replayed:
            raise ConflictError(
                _("Only a dead delivery can be replayed; delivery %(id)s is %(state)s.")
                % {"id": delivery.pk, "state": delivery.get_state_display()}
            )
        audit("events.replay", actor=actor, obj=delivery, data={"handler": delivery.handler})
        transaction.on_commit(partial(queue.enqueue_delivery, delivery.pk))
    return delivery


def notify(
    *,
    users,
    title: str,
    body: str = "",
    params: dict | None = None,
    url: str = "",
    kind: str = "",
    key: str = "",
) -> int:
    """In-app notification to each of ``users`` (users or ids). ``title`` and ``body`` are message
    keys (``gettext_noop``) whose placeholders ``params`` fill when a user reads them, in that
    user's language (``core.i18n``). With ``key``, writing the same notification again is a
    no-op, so a handler that runs twice notifies once. Notifications of a ``kind`` are grouped
    when shown (``core.events.groups``) and rate-limited: past ``NOTIFICATIONS_PER_KIND`` of the
    kind for a user in ``NOTIFICATIONS_PERIOD_SECONDS``, they are written folded into their
    group (``_fold_over_limit``) instead of as unread rows."""
    note = {"users": users, "title": title, "body": body, "params": params, "url": url, "kind": kind}
    return notify_many([{**note, "key": key}])


def notify_many(notes: list[dict]) -> int:
    """Several ``notify`` calls (each a dict of its keyword arguments) in one statement (and the
    rate limit's count, one query, when they have a kind)."""
    rows, keyed = [], False
    for note in notes:
        user_ids = {getattr(u, "pk", u) for u in note["users"] if u is not None}
        key = note.get("key", "")
        keyed = keyed or bool(key)
        params = stored_params(note.get("params"))
        rows += [
            Notification(
                user_id=uid,
                title=str(note["title"])[:200],
                body=str(note.get("body", "")),
                params=params,
                url=note.get("url", ""),
                kind=note.get("kind", ""),
                key=key,
            )
            for uid in sorted(user_ids)
        ]
    if rows:
        _fold_over_limit(rows)
        Notification.objects.bulk_create(rows, ignore_conflicts=keyed)
    return len(rows)


def _fold_over_limit(rows: list[Notification]) -> None:
    """The rate limit: a row of a kind whose user already got ``NOTIFICATIONS_PER_KIND`` unfolded
    ones of it in the last ``NOTIFICATIONS_PERIOD_SECONDS`` is written folded — read at birth,
    shown in its kind's group, never an unread row. A keyed row already written (a repeat, which
    the unique key makes a no-op) takes no place in the count. ``NOTIFICATIONS_PER_KIND = 0``
    turns the limit off. Two writers at the same moment may each let one more through: a limit
    on noise, not an invariant."""
    limit = settings.NOTIFICATIONS_PER_KIND
    kinded = [row for row in rows if row.kind]
    if limit <= 0 or not kinded:
        return
    now = timezone.now()
    users = {row.user_id for row in kinded}
    kinds = {row.kind for row in kinded}
    keys = {row.key for row in kinded if row.key}
    since = now - timedelta(seconds=settings.NOTIFICATIONS_PERIOD_SECONDS)
    # One read for both questions: the recent unfolded rows of these kinds (the count) and the
    # keyed rows already written (the repeats).
    wanted = Q(kind__in=kinds, folded=False, created_at__gte=since)
    if keys:
        wanted |= Q(key__in=keys)
    seen: Counter = Counter()
    written = set()
    found = Notification.objects.filter(wanted, user_id__in=users)
    for user_id, kind, key, folded, created_at in found.values_list(
        "user_id", "kind", "key", "folded", "created_at"
    ):
        if kind in kinds and not folded and created_at >= since:
            seen[(user_id, kind)] += 1
        if key in keys:
            written.add((user_id, key))
    for row in kinded:
        if row.key and (row.user_id, row.key) in written:
            continue
        if seen[(row.user_id, row.kind)] >= limit:
            row.folded, row.read_at = True, now
        else:
            seen[(row.user_id, row.kind)] += 1


def notifications_mark_read(*, user, ids=None, kind: str = "", day=None) -> int:
    """Mark the user's unread notifications read: all of them, those of ``ids`` (a list of ids
    by ``core.sql.as_id``'s rule; anything else is a ``ValidationError`` on ``ids``), or one
    line's: those of ``kind`` (received on ``day``, a date)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        if isinstance(ids, str | int) and not isinstance(ids, bool):
            ids = [ids]
        parsed = [as_id(i) for i in ids] if isinstance(ids, list | tuple) else [None]
        if None in parsed or len(parsed) > 1000:
            raise ValidationError({"ids": _("Give a list of notification ids.")})
        qs = qs.filter(pk__in=parsed)
    elif kind:
        from core.events.selectors import notifications_of_group

        qs = notifications_of_group(user=user, kind=kind, day=day).filter(read_at__isnull=True)
    return qs.update(read_at=timezone.now())
