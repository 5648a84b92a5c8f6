"""Replaying a delivery: only a dead one, the same on the page, the API and the service; an id
that names no delivery is a 404, never a 500."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.db import ConflictError
from core.events import services
from core.events.models import Delivery, Event
from core.models import AuditLog

pytestmark = pytest.mark.django_db


def delivery(state, attempts=5):
    event = Event.objects.create(name="test.happened", payload={})
    return Delivery.objects.create(
        event=event, handler="tests.nowhere.handler", state=state, attempts=attempts, last_error="boom"
    )


def test_a_dead_delivery_is_replayed_and_queued(django_capture_on_commit_callbacks, admin_user):
    dead = delivery(Delivery.State.DEAD)
    with django_capture_on_commit_callbacks() as queued:
        replayed = services.delivery_replay(delivery_id=dead.pk, actor=admin_user)
    assert (replayed.state, replayed.attempts, replayed.last_error) == ("pending", 0, "")
    assert len(queued) == 1
    assert AuditLog.objects.filter(action="events.replay", object_id=str(dead.pk)).count() == 1


@pytest.mark.parametrize("state", [Delivery.State.PENDING, Delivery.State.DONE])
def test_a_delivery_that_is_not_dead_is_not_replayed(state, django_capture_on_commit_callbacks):
    alive = delivery(state, attempts=2)
    with (
        django_capture_on_commit_callbacks() as queued,
        translation.override("en"),
        pytest.raises(ConflictError, match="Only a dead delivery can be replayed"),
    ):
        services.delivery_replay(delivery_id=alive.pk)
    alive.refresh_from_db()
    assert (alive.state, alive.attempts, alive.last_error) == (state, 2, "boom")
    assert queued == []
    assert not AuditLog.objects.filter(action="events.replay").exists()


def test_api_replays_a_dead_delivery(api_client, admin_user, django_capture_on_commit_callbacks):
    dead = delivery(Delivery.State.DEAD)
    api_client.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks():
        response = api_client.post(f"/api/v1/event-deliveries/{dead.pk}/replay/")
    assert response.status_code == 200
    assert response.json()["state"] == "pending"


def test_api_answers_409_with_the_reason_for_a_delivery_that_is_not_dead(api_client, admin_user):
    done = delivery(Delivery.State.DONE, attempts=1)
    api_client.force_authenticate(admin_user)
    response = api_client.post(f"/api/v1/event-deliveries/{done.pk}/replay/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["detail"] == f"Only a dead delivery can be replayed; delivery {done.pk} is Done."
    done.refresh_from_db()
    assert done.state == "done"


@pytest.mark.parametrize("pk", ["999999", "abc", "²", "1" * 20, "-1"])
def test_api_answers_404_for_an_id_that_names_no_delivery(api_client, admin_user, pk):
    api_client.force_authenticate(admin_user)
    response = api_client.post(f"/api/v1/event-deliveries/{pk}/replay/")
    assert response.status_code == 404


def test_api_replay_is_for_admins_only(api_client, manager_user):
    dead = delivery(Delivery.State.DEAD)
    api_client.force_authenticate(manager_user)
    assert api_client.post(f"/api/v1/event-deliveries/{dead.pk}/replay/").status_code == 403
    dead.refresh_from_db()
    assert dead.state == "dead"


def test_page_button_refuses_a_delivery_that_is_not_dead_with_a_message(client, admin_user):
    pending = delivery(Delivery.State.PENDING, attempts=1)
    client.force_login(admin_user)
    url = reverse("events:replay", args=[pending.pk])
    response = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert f"delivery {pending.pk} is Pending" in response.content.decode()
    pending.refresh_from_db()
    assert (pending.state, pending.attempts) == ("pending", 1)


def test_the_refusal_is_in_the_readers_language(admin_user, api_client):
    done = delivery(Delivery.State.DONE, attempts=1)
    api_client.force_authenticate(admin_user)
    response = api_client.post(f"/api/v1/event-deliveries/{done.pk}/replay/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["detail"] == f"只能重新投递失败的投递；投递 {done.pk} 的状态是“已完成”。"


def test_page_button_answers_404_for_no_such_delivery(client, admin_user):
    client.force_login(admin_user)
    assert client.post(reverse("events:replay", args=[999999])).status_code == 404
    assert client.post("/events/deliveries/" + "9" * 20 + "/replay/").status_code == 404
