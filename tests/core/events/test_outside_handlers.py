"""Handlers registered with ``atomic=False`` (network I/O: e-mail) run outside the delivery's
transaction, on a lease: retried with the outbox's backoff, dead after the last try, and left to
the sweep when the worker dies mid-run."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.events import dispatch, registry, services
from core.events.models import Delivery

calls: list = []
behaviour = {"fail": 0, "die": False}


@pytest.fixture
def outside_handler(settings):
    calls.clear()
    behaviour.update(fail=0, die=False)
    settings.EVENTS_LEASE_SECONDS = 300

    @registry.on("test.outside", atomic=False)
    def send(event):
        delivery = Delivery.objects.get(event=event)
        calls.append(
            {
                "in_transaction": connection.in_atomic_block,
                "state": delivery.state,
                "due_at": delivery.next_attempt_at,
            }
        )
        if behaviour["die"]:
            raise SystemExit("the worker died")  # not an Exception: nothing records it
        if behaviour["fail"]:
            behaviour["fail"] -= 1
            raise ConnectionRefusedError("Connection refused")

    yield send
    registry.unregister("test.outside", registry.handler_name(send))


def publish(capture):
    with capture(execute=False):
        event = services.publish("test.outside")
    return Delivery.objects.get(event=event)


def due_now(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db(transaction=True)
def test_outside_handler_runs_after_its_claim_committed_and_ends_done(outside_handler):
    event = services.publish("test.outside")  # autocommit: its task runs at once, in-process
    delivery = Delivery.objects.get(event=event)
    assert len(calls) == 1
    seen = calls[0]
    assert seen["in_transaction"] is False
    # While it ran, the committed claim was a lease: pending, not due for a while.
    assert seen["state"] == "pending" and seen["due_at"] > timezone.now() + timedelta(seconds=200)
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("done", 1, None)


@pytest.mark.django_db
def test_leased_delivery_is_not_run_again_before_its_lease_is_over(
    outside_handler, django_capture_on_commit_callbacks
):
    delivery = publish(django_capture_on_commit_callbacks)
    behaviour["die"] = True
    with pytest.raises(SystemExit):
        dispatch.delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    behaviour["die"] = False
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "skipped"
    assert dispatch.sweep() == 0
    assert len(calls) == 1


@pytest.mark.django_db
def test_sweep_runs_a_leased_delivery_again_once_its_lease_is_over(
    outside_handler, django_capture_on_commit_callbacks
):
    delivery = publish(django_capture_on_commit_callbacks)
    behaviour["die"] = True
    with pytest.raises(SystemExit):
        dispatch.delivery_run(delivery_id=delivery.pk)
    behaviour["die"] = False
    due_now(delivery)
    assert dispatch.sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("done", 2)
    assert len(calls) == 2


@pytest.mark.django_db
def test_failing_outside_handler_is_retried_with_backoff_then_dead(
    outside_handler, django_capture_on_commit_callbacks, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 3
    delivery = publish(django_capture_on_commit_callbacks)
    behaviour["fail"] = 5
    before = timezone.now()
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    # One try counted once, and the retry waits the outbox's backoff (not the lease).
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "Connection refused" in delivery.last_error
    assert delivery.next_attempt_at <= before + dispatch.retry_delay(1) + timedelta(seconds=5)
    due_now(delivery)
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "retry"
    due_now(delivery)
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "dead"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("dead", 3)
    assert len(calls) == 3


@pytest.mark.django_db
def test_outside_handler_that_succeeds_on_retry_ends_done(
    outside_handler, django_capture_on_commit_callbacks
):
    delivery = publish(django_capture_on_commit_callbacks)
    behaviour["fail"] = 1
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "retry"
    due_now(delivery)
    assert dispatch.delivery_run(delivery_id=delivery.pk) == "done"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("done", 2, "")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_drained_batch_runs_an_outside_handler_after_the_batch_commits(
    outside_handler, django_capture_on_commit_callbacks, settings
):
    from config.celery import app

    settings.EVENTS_DRAIN_AFTER_SECONDS = 0
    deliveries = [publish(django_capture_on_commit_callbacks) for _ in range(3)]
    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        with django_capture_on_commit_callbacks(execute=False):
            done = dispatch.event_dispatch(event_id=None)
    finally:
        app.conf.task_always_eager = previous
    assert {done[str(d.pk)] for d in deliveries} == {"done"}
    assert len(calls) == 3
    assert all(seen["state"] == "pending" and seen["due_at"] is not None for seen in calls)
    assert set(Delivery.objects.filter(event__name="test.outside").values_list("state", "attempts")) == {
        ("done", 1)
    }
