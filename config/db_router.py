"""The database router: with a replica configured (``DATABASE_REPLICA_URL``), dashboards and
reports read from it; every write, and every read of a transaction that writes, goes to the
default database. Without a replica, everything is the default database's.

Reads go to the replica when
- the model is one of insights' daily facts (``integration.insights.models.facts``) and no
  transaction is open on the default database (an event handler refreshing a fact reads and
  writes it in one transaction: it must read what it writes, never a replica a moment behind);
- or a report is being computed (``core.db.reporting()``, e.g. the manager's dashboard and the
  figures' API), which reads the other apps' selectors (the funnel, aging) too.
"""

from django.conf import settings
from django.db import connections

from core.db import is_reporting

REPLICA = "replica"
FACT_APP = "insights"


def _fact_models() -> frozenset[str]:
    from integration.insights.models import facts

    return frozenset(name.lower() for name in facts.__all__)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or connections["default"].in_atomic_block:
            return None
        if is_reporting():
            return REPLICA
        meta = model._meta
        if meta.app_label == FACT_APP and meta.model_name in _fact_models():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the default database: rows of either relate alike.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
