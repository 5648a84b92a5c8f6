"""The order history that the selling statistics read (purchase cycles, co-purchases): the lines
of orders a customer committed to — confirmed and everything after it (reserved, shipped,
invoiced, paid) — dated by the order date; drafts, orders on credit hold and cancelled orders are
not purchases. Quantities are the lines' base quantities.

The nightly runs aggregate these lines in the database (``cycles``, ``crosssell``: one statement
per figure, PostgreSQL or SQLite); the helpers here give them the tables, the counted states and
the date arithmetic of either database, and the same reads through the ORM for the plain paths
they are tested against.
"""

from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.db.models import QuerySet

from crm.sales.models import SalesOrder, SalesOrderLine
from scm.inventory.models import Product

_S = SalesOrder.State
COUNTED_STATES = (
    _S.CONFIRMED,
    _S.PARTLY_RESERVED,
    _S.RESERVED,
    _S.PARTLY_SHIPPED,
    _S.SHIPPED,
    _S.INVOICED,
    _S.PAID,
)

LINE_TABLE = SalesOrderLine._meta.db_table
ORDER_TABLE = SalesOrder._meta.db_table
PRODUCT_TABLE = Product._meta.db_table

# Day numbers count days from this date, the same in SQL and in Python.
EPOCH = date(2000, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_from_number(number: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(number))


def counted_lines(*, since: date, until: date) -> QuerySet[SalesOrderLine]:
    """The purchase lines ordered from ``since`` to ``until`` (both included)."""
    return SalesOrderLine.objects.filter(
        order__state__in=COUNTED_STATES, order__order_date__gte=since, order__order_date__lte=until
    )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def day_sql(column: str) -> str:
    """``column`` (a date) as its day number."""
    if is_postgres():
        return f"({column} - DATE '{EPOCH.isoformat()}')"
    return f"CAST(julianday({column}) - julianday('{EPOCH.isoformat()}') AS INTEGER)"


def part_sql(part: str, column: str) -> str:
    """The year, month or day of ``column`` as an integer (in a statement with parameters)."""
    if is_postgres():
        return f"CAST(EXTRACT({part.upper()} FROM {column}) AS INTEGER)"
    # "%%": the statements run with parameters, where a lone "%" would be read as one.
    fmt = {"year": "%%Y", "month": "%%m", "day": "%%d"}[part]
    return f"CAST(strftime('{fmt}', {column}) AS INTEGER)"


def purchase_filter_sql(*, since: date, until: date) -> tuple[str, list]:
    """The WHERE condition on orders ``o`` of the counted purchases from ``since`` to ``until``,
    with its parameters."""
    states = ", ".join(["%s"] * len(COUNTED_STATES))
    sql = f"o.state IN ({states}) AND o.order_date >= %s AND o.order_date <= %s"
    return sql, [str(s) for s in COUNTED_STATES] + [since, until]


# The nightly statements group a million rows or more. On PostgreSQL they get the memory to
# sort and hash in memory rather than on disk, no JIT compilation (it costs more than it saves on
# these plans) and no nested loops (the planner cannot count the rows of grouped CTEs and would
# loop over hundreds of thousands of rows for each of as many): for the statement only.
TUNING = {"work_mem": "256MB", "jit": "off", "enable_nestloop": "off"}


@contextmanager
def aggregation():
    """A transaction (or savepoint) for one big aggregating read, tuned on PostgreSQL; the
    settings are put back after it."""
    with transaction.atomic():
        if not is_postgres():
            yield
            return
        names = list(TUNING)
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
            before = cursor.fetchone()
            for name, value in TUNING.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for name, value in zip(names, before, strict=True):
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
