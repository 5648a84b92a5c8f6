"""The manager's dashboard over two years of a big company's facts: 1,000,000 order lines
(200,000 orders of 5 lines on average) over 730 days, 20,000 customers, 10,000 products,
5 warehouses.

Prints, for a month, a quarter and a year (each against the period before):
``integration.insights.figures.dashboard`` time (median and max of 20 runs) and its number of
queries, and next to it the dashboard page's (``GET /insights/`` through ``django.test.Client``
signed in as a manager: the figures, the template and the middleware) — aim < 300 ms, the same
number of queries whatever the size; the manager's home page (the headline figures of the month
with the approvals); then the time of ``facts_rebuild`` (every fact recomputed from the
documents).

What is written (``bulk_create``, a few minutes at full size on SQLite):
- the facts directly, as the events would have left them: one ``OrderFact`` per order and one
  ``ShipmentFact`` per shipment, ``SalesDay`` per day × rep (20 reps), ``StockDay`` per day ×
  warehouse, ``CashDay``, ``ReceiptDay`` per day × supplier, ``TicketDay``, ``SurveyDay`` —
  the documents behind a million order lines would take far longer to write than the bench
  runs, and the dashboard never reads them;
- what the dashboard's current-state selectors read, at full size: the 20,000 customers with
  30,000 open invoices (receivables aging), 2,000 open bills (payables aging), 10,000 products
  with stock in the 5 warehouses (slow movers: recorded once, as the nightly refresh does, and
  timed), 5,000 opportunities (funnel, conversion);
- for the rebuild, real documents at a smaller size (``BENCH_REBUILD_LINES`` order lines, 50,000
  by default): orders and lines, shipped shipments with their lines and ledger moves; the
  rebuild's time per 10,000 order lines is printed with it.

``python bench/bench_dashboard.py`` — SQLite by default (a fresh file in /tmp), or PostgreSQL
with ``DATABASE_URL`` (the bench makes a database of its own next to it, ``<name>_dashboard``).
``BENCH_SCALE=0.05`` for a quick run (every size × 0.05).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
DB_FILE = Path("/tmp/tandem_bench_dashboard.sqlite3")


def _fresh_database() -> None:
    """A fresh SQLite file, or on PostgreSQL a database of its own next to ``DATABASE_URL``'s
    (``<name>_dashboard``, dropped and created again), so that a run never meets an earlier
    one's rows nor another benchmark's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
        return
    import psycopg

    base, _slash, name = url.rpartition("/")
    name = name.split("?")[0] + "_dashboard"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"


_fresh_database()

import django  # noqa: E402

django.setup()


from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_world import (  # noqa: E402
    CITIES,
    CUSTOMERS,
    DAYS,
    LINES,
    PRODUCTS,
    REBUILD_LINES,
    RUNS,
    say,
    setup_base,
    setup_documents,
    setup_facts,
    setup_receivables,
)


def measure(manager, params: dict) -> tuple[float, float, int]:
    from integration.insights.figures import dashboard
    from integration.insights.periods import period_from_params

    period, previous = period_from_params(params, today=timezone.localdate())
    dashboard(user=manager, period=period, previous=previous)  # warm, as the page is
    times = []
    queries = 0
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            dashboard(user=manager, period=period, previous=previous)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return statistics.median(times), max(times), queries


def measure_page(client, url: str) -> tuple[float, float, str]:
    """A page's time (median and max of ``RUNS`` requests, after one to warm up) and its queries
    (the fewest and most of the runs: the session middleware writes now and then). Over HTTPS,
    as behind the production proxy (plain HTTP is redirected)."""
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    times, counts = [], []
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(captured))
    low, high = min(counts), max(counts)
    return statistics.median(times), max(times), str(low) if low == high else f"{low}–{high}"


def main() -> None:
    say(
        f"bench_dashboard: {LINES:,} order lines over {DAYS} days, {CUSTOMERS:,} customers, "
        f"{PRODUCTS:,} products, {len(CITIES)} warehouses; {connection.vendor}"
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        manager, reps, warehouses, customers, products, suppliers = setup_base()
        setup_receivables(customers, suppliers)
        setup_facts(reps, warehouses, suppliers)
    from integration.insights.facts import fact_counts

    counts = fact_counts()
    say(
        f"written in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from integration.insights.facts import slow_movers_snapshot

    started = time.perf_counter()
    slow_movers_snapshot()
    say(f"slow movers recorded (the nightly refresh's step): {(time.perf_counter() - started) * 1000:.0f} ms")
    from urllib.parse import urlencode

    from django.test import Client

    client = Client()
    client.force_login(manager)
    say(f"median and max of {RUNS} runs")
    for params in (
        {"period": "month"},
        {"period": "quarter"},
        {"period": "year", "at": str(timezone.localdate().year - 1)},
    ):
        median, worst, queries = measure(manager, params)
        say(
            f"dashboard() {params['period']:7s}: median {median:6.0f} ms, max {worst:6.0f} ms, "
            f"{queries} queries"
        )
        median, worst, queries = measure_page(client, f"/insights/?{urlencode(params)}")
        say(
            f"  page      {params['period']:7s}: median {median:6.0f} ms, max {worst:6.0f} ms, "
            f"{queries} queries (GET /insights/)"
        )
    median, worst, queries = measure_page(client, "/")
    say(f"manager's home page   : median {median:6.0f} ms, max {worst:6.0f} ms, {queries} queries")

    from integration.insights.facts import facts_rebuild

    started = time.perf_counter()
    with transaction.atomic():
        setup_documents(reps, warehouses, customers, products)
    say(f"rebuild documents: {REBUILD_LINES:,} order lines written in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    counts = facts_rebuild()
    seconds = time.perf_counter() - started
    say(
        f"facts_rebuild: {seconds:.1f} s for {REBUILD_LINES:,} order lines "
        f"({seconds * 10000 / REBUILD_LINES:.2f} s per 10,000 lines): "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
