"""DESIGN: ``select_for_update`` locks only the rows it means. On PostgreSQL a plain ``FOR UPDATE``
locks a row of every table the query joins (a ``select_related`` warehouse, a customer), and
the foreign-key checks of concurrent writes then wait on it — a deadlock waiting to happen. A
query that locks and joins must name what it locks (``select_for_update(of=("self",))``).

``install()`` watches every query the ORM compiles, on any database (SQLite too: the query still
carries its lock request), and keeps the ones that lock without ``of=`` while joining;
``tests/conftest.py`` fails the test that made one. ``joins_without_of`` reads the source for the
same mistake in code no test runs."""

import ast
from pathlib import Path

from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.datastructures import Join

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("config", "core", "crm", "scm", "finance", "integration")

found: list[str] = []


def locking_join(query) -> list[str]:
    """The tables a locking query joins without naming what it locks (empty when it is fine)."""
    if not query.select_for_update or query.select_for_update_of:
        return []
    return [
        join.table_name
        for alias, join in query.alias_map.items()
        if isinstance(join, Join) and query.alias_refcount.get(alias, 0) > 0
    ]


def install() -> None:
    """Watch the FROM clause of every compiled query (where the joins it uses are known)."""
    if getattr(SQLCompiler.get_from_clause, "_row_lock_guard", False):
        return
    original = SQLCompiler.get_from_clause

    def get_from_clause(self):
        joined = locking_join(self.query)
        if joined:
            found.append(
                f"select_for_update() without of= on {self.query.model._meta.label} joins {', '.join(joined)}"
            )
        return original(self)

    get_from_clause._row_lock_guard = True
    SQLCompiler.get_from_clause = get_from_clause


def joins_without_of() -> list[str]:
    """``file:line`` of every ``select_for_update()`` without ``of=`` in a chain that also calls
    ``select_related`` (the common way to join by accident), in the project's source."""
    problems = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            seen: set[int] = set()
            for node in ast.walk(tree):  # outer calls come before the calls they chain on
                if not isinstance(node, ast.Call) or id(node) in seen:
                    continue
                chain = _chain(node)
                seen.update(id(c) for c in chain)
                locks = [c for c in chain if _name(c) == "select_for_update"]
                if not locks or not any(_name(c) == "select_related" for c in chain):
                    continue
                if not any(k.arg == "of" for c in locks for k in c.keywords):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return sorted(set(problems))


def _name(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _chain(call: ast.Call) -> list[ast.Call]:
    """The calls of a method chain ``a.b(…).c(…).d(…)``, outermost first."""
    calls = []
    node = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls
