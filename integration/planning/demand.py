"""The demand history as matrices for the forecast: one row per product × warehouse, one column
per day of the window, the day's demand (shipped − returned) and whether it was a stock-out.

``history_matrix`` reads it with the ORM on any database. On PostgreSQL the nightly run reads
tens of millions of cells, so ``_history_matrix_copy`` takes them as one binary ``COPY`` parsed
by numpy in C (fixed-width rows); tests compare the two on every case.
"""

from datetime import date

import numpy as np
from django.db import connection

from integration.planning.models import DemandDay

# One binary COPY row: field count (int16), then per field its length (int32) and value —
# product id, warehouse id and day index (int32 each), demand (float8), stock-out (int32).
_COPY_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("product", ">i4"),
        ("l2", ">i4"),
        ("warehouse", ">i4"),
        ("l3", ">i4"),
        ("day", ">i4"),
        ("l4", ">i4"),
        ("demand", ">f8"),
        ("l5", ">i4"),
        ("stockout", ">i4"),
    ]
)
_COPY_HEADER = 19  # signature (11), flags (4), header extension length (4)


def _empty(days: int):
    return [], np.zeros((0, days)), np.zeros((0, days), dtype=bool)


def _assemble(products, warehouses, day_idx, demand, stockout, days: int):
    keys = np.stack([products, warehouses], axis=1) if len(products) else np.zeros((0, 2), dtype=np.int64)
    series, row = np.unique(keys, axis=0, return_inverse=True)
    row = np.asarray(row).reshape(-1)
    matrix = np.zeros((len(series), days))
    out = np.zeros((len(series), days), dtype=bool)
    matrix[row, day_idx] = demand
    out[row, day_idx] = stockout
    return [(int(p), int(w)) for p, w in series], matrix, out


def history_matrix(product_ids, *, first: date, days: int):
    """``(series, demand, stockout)`` for the products' demand days in ``first`` … ``first +
    days − 1``: series = [(product_id, warehouse_id)] sorted, the matrices n × days."""
    product_ids = list(product_ids)
    if not product_ids:
        return _empty(days)
    if connection.vendor == "postgresql":
        return _history_matrix_copy(product_ids, first=first, days=days)
    return _history_matrix_orm(product_ids, first=first, days=days)


def _history_matrix_orm(product_ids, *, first: date, days: int):
    rows = list(
        DemandDay.objects.filter(
            product_id__in=product_ids, day__gte=first, day__lt=first.fromordinal(first.toordinal() + days)
        ).values_list("product_id", "warehouse_id", "day", "shipped", "returned", "stockout")
    )
    if not rows:
        return _empty(days)
    start = first.toordinal()
    return _assemble(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2].toordinal() - start for r in rows], dtype=np.int64),
        np.array([float(r[3] - r[4]) for r in rows]),
        np.array([r[5] for r in rows], dtype=bool),
        days,
    )


def _history_matrix_copy(product_ids, *, first: date, days: int):
    table = DemandDay._meta.db_table
    last = first.fromordinal(first.toordinal() + days)
    ids = ",".join(str(int(p)) for p in product_ids)
    sql = (
        f"COPY (SELECT product_id::int4, warehouse_id::int4, (day - DATE '{first.isoformat()}')::int4, "
        f"(shipped - returned)::float8, stockout::int4 FROM {table} "
        f"WHERE product_id IN ({ids}) AND day >= DATE '{first.isoformat()}' "
        f"AND day < DATE '{last.isoformat()}'"
        f") TO STDOUT (FORMAT BINARY)"
    )
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for block in copy:
            buffer += block
    body = memoryview(buffer)[_COPY_HEADER:-2]
    if not len(body):
        return _empty(days)
    rows = np.frombuffer(body, dtype=_COPY_ROW)
    return _assemble(
        rows["product"].astype(np.int64),
        rows["warehouse"].astype(np.int64),
        rows["day"].astype(np.int64),
        rows["demand"].astype(np.float64),
        rows["stockout"].astype(bool),
        days,
    )
