"""The platform's own handler: ``tandem.ping`` proves the whole path (outbox row → broker →
worker → handler → database) works. Publish ``tandem.ping`` with ``{"user_id": …}`` and the user
gets a notification once the worker has handled it."""

from django.utils.translation import gettext_noop

from core.events import names, services
from core.events.registry import on

PING = names.TANDEM_PING


@on(PING)
def answer_ping(event):
    services.notify(
        users=[event.payload["user_id"]],
        title=gettext_noop("Ping handled"),
        kind="ping",
        key=f"ping:{event.pk}",
    )
