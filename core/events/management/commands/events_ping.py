"""``manage.py events_ping USER``: publish ``tandem.ping`` and wait until a worker has handled it.

After a deployment this proves the whole path (database → broker → worker → handler) in one
command; it exits non-zero when the event is not handled in time.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.events import services
from core.events.handlers import PING
from core.events.models import Delivery


class Command(BaseCommand):
    help = "Publish a tandem.ping event for USER and wait until it is handled."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait (default 30)")

    def handle(self, username, timeout, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        with transaction.atomic():
            event = services.publish(PING, {"user_id": user.pk})
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if Delivery.objects.filter(event=event, state=Delivery.State.DONE).exists():
                self.stdout.write(f"handled in {time.monotonic() - started:.2f} s (event {event.pk})")
                return
            time.sleep(0.2)
        raise CommandError(f"Event {event.pk} was not handled within {timeout:g} s: is a worker running?")
