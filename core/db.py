"""Transactions that survive contention, and requests that survive a lost connection.

A service that changes shared rows runs in ``atomic_with_retry``: on a serialization failure,
deadlock or (SQLite) a locked database, the whole transaction is run again a bounded number of
times; after that ``ConflictError`` is raised and answered 409 (never 500).

A connection that the database dropped during a request (a restart, a killed backend, a network
cut: ``is_connection_lost``) fails that request's transaction, which rolls back; the request is
answered 503 with ``Retry-After`` (``CONNECTION_LOST_RETRY_AFTER``), and Django's health check
replaces the connection before the next one.
"""

import random
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _

RETRYABLE_PGCODES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available
# The server ended the session (administrator command, crash, starting up or shutting down).
CONNECTION_LOST_PGCODES = {"57P01", "57P02", "57P03"}
CONNECTION_LOST_RETRY_AFTER = 5  # seconds: a restarting database is usually back by then


class ConflictError(Exception):
    default_message = _("The record was changed by someone else at the same moment. Try again.")

    def __init__(self, message=None):
        super().__init__(str(message or self.default_message))


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in RETRYABLE_PGCODES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(exc)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the PostgreSQL connection is gone (not a conflict, not a bad
    statement): Django's ``InterfaceError`` (the connection is closed), or an
    ``OperationalError`` with no server error code (the client lost the server: the connection
    failed, was refused or was closed) or a code of class 08 (connection exception) or 57P01-03."""
    if connection.vendor != "postgresql" or not isinstance(exc, InterfaceError | OperationalError):
        return False
    if isinstance(exc, InterfaceError):
        return True
    if is_retryable(exc):
        return False
    cause = exc.__cause__ or exc
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code is None or code.startswith("08") or code in CONNECTION_LOST_PGCODES


def atomic_with_retry(func=None, *, retries: int = 3):
    """Run ``func`` in its own transaction, re-running it on a retryable database conflict.

    Inside an outer transaction it cannot retry (the outer block is already broken); it then
    joins the outer transaction and lets the conflict propagate.
    """

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            if connection.in_atomic_block:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            for attempt in range(retries + 1):
                try:
                    with transaction.atomic():
                        return fn(*args, **kwargs)
                except OperationalError as exc:
                    if not is_retryable(exc):
                        raise
                    if attempt == retries:
                        raise ConflictError() from exc
                    time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
            raise AssertionError("unreachable")

        return wrapper

    if func is not None:
        return decorator(func)
    return decorator


# Set while a report or dashboard is computed (``reporting()``): the database router
# (``config.db_router``) then sends every read to the replica.
_reporting: ContextVar[bool] = ContextVar("tandem_reporting", default=False)


def reporting_db() -> str:
    """The database alias reports and dashboards read from: the replica when one is configured
    (``DATABASE_REPLICA_URL``) and no transaction is open on the default database (a transaction
    that writes reads what it wrote, never a replica a moment behind), else the default."""
    from django.conf import settings

    if "replica" not in settings.DATABASES or connection.in_atomic_block:
        return "default"
    return "replica"


@contextmanager
def reporting():
    """Within it, reads go to the replica when one is configured (the router): for computing a
    report that writes nothing. Writes still go to the default database."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def is_reporting() -> bool:
    return _reporting.get()
