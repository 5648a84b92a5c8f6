"""The worker's batches (several deliveries in one transaction, a batch handler called once) and
coalesced dispatch tasks (an event published while a task waits queues none of its own)."""

import pytest
from django.conf import settings as django_settings

from core.events import dispatch, queue, registry, services, tasks
from core.events.models import Delivery

pytestmark = pytest.mark.django_db

calls: list = []
failing = {"batch": False, "event": None}


@pytest.fixture
def batched_handlers(settings):
    calls.clear()
    failing.update(batch=False, event=None)
    settings.EVENTS_DRAIN_AFTER_SECONDS = 0

    @registry.on("test.batched")
    def one(event):
        if event.pk == failing["event"]:
            raise RuntimeError("this one is broken")
        calls.append(("one", event.pk))

    @registry.batch_of(one)
    def many(events):
        if failing["batch"] or failing["event"] in [e.pk for e in events]:
            raise RuntimeError("the batch is broken")
        calls.append(("many", [e.pk for e in events]))

    yield
    registry.unregister("test.batched", registry.handler_name(one))


@pytest.fixture
def with_broker():
    from config.celery import app

    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    yield
    app.conf.task_always_eager = previous


def published(n, capture):
    with capture(execute=False):  # the tasks are not run: the worker is behind
        return [services.publish("test.batched").pk for _ in range(n)]


def states():
    return set(Delivery.objects.filter(event__name="test.batched").values_list("state", "attempts"))


@pytest.mark.postgres
def test_drain_hands_a_batch_handler_its_deliveries_in_one_call(
    batched_handlers, with_broker, django_capture_on_commit_callbacks
):
    ids = published(4, django_capture_on_commit_callbacks)
    done = dispatch.event_dispatch(event_id=None)
    assert calls == [("many", ids)]
    assert set(done.values()) == {"done"} and len(done) == 4
    assert states() == {("done", 1)}


@pytest.mark.postgres
def test_drain_takes_at_most_a_handler_batch_per_transaction(
    batched_handlers, with_broker, django_capture_on_commit_callbacks, settings
):
    settings.EVENTS_HANDLER_BATCH = 3
    ids = published(7, django_capture_on_commit_callbacks)
    dispatch.event_dispatch(event_id=None)
    assert calls == [("many", ids[:3]), ("many", ids[3:6]), ("one", ids[6])]


@pytest.mark.postgres
def test_failed_batch_runs_each_delivery_alone(
    batched_handlers, with_broker, django_capture_on_commit_callbacks
):
    failing["batch"] = True
    ids = published(3, django_capture_on_commit_callbacks)
    done = dispatch.event_dispatch(event_id=None)
    assert calls == [("one", pk) for pk in ids]
    assert set(done.values()) == {"done"}
    assert states() == {("done", 1)}


@pytest.mark.postgres
def test_failing_delivery_in_a_batch_waits_for_its_retry_and_blocks_no_other(
    batched_handlers, with_broker, django_capture_on_commit_callbacks
):
    ids = published(3, django_capture_on_commit_callbacks)
    failing["event"] = ids[1]
    with django_capture_on_commit_callbacks(execute=False):
        done = dispatch.event_dispatch(event_id=None)
    assert calls == [("one", ids[0]), ("one", ids[2])]
    bad = Delivery.objects.get(event_id=ids[1])
    assert done[str(bad.pk)] == "retry"
    assert bad.state == "pending" and bad.attempts == 1 and "broken" in bad.last_error


class FakeCounter:
    """Redis as the outbox's scripts use it: the count of events published."""

    def __init__(self):
        self.count = 0

    def eval(self, script, numkeys, key, *args):
        assert key == queue.published_key()
        if script == queue._COUNT_SCRIPT:
            self.count += 1
            return self.count
        taken, self.count = self.count, 0
        return taken or None


@pytest.fixture
def counted(monkeypatch, batched_handlers, with_broker, settings):
    settings.EVENTS_DISPATCH_DELAY_MS = 0
    counter = FakeCounter()
    monkeypatch.setattr(queue, "published_counter", lambda: counter)
    queued = []
    monkeypatch.setattr(tasks.dispatch_event, "delay", lambda event_id: queued.append(event_id))
    return counter, queued


