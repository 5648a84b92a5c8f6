"""A deadlock as PostgreSQL reports it, for the tests of services that run again on one."""

from django.db import OperationalError


class _Deadlock(Exception):
    sqlstate = "40P01"


def deadlock() -> OperationalError:
    """The error psycopg raises on a deadlock, wrapped as Django wraps it."""
    error = OperationalError("deadlock detected")
    error.__cause__ = _Deadlock()
    return error


def deadlock_once(monkeypatch, module, name) -> list:
    """``module.name`` runs, and its first call then fails with a deadlock after its writes (the
    retry must undo them and start again). Answers the list of calls, one entry each."""
    real, calls = getattr(module, name), []

    def wrapped(*args, **kwargs):
        calls.append(1)
        result = real(*args, **kwargs)
        if len(calls) == 1:
            raise deadlock()
        return result

    monkeypatch.setattr(module, name, wrapped)
    return calls
