"""The demand history as matrices for the forecast: one row per product × warehouse, one column
per day of the window, the day's demand (shipped − returned) and whether it was a stock-out.

``history_matrix`` reads it with the ORM on any database. On PostgreSQL the nightly run reads
tens of millions of cells, so ``_history_matrix_copy`` has the database pack them into one
binary string (fixed-width rows) that numpy reads in C; tests compare the two on every case.
"""

from datetime import date

import numpy as np
from django.db import connection

from integration.planning.models import DemandDay

# One row of the packed history: product id, warehouse id and day index (int32 each), demand
# (float8) and stock-out (int32), big-endian as PostgreSQL's ``int4send`` / ``float8send`` write
# them.
_PACKED_ROW = np.dtype(
    [("product", ">i4"), ("warehouse", ">i4"), ("day", ">i4"), ("demand", ">f8"), ("stockout", ">i4")]
)


def _empty(days: int):
    return [], np.zeros((0, days)), np.zeros((0, days), dtype=bool)


def _assemble(products, warehouses, day_idx, demand, stockout, days: int):
    key = products.astype(np.int64) * (1 << 31) + warehouses.astype(np.int64)
    series, row = np.unique(key, return_inverse=True)
    matrix = np.zeros((len(series), days))
    out = np.zeros((len(series), days), dtype=bool)
    matrix[row, day_idx] = demand
    out[row, day_idx] = stockout
    return [(int(k >> 31), int(k & ((1 << 31) - 1))) for k in series], matrix, out


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
    """The same rows packed by the database into one binary string (one message instead of a
    row each), read by numpy without a Python object per row."""
    table = DemandDay._meta.db_table
    last = first.fromordinal(first.toordinal() + days)
    sql = (
        "SELECT string_agg(int4send(product_id::int4) || int4send(warehouse_id::int4) "
        "|| int4send((day - %s)::int4) || float8send((shipped - returned)::float8) "
        f"|| int4send(stockout::int4), ''::bytea) FROM {table} "
        "WHERE product_id = ANY(%s) AND day >= %s AND day < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, [int(p) for p in product_ids], first, last])
        packed = cursor.fetchone()[0]
    if not packed:
        return _empty(days)
    rows = np.frombuffer(packed, dtype=_PACKED_ROW)
    return _assemble(
        rows["product"].astype(np.int64),
        rows["warehouse"].astype(np.int64),
        rows["day"].astype(np.int64),
        rows["demand"].astype(np.float64),
        rows["stockout"].astype(bool),
        days,
    )
