from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integration.events import registry, services
from integration.events.models import Delivery, Event, Notification

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
    services.event_dispatch(event_id=event.pk)
    for delivery in Delivery.objects.filter(event=event):
        services.delivery_run(delivery_id=delivery.pk)
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
        services.delivery_run(delivery_id=bad.pk)
    bad.refresh_from_db()
    assert bad.state == "dead" and bad.attempts == 3


def test_retry_waits_longer_after_each_failure():
    assert services.retry_delay(1) < services.retry_delay(2) < services.retry_delay(3)


def test_sweep_dispatches_an_event_whose_task_was_lost(recorded_handlers, sales_user, settings):
    settings.EVENTS_SWEEP_GRACE_SECONDS = 0
    # Published without capturing on-commit callbacks: the dispatch task is never queued (lost).
    event = services.publish("test.happened", {"user_id": sales_user.pk})
    assert calls == []
    queued = services.sweep()
    assert queued == 2
    assert calls == [("record", event.pk)]
    assert services.sweep() == 0


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
