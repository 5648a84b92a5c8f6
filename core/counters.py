"""Counters in the cache (failure counts, rate limits) that never fail a request.

A cache outage must not take the requests down with it: the counters fail open (a hit counts
nothing, a count reads 0), the first failure is logged, and for ``CACHE_RETRY_SECONDS`` after it
the cache is not asked again, so that an outage neither floods the log nor makes every request
wait for the cache's timeout. Where counting matters more than availability (the login lockout)
the count lives in the database instead (django-axes' database handler).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

_state = {"down_until": 0.0, "down": False}


def _available() -> bool:
    return time.monotonic() >= _state["down_until"]


def _failed(exc: Exception) -> None:
    _state["down_until"] = time.monotonic() + settings.CACHE_RETRY_SECONDS
    if not _state["down"]:
        _state["down"] = True
        logger.warning("Cache unavailable, counters fail open until it is back: %s", exc)


def _worked() -> None:
    if _state["down"]:
        _state["down"] = False
        logger.info("Cache available again.")


def hit(key: str, timeout: int) -> int:
    """Count one more under ``key`` and return the count. The window starts at the first hit
    and is not extended by later ones (a client that keeps failing is let in again once the
    window has passed). 0 when the cache cannot count."""
    if not _available():
        return 0
    try:
        if cache.add(key, 1, timeout):
            value = 1
        else:
            try:
                value = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout)
                value = 1
    except Exception as exc:  # noqa: BLE001 - any cache failure fails open
        _failed(exc)
        return 0
    _worked()
    return int(value)


def reset_state() -> None:
    """Forget a past failure (tests)."""
    _state.update(down_until=0.0, down=False)
