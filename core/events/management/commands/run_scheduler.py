"""The embedded default's stand-in for Celery beat: runs the beat schedule in-process.

With a broker, production runs ``celery beat`` instead; this command is for ``make run``.
"""

import time

from celery import current_app as app
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process (no broker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once and stop.")

    def handle(self, *args, **options):
        from celery.schedules import schedule as interval

        # The apps' task modules, as a worker imports them when it starts: nothing else in this
        # process would, and a task not imported is not in app.tasks.
        app.loader.import_default_modules()
        entries = {}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            sched = entry["schedule"]
            if not hasattr(sched, "is_due"):
                sched = interval(sched)
            entries[name] = (entry["task"], sched, None)
        while True:
            wait = 60.0
            for name, (task_name, sched, last_run) in list(entries.items()):
                due, next_in = (True, 0) if last_run is None else sched.is_due(last_run)
                if due or options["once"]:
                    try:
                        app.tasks[task_name].apply()
                    except Exception as exc:  # noqa: BLE001 - a failing task must not stop the loop
                        self.stderr.write(f"{name}: {exc}")
                    entries[name] = (task_name, sched, timezone.now())
                    due, next_in = sched.is_due(timezone.now())
                wait = min(wait, max(next_in, 1.0))
            if options["once"]:
                return
            time.sleep(wait)
