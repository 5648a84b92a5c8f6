"""Writing several tables in one PostgreSQL statement (data-modifying ``WITH`` queries).

For the few hot paths where round trips and the ORM's query building cost more than the work
(creating an order, confirming it): the rows are still model instances, prepared for the
database exactly as ``Model.save`` prepares them, so defaults, ``auto_now`` and field types
stay the model's.
"""

from django.db import connection


def insert_select(model, objs, fields, *, source: str, source_columns: dict[str, str]) -> tuple[str, list]:
    """An ``INSERT … SELECT`` of ``objs`` into ``model``'s table, for a ``WITH`` query.

    ``fields`` are written from the objects (``pre_save`` then ``get_db_prep_save``, as the ORM
    does; ``auto_now`` fields are set on the objects too); each column of ``source_columns``
    (column → SQL expression over ``source``, e.g. ``{"order_id": "ids.id"}``) is taken from the
    row of ``source``, an earlier table expression of the same statement. One object is written
    from typed parameters, several from typed arrays (``unnest``), so rows keep their order.
    """
    quote = connection.ops.quote_name
    columns = [*source_columns, *(f.column for f in fields)]
    params = []
    if len(objs) == 1:
        values = []
        for f in fields:
            values.append(f"%s::{f.cast_db_type(connection)}")
            params.append(f.get_db_prep_save(f.pre_save(objs[0], True), connection))
        select = ", ".join([*source_columns.values(), *values])
        from_ = source
    else:
        arrays = []
        for f in fields:
            arrays.append(f"%s::{f.cast_db_type(connection)}[]")
            params.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs])
        select = ", ".join([*source_columns.values(), "u.*"])
        from_ = f"{source}, unnest({', '.join(arrays)}) AS u"
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(map(quote, columns))}) SELECT {select} FROM {from_}", params


def next_id_sql(model) -> str:
    """SQL for the next primary key of ``model``'s table (its sequence's ``nextval``)."""
    table = model._meta.db_table
    return f"nextval(pg_get_serial_sequence('{table}', '{model._meta.pk.column}'))"


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


def as_id(value) -> int | None:
    """``value`` as a primary key (a whole number that fits the column), or None."""
    text = str(value)
    if not text.isdecimal() or int(text) >= 2**63:
        return None
    return int(text)
