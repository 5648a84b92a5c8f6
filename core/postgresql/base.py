"""Django's PostgreSQL backend with a health check that skips busy connections.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
and every task: a round trip that costs a busy web worker as much as a query of its own. Here a
connection last used less than ``DATABASE_HEALTH_CHECK_IDLE_SECONDS`` ago is taken as sound; one
left idle longer (where a restart or a dropped link hides) is checked as before. A connection
that fails during a request is still checked when the request ends (``errors_occurred``) and
dropped if broken.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _first_use_at = float("-inf")

    def connect(self):
        super().connect()
        self._first_use_at = time.monotonic()

    def close_if_health_check_failed(self):
        # Django calls this before each cursor: it also tells when the connection was last used.
        now = time.monotonic()
        previous, self._first_use_at = self._first_use_at, now
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and now - previous < settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