def test_dispatch_task_of_a_coalesced_event_starts_a_moment_later(
    counted, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EVENTS_DISPATCH_DELAY_MS = 50
    queued = []
    monkeypatch.setattr(
        tasks.dispatch_event, "apply_async", lambda args, countdown=None: queued.append((args, countdown))
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = services.publish("test.batched")
    assert queued == [((event.pk,), 0.05)]


def test_event_published_while_a_dispatch_task_waits_queues_no_task(
    counted, django_capture_on_commit_callbacks
):
    _counter, queued = counted
    with django_capture_on_commit_callbacks(execute=True):
        first = services.publish("test.batched")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.publish("test.batched")
    assert queued == [first.pk]


def test_dispatch_task_runs_the_events_published_while_it_waited(counted, django_capture_on_commit_callbacks):
    counter, queued = counted
    ids = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            ids.append(services.publish("test.batched").pk)
    dispatch.event_dispatch(event_id=queued[0])
    handled = [pk for kind, pks in calls for pk in (pks if kind == "many" else [pks])]
    assert handled == ids
    assert counter.count == 0
    with django_capture_on_commit_callbacks(execute=True):
        later = services.publish("test.batched")
    assert queued == [ids[0], later.pk]  # the count starts again: the next event has a task


def test_dispatch_task_alone_on_its_count_runs_only_its_event(
    counted, django_capture_on_commit_callbacks, settings
):
    settings.EVENTS_DRAIN_AFTER_SECONDS = 3600
    _counter, queued = counted
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.publish("test.batched")
    other = published(1, django_capture_on_commit_callbacks)[0]  # its task is on its way
    dispatch.event_dispatch(event_id=queued[0])
    assert calls == [("one", mine.pk)]
    assert Delivery.objects.get(event_id=other).state == "pending"


def test_count_is_dropped_when_the_task_cannot_be_queued(
    counted, monkeypatch, django_capture_on_commit_callbacks
):
    counter, queued = counted

    def broker_down(event_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.dispatch_event, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish("test.batched")
    assert counter.count == 0  # so the next event queues a task again


def test_published_events_count_under_the_broker_key_prefix(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "broker_transport_options", {"global_keyprefix": "shop2:"})
    assert queue.published_key() == "shop2:tandem:events:published"


@pytest.mark.broker
def test_redis_counts_published_events_until_a_task_takes_them(with_broker, settings):
    settings.EVENTS_COALESCE_SECONDS = 10
    counter = queue.published_counter()
    key = queue.published_key()
    counter.delete(key)
    try:
        assert [counter.eval(queue._COUNT_SCRIPT, 1, key, 10) for _ in range(3)] == [
            1,
            2,
            3,
        ]
        assert 0 < counter.ttl(key) <= 10  # a lost task holds up nothing for long
        assert queue.take_published_count(counter) == 3
        assert queue.take_published_count(counter) == 0
    finally:
        counter.delete(key)


def test_events_are_not_coalesced_with_tasks_in_process():
    assert django_settings.EVENTS_COALESCE_SECONDS == 0 or queue.published_counter() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_drain_runs_other_handlers_each_in_a_transaction_of_its_own(
    batched_handlers, with_broker, django_capture_on_commit_callbacks
):
    """A batch of the reservation rule never shares its transaction (and its locks) with an
    unrelated handler, nor two unrelated handlers with each other."""
    from django.db import connection

    transactions = {}

    def txid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            return cursor.fetchone()[0]

    @registry.on("test.other")
    def other(event):
        transactions[event.pk] = txid()

    (batched_name,) = registry.handlers_for("test.batched")

    @registry.batch_of(registry.get_handler("test.batched", batched_name))
    def many(events):
        transactions.update({event.pk: txid() for event in events})

    try:
        with django_capture_on_commit_callbacks(execute=False):
            batched = [services.publish("test.batched").pk for _ in range(2)]
            others = [services.publish("test.other").pk for _ in range(2)]
        done = dispatch.event_dispatch(event_id=None)
    finally:
        registry.unregister("test.other", registry.handler_name(other))
    assert len(done) == 4 and set(done.values()) == {"done"}
    assert transactions[batched[0]] == transactions[batched[1]]
    assert len({transactions[batched[0]], transactions[others[0]], transactions[others[1]]}) == 3
