"""Document numbers: one counter per prefix and year (``SO-2026``, ``INV-2026`` …), drawn by one
statement, for every numbered document (orders, quotes, invoices, credit notes, payments,
shipments, returns, transfers, counts). Each document type keeps its own prefix and width:
``SO-2026-000042``, ``INV-2026-00001``.

How the next number is drawn:
- PostgreSQL: each counter is a sequence (``number_so_2026``), made on first use. ``nextval``
  takes no lock that lasts until commit, so concurrent order intake never queues behind one
  counter row; a number drawn by a transaction that rolls back is not reused (a gap). The
  first number of a year makes the sequence in the caller's transaction: another caller doing
  the same at that moment waits for it to commit, once a year per prefix.
- elsewhere (SQLite): a row of ``NumberCounter``, advanced by one
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING``; SQLite lets one writer in at a time, so the
  row adds no waiting of its own.

Either way no number is read and then written from Python, and two callers never get the same
number. A document's ``number`` column is unique as well: the database has the last word.
"""

import re
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import NumberCounter
from core.preferences import NUMBER_FORMATS, cached_preference

PREFIX = re.compile(r"^[A-Z]{1,10}$")
# The widths a company may choose (numbers are at most 30 characters: prefix, year, counter).
MIN_DIGITS, MAX_DIGITS = 3, 10


def document_number(*, prefix: str, when: date | None = None, digits: int = 6) -> str:
    """The next number of ``prefix`` for the year of ``when`` (today by default), as
    ``PREFIX-YEAR-NNNNNN`` with at least ``digits`` digits (more once the counter needs them).

    The company's ``number_formats`` preference (an industry template's) may give ``prefix``
    another prefix and width for new numbers (``{"SO": {"prefix": "XS", "digits": 5}}``:
    ``XS-2026-00001``). The counter is the shown prefix's, so two document types given the same
    prefix share one counter and never draw the same number; documents keep the numbers they
    have."""
    shown, digits = number_style(prefix=prefix, digits=digits)
    year = (when or timezone.localdate()).year
    return number_format(prefix=shown, year=year, value=number_next(prefix=shown, year=year), digits=digits)


def number_style(*, prefix: str, digits: int = 6) -> tuple[str, int]:
    """The prefix and width new numbers of ``prefix`` get: the company's ``number_formats``
    entry for it, else ``prefix`` and ``digits`` as the code gives them. Read through the
    process's preference cache (numbers are drawn often); a malformed entry is ignored."""
    formats = cached_preference(NUMBER_FORMATS)
    entry = formats.get(prefix) if isinstance(formats, dict) else None
    if not isinstance(entry, dict):
        return prefix, digits
    shown = entry.get("prefix") or prefix
    if not isinstance(shown, str) or not PREFIX.match(shown):
        shown = prefix
    width = entry.get("digits")
    if isinstance(width, int) and not isinstance(width, bool) and MIN_DIGITS <= width <= MAX_DIGITS:
        digits = width
    return shown, digits


def number_format(*, prefix: str, year: int, value: int, digits: int = 6) -> str:
    return f"{prefix}-{year}-{value:0{digits}d}"


def number_next(*, prefix: str, year: int) -> int:
    """The next value of the counter ``prefix``-``year`` (1 for its first document)."""
    key = _key(prefix, year)
    if connection.vendor == "postgresql":
        return _sequence_next(key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table()} (key, last) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET last = last + 1 RETURNING last",
            [key],
        )
        return cursor.fetchone()[0]


def number_at_least(*, prefix: str, year: int, value: int) -> None:
    """Move the counter ``prefix``-``year`` on to ``value`` if it is behind (for numbers given
    before the counter existed: the next number drawn is then above them). Never moves back."""
    key = _key(prefix, year)
    if value <= 0:
        return
    if connection.vendor == "postgresql":
        name = _sequence(key)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(%s, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
                f"FROM {name})))",
                [name, value],
            )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table()} (key, last) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET last = MAX(last, excluded.last)",
            [key, value],
        )


def _key(prefix: str, year: int) -> str:
    if not PREFIX.match(prefix) or not 1 <= int(year) <= 9999:
        raise ValueError(f"Not a number prefix (1 to 10 capital letters) and year: {prefix!r} {year!r}")
    return f"{prefix}-{int(year)}"


def _table() -> str:
    return connection.ops.quote_name(NumberCounter._meta.db_table)


def _sequence_name(key: str) -> str:
    return f"number_{key.replace('-', '_').lower()}"


def _sequence_next(key: str) -> int:
    name = _sequence_name(key)
    with connection.cursor() as cursor:
        # to_regclass: NULL (not an error that would break the caller's transaction) when the
        # counter has no sequence yet.
        cursor.execute("SELECT nextval(to_regclass(%s))", [name])
        value = cursor.fetchone()[0]
    if value is None:
        _sequence(key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [name])
            value = cursor.fetchone()[0]
    return value


def _sequence(key: str) -> str:
    """The sequence of the counter ``key``, made if missing (once a year per prefix)."""
    name = _sequence_name(key)
    try:
        # A savepoint: another transaction making the same sequence at the same moment wins,
        # and this one carries on with it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint")
    except DatabaseError:
        pass
    return name
