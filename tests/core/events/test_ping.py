import pytest
from django.core.management import CommandError, call_command

from core.events import queue
from core.events.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_events_ping_is_handled_and_notifies_the_user(sales_user, capsys):
    call_command("events_ping", sales_user.username, timeout=5)
    assert "handled in" in capsys.readouterr().out
    assert Notification.objects.filter(user=sales_user, kind="ping").count() == 1


def test_events_ping_fails_when_nothing_handles_the_event(sales_user, monkeypatch):

    monkeypatch.setattr(queue, "enqueue_event", lambda event_id: None)
    with pytest.raises(CommandError, match="not handled"):
        call_command("events_ping", sales_user.username, timeout=0.5)
