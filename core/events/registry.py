"""Handlers register by event name. A handler is a function ``handler(event)`` that runs inside
the delivery's transaction; it must only change the database.

A handler whose work is network I/O (sending an e-mail) registers with ``atomic=False``: it runs
outside any transaction, while the worker holds its delivery on a lease
(``EVENTS_LEASE_SECONDS``). It writes its own records in short transactions of its own, and must
tell from them what an earlier run did: a worker that dies mid-run leaves the delivery pending,
and it runs again once the lease is over. It raises to be retried, like any handler."""

from collections import defaultdict
from collections.abc import Callable

_handlers: dict[str, dict[str, Callable]] = defaultdict(dict)
_batch_handlers: dict[str, Callable] = {}
_outside: set[str] = set()


def handler_name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def on(event_name: str, *, atomic: bool = True):
    """Decorator: ``@on(names.ORDER_CONFIRMED)`` registers the function for that event;
    ``atomic=False`` runs it outside the delivery's transaction (see above)."""

    def decorator(func):
        name = handler_name(func)
        _handlers[event_name][name] = func
        if not atomic:
            _outside.add(name)
        return func

    return decorator


def batch_of(handler: Callable):
    """Decorator: ``@batch_of(reserve_confirmed_order)`` registers ``func(events)`` as the way to
    run that handler for several events in one call (one transaction, fewer statements), when
    the worker takes a batch of pending deliveries. It must have the effect of the handler run
    for each event in turn; if it raises, each delivery runs alone."""

    def decorator(func):
        _batch_handlers[handler_name(handler)] = func
        return func

    return decorator


def batched_handlers() -> list[str]:
    """The names of the handlers that have a batch function, in registration order."""
    return [name for name in _batch_handlers if name not in _outside]


def get_batch_handler(name: str) -> Callable | None:
    return _batch_handlers.get(name)


def handlers_for(event_name: str) -> dict[str, Callable]:
    return dict(_handlers.get(event_name, {}))


def runs_outside(name: str) -> bool:
    """Whether the handler ``name`` was registered with ``atomic=False``."""
    return name in _outside


def get_handler(event_name: str, name: str) -> Callable | None:
    return _handlers.get(event_name, {}).get(name)


def unregister(event_name: str, name: str) -> None:
    _handlers.get(event_name, {}).pop(name, None)
    if not any(name in handlers for handlers in _handlers.values()):
        _batch_handlers.pop(name, None)
        _outside.discard(name)
