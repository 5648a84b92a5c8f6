"""Reading rows by id without the ORM's query building, for the hot paths where building the
query costs more than running it (order intake reads its customer and products this way), and
telling whether a value from a request can be an id at all.
"""

from django.db import connection


def by_ids(model, ids) -> list:
    """The ``model`` rows with these primary keys (every field loaded), in one query that skips
    the ORM's query building on PostgreSQL (the ORM elsewhere). Ids that cannot be keys are
    left out, as the ORM leaves them out."""
    ids = [i for i in map(as_id, ids) if i is not None]
    if not ids:
        return []
    manager = model._default_manager
    if connection.vendor != "postgresql":
        return list(manager.filter(pk__in=ids))
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    return list(manager.raw(f"SELECT * FROM {table} WHERE {pk} = ANY(%s)", [ids]))


# The largest primary key a column holds (bigint); longer text is no id, and is not parsed.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """``value`` as a primary key, or None: the one parser of ids from input (paths, query
    strings, form fields, JSON bodies). An id is a positive whole number that fits the column,
    written in ASCII digits or given as an int: ``abc``, ``²``, ``1.5``, ``1e3``, ``-1``, ``0``,
    ``True``, 20-digit numbers and floats (even ``1.0``) are not ids."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_input(value, *, field: str, required: bool = True) -> int | None:
    """An id from input (a query string, a form, a JSON body) by ``as_id``'s rule, or a
    ``ValidationError`` naming ``field``; empty input is None when not ``required``."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value is None or (isinstance(value, str) and not value.strip()):
        if not required:
            return None
        raise ValidationError({field: _("Enter a valid id.")})
    pk = as_id(value)
    if pk is None:
        raise ValidationError({field: _("Enter a valid id.")})
    return pk
