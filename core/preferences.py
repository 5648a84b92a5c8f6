"""Company-wide preferences (``core.models.Preference``): what an industry template sets and an
admin may change afterwards. Each key is named here with the shape of its value and how two of
its entries are told apart, so that merging a template *adds what is missing and never deletes or
renames*:

- a list is merged entry by entry: an entry whose identity (``identity``) is not there yet is
  appended; one that is there is left as it is, even when the template says it differently;
- a dict is merged key by key the same way (a key already set keeps its value).

Readers call ``preference(key)`` (one query) or, on every page, ``cached_preference(key)`` (kept
in the process for ``_TTL`` seconds, cleared when this process writes the key).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from core.models import Preference


@dataclass(frozen=True)
class Key:
    name: str
    default: object
    # How two entries of a list are told apart (None: the entry itself).
    identity: Callable | None = None


def _by(*fields):
    return lambda entry: tuple(str(entry.get(f, "")).strip().lower() for f in fields)


# Lists offered in forms.
LEAD_SOURCES = Key("lead_sources", [])  # ["展会", "官网", …]
CUSTOMER_TAGS = Key("customer_tags", [])  # ["重点", "新客户", …]
# [{"name": "箱", "divisible": false}, …]: the units products may use.
UNITS = Key("units", [], _by("name"))
# [{"unit": "箱", "base": "个", "factor": "24"}, …]: the usual conversion, offered when a product
# gives no factor of its own.
UNIT_CONVERSIONS = Key("unit_conversions", [], _by("unit", "base"))
# [{"name": "月结30天", "days": 30, "default": true}, …]
PAYMENT_TERMS = Key("payment_terms", [], _by("name"))
# {"SO": {"prefix": "XS", "digits": 6}, …}: by the prefix the code draws numbers with.
NUMBER_FORMATS = Key("number_formats", {})
# {"default_limit": "50000.00"}: the credit limit a new customer gets when none is given.
CREDIT_POLICY = Key("credit_policy", {})
# ["sales", "margin", …]: the dashboard's figures shown first, in this order.
DASHBOARD_FIGURES = Key("dashboard_figures", [])
# {"sales": ["customers", "orders", …], …}: per role, the navigation items shown first.
NAVIGATION = Key("navigation", {})
# {"template": "trade", "name": "商贸"}: the industry template applied last.
INDUSTRY = Key("industry", {})

KEYS = {
    k.name: k
    for k in (
        LEAD_SOURCES,
        CUSTOMER_TAGS,
        UNITS,
        UNIT_CONVERSIONS,
        PAYMENT_TERMS,
        NUMBER_FORMATS,
        CREDIT_POLICY,
        DASHBOARD_FIGURES,
        NAVIGATION,
        INDUSTRY,
    )
}

_TTL = 60.0
_cache: dict[str, tuple[float, object]] = {}


def _key(key: Key | str) -> Key:
    return key if isinstance(key, Key) else KEYS[key]


def _copy_default(key: Key):
    default = key.default
    if isinstance(default, list | dict):
        return type(default)(default)
    return default


def preference(key: Key | str):
    """The value of one preference (its default when never set)."""
    key = _key(key)
    row = Preference.objects.filter(key=key.name).values_list("value", flat=True).first()
    return _copy_default(key) if row is None else row


def cached_preference(key: Key | str):
    """``preference`` kept in this process for a minute: for what every page reads (the
    navigation). A write in this process clears it at once; other processes see it within the
    minute."""
    key = _key(key)
    hit = _cache.get(key.name)
    now = time.monotonic()
    if hit is not None and now - hit[0] < _TTL:
        return hit[1]
    value = preference(key)
    _cache[key.name] = (now, value)
    return value


def cache_clear() -> None:
    _cache.clear()


def preference_set(*, key: Key | str, value) -> None:
    """Set a preference outright (an admin's edit)."""
    key = _key(key)
    Preference.objects.update_or_create(key=key.name, defaults={"value": value})
    transaction.on_commit(cache_clear)
    cache_clear()


def merged(key: Key | str, current, incoming) -> tuple[object, list]:
    """``current`` with what ``incoming`` adds (nothing removed or renamed) and the list of what
    was added (entries of a list, keys of a dict)."""
    key = _key(key)
    if isinstance(key.default, list):
        ident = key.identity or (lambda e: str(e).strip().lower())
        seen = {ident(e) for e in current}
        value, added = list(current), []
        for entry in incoming:
            if ident(entry) not in seen:
                seen.add(ident(entry))
                value.append(entry)
                added.append(entry)
        return value, added
    value, added = dict(current), []
    for name, entry in incoming.items():
        if name not in value:
            value[name] = entry
            added.append(name)
        elif isinstance(entry, list) and isinstance(value[name], list):
            extra = [e for e in entry if e not in value[name]]
            if extra:
                value[name] = value[name] + extra
                added.append(name)
    return value, added


def preference_merge(*, key: Key | str, value) -> list:
    """Add to a preference what ``value`` has and it lacks; returns what was added. The row is
    locked while merging so that two merges never lose each other's entries."""
    key = _key(key)
    with transaction.atomic():
        Preference.objects.get_or_create(key=key.name, defaults={"value": _copy_default(key)})
        row = Preference.objects.select_for_update().get(key=key.name)
        new, added = merged(key, row.value, value)
        if added:
            row.value = new
            row.save(update_fields=["value", "updated_at"])
        # Cleared again once committed: another thread may read the old value meanwhile.
        transaction.on_commit(cache_clear)
    cache_clear()
    return added
