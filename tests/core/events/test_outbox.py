from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.events import dispatch, registry, services
from core.events.models import Delivery, Event, Notification

pytestmark = pytest.mark.django_db

calls: list[tuple[str, int]] = []


@pytest.fixture
def recorded_handlers():
    """Two handlers for 'test.happened': one records, one notifies (a database effect)."""
    calls.clear()

    @registry.on("test.happened")
    def record(event):
        calls.append(("record", event.pk))

    @registry.on("test.happened")
    def tell(event):
        services.notify(users=[event.payload["user_id"]], title="hello", key=f"tell:{event.pk}")

    yield record, tell
    registry.unregister("test.happened", registry.handler_name(record))
    registry.unregister("test.happened", registry.handler_name(tell))


broken = {"yes": True}


@pytest.fixture
def failing_handler(recorded_handlers):
    broken["yes"] = True

    @registry.on("test.happened")
    def explode(event):
        if broken["yes"]:
            raise RuntimeError("boom")
        calls.append(("fixed", event.pk))

    yield explode
    registry.unregister("test.happened", registry.handler_name(explode))


def test_event_published_in_rolled_back_transaction_is_never_handled(
    recorded_handlers, django_capture_on_commit_callbacks, sales_user
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.publish("test.happened", {"user_id": sales_user.pk})
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Event.objects.count() == 0
    assert calls == []


def test_committed_event_is_handled_once_even_when_dispatched_twice(
    recorded_handlers, django_capture_on_commit_callbacks, sales_user
):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.publish("test.happened", {"user_id": sales_user.pk})
    dispatch.event_dispatch(event_id=event.pk)
    for delivery in Delivery.objects.filter(event=event):
        dispatch.delivery_run(delivery_id=delivery.pk)
    assert calls == [("record", event.pk)]
    assert Notification.objects.filter(user=sales_user).count() == 1
    assert set(Delivery.objects.filter(event=event).values_list("state", flat=True)) == {"done"}


def test_failing_handler_is_retried_then_marked_dead_without_blocking_others(
    failing_handler, django_capture_on_commit_callbacks, sales_user, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        event = services.publish("test.happened", {"user_id": sales_user.pk})
    bad = Delivery.objects.get(event=event, handler=registry.handler_name(failing_handler))
    assert bad.state == "pending" and bad.attempts == 1 and "boom" in bad.last_error
    assert bad.next_attempt_at > timezone.now()
    # The other handlers of the same event were not blocked.
    assert Delivery.objects.filter(event=event, state="done").count() == 2
    for _ in range(2):
        Delivery.objects.filter(pk=bad.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        dispatch.delivery_run(delivery_id=bad.pk)
    bad.refresh_from_db()
    assert bad.state == "dead" and bad.attempts == 3


def test_retry_waits_longer_after_each_failure():
    assert dispatch.retry_delay(1) < dispatch.retry_delay(2) < dispatch.retry_delay(3)


def test_sweep_dispatches_an_event_whose_task_was_lost(recorded_handlers, sales_user, settings):
    settings.EVENTS_SWEEP_GRACE_SECONDS = 0
    # Published without capturing on-commit callbacks: the dispatch task is never queued (lost).
    event = services.publish("test.happened", {"user_id": sales_user.pk})
    assert calls == []
    queued = dispatch.sweep()
    assert queued == 2
    assert calls == [("record", event.pk)]
    assert dispatch.sweep() == 0


def test_dead_delivery_can_be_replayed_by_admin(
    failing_handler, django_capture_on_commit_callbacks, sales_user, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        event = services.publish("test.happened", {"user_id": sales_user.pk})
    bad = Delivery.objects.get(event=event, handler=registry.handler_name(failing_handler))
    assert bad.state == "dead"
    broken["yes"] = False  # the cause is fixed
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_replay(delivery_id=bad.pk)
    bad.refresh_from_db()
    assert bad.state == "done"
    assert ("fixed", event.pk) in calls


def test_notification_with_same_key_is_written_once(sales_user):
    services.notify(users=[sales_user], title="x", key="k1")
    services.notify(users=[sales_user], title="x", key="k1")
    assert Notification.objects.filter(user=sales_user).count() == 1


@pytest.fixture
def with_broker():
    """Tasks go to a broker (the worker runs them), as in production."""
    from config.celery import app

    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    yield
    app.conf.task_always_eager = previous


def _published(n, user, capture):
    # Queued on commit, but the tasks are not run (the worker is behind).
    with capture(execute=False):
        return [services.publish("test.happened", {"user_id": user.pk}) for _ in range(n)]


def test_dispatch_task_that_is_behind_also_runs_other_pending_deliveries(
    recorded_handlers, with_broker, django_capture_on_commit_callbacks, sales_user, settings
):
    settings.EVENTS_DRAIN_AFTER_SECONDS = 0
    events = _published(3, sales_user, django_capture_on_commit_callbacks)
    done = dispatch.event_dispatch(event_id=events[0].pk)
    assert set(done.values()) == {"done"} and len(done) == 6
    assert calls == [("record", e.pk) for e in events]
    # The tasks of the other events find their deliveries done and change nothing.
    assert dispatch.event_dispatch(event_id=events[1].pk) == {}
    assert calls == [("record", e.pk) for e in events]
    assert Notification.objects.filter(user=sales_user).count() == 3


def test_dispatch_task_on_time_runs_only_its_own_event(
    recorded_handlers, with_broker, django_capture_on_commit_callbacks, sales_user, settings
):
    settings.EVENTS_DRAIN_AFTER_SECONDS = 3600
    events = _published(2, sales_user, django_capture_on_commit_callbacks)
    assert len(dispatch.event_dispatch(event_id=events[0].pk)) == 2
    assert calls == [("record", events[0].pk)]
    assert Delivery.objects.filter(event=events[1], state="pending").count() == 2


def test_dispatch_task_takes_at_most_one_batch_of_other_deliveries(
    recorded_handlers, with_broker, django_capture_on_commit_callbacks, sales_user, settings
):
    settings.EVENTS_DRAIN_AFTER_SECONDS = 0
    settings.EVENTS_DISPATCH_BATCH = 3
    events = _published(3, sales_user, django_capture_on_commit_callbacks)
    assert len(dispatch.event_dispatch(event_id=events[0].pk)) == 3
    assert Delivery.objects.filter(state="pending").count() == 3


def test_dispatch_task_leaves_a_delivery_waiting_for_its_retry(
    failing_handler, with_broker, django_capture_on_commit_callbacks, sales_user, settings
):
    settings.EVENTS_DRAIN_AFTER_SECONDS = 0
    first, second = _published(2, sales_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        dispatch.event_dispatch(event_id=first.pk)
    bad = Delivery.objects.filter(handler=registry.handler_name(failing_handler))
    # Each failed once and waits for its retry; the other handlers of both events ran.
    assert list(bad.values_list("attempts", flat=True)) == [1, 1]
    assert Delivery.objects.filter(state="done").count() == 4
    with django_capture_on_commit_callbacks(execute=False):
        assert dispatch.event_dispatch(event_id=second.pk) == {}
    assert list(bad.values_list("attempts", flat=True)) == [1, 1]


def test_delivery_run_by_its_own_task_and_a_sweep_takes_effect_once(
    recorded_handlers, with_broker, django_capture_on_commit_callbacks, sales_user
):
    (event,) = _published(1, sales_user, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.filter(event=event).order_by("pk").first()
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "done"
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "skipped"
    delivery.refresh_from_db()
    assert delivery.state == "done" and delivery.attempts == 1 and delivery.handled_at is not None


def test_published_event_has_one_pending_delivery_per_handler(recorded_handlers, sales_user):
    event = services.publish("test.happened", {"user_id": sales_user.pk})
    stored = Event.objects.get(pk=event.pk)
    assert stored.payload == {"user_id": sales_user.pk}
    assert sorted(Delivery.objects.filter(event=stored).values_list("handler", "state")) == sorted(
        (registry.handler_name(h), Delivery.State.PENDING) for h in recorded_handlers
    )


def test_published_payload_keeps_decimals_and_dates_as_text(recorded_handlers):
    from datetime import date
    from decimal import Decimal

    event = services.publish("test.happened", {"quantity": Decimal("2.500"), "day": date(2026, 11, 26)})
    assert Event.objects.get(pk=event.pk).payload == {"quantity": "2.500", "day": "2026-11-26"}


def test_event_without_handlers_is_recorded_without_deliveries():
    event = services.publish("test.nobody.listens", {"x": 1})
    assert Event.objects.filter(pk=event.pk, name="test.nobody.listens").exists()
    assert not Delivery.objects.filter(event_id=event.pk).exists()
