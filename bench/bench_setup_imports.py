"""The set-up imports of a new trading company, without a browser, on a company with the trade
template applied: each kind's template file filled with the rows of ``tests/company_files.py``
(200 customers with a primary contact, 20 suppliers, 500 products with a box unit, their opening
stock in 2 warehouses — 1,000 rows — and 100 opening receivables), read, checked and written
through ``core.tabular.import_run`` as the wizard's import steps do (the check is the preview's
dry run; the import checks again and writes every row in one transaction, as the confirmed task
does). Progress callbacks and the task's bookkeeping are left out.

Printed per kind: rows, the file's read time (``read_rows`` of the filled template), the check's
time, the import's time (check and write), and the rows written per second. The aim is every
import under 30 s.

    .venv/bin/python bench/bench_setup_imports.py
    BENCH_CUSTOMERS=200 BENCH_PRODUCTS=500 BENCH_RECEIVABLES=100 (defaults)

It always runs on a fresh SQLite file, var/bench_setup_imports.sqlite3, migrated each run (the
embedded default; DATABASE_URL is not used): the imports only add, so a second run on the same
data, or on a database other benchmarks filled, would be refused as duplicates. Set
BENCH_SETUP_DATABASE_URL to an empty database of your own to measure another.
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
SQLITE = ROOT / "var" / "bench_setup_imports.sqlite3"
if os.environ.get("BENCH_SETUP_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_SETUP_DATABASE_URL"]
else:
    SQLITE.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "200"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "500"))
RECEIVABLES = int(os.environ.get("BENCH_RECEIVABLES", "100"))
SUPPLIERS = 20
WAREHOUSES = ("BJ", "SH")
AIM_SECONDS = 30


class Upload(io.BytesIO):
    """A file as a form hands it over (``read_rows`` reads its name and size)."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


def admin():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import ADMIN

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    user.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
    return user


def trade_template(actor) -> int:
    """The trade template, as the wizard's template step applies it: the company's units (the
    products' units are checked against them) and its warehouses (BJ and SH hold the opening
    stock). The number of things it added."""
    from integration.setup import industry

    return len(industry.template_apply(key="trade", actor=actor))


def main():
    from core import imports, tabular
    from tests.company_files import company_rows, filled_template

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - start
    actor = admin()
    added = trade_template(actor)
    data = company_rows(
        today=timezone.localdate(),
        customers_n=CUSTOMERS,
        suppliers_n=SUPPLIERS,
        products_n=PRODUCTS,
        warehouses=WAREHOUSES,
        receivables_n=RECEIVABLES,
    )
    print(
        f"Set-up imports on {django.db.connection.vendor} (migrated in {migrated:.1f} s; "
        f"the trade template added {added} things)"
    )
    print(f"{'kind':<22}{'rows':>6}{'read s':>9}{'check s':>9}{'import s':>10}{'rows/s':>9}")
    results = []
    for kind, rows in data.items():
        spec = imports.SPECS[kind]
        upload = Upload(filled_template(spec, rows), f"{kind}.xlsx")
        t0 = time.perf_counter()
        header, table = tabular.read_rows(upload)
        t1 = time.perf_counter()
        checked = tabular.import_run(spec, header, table, actor=actor, dry_run=True)
        t2 = time.perf_counter()
        if not checked.ok:
            raise SystemExit(f"{kind}: the check found errors: {checked.errors[:5]}")
        done = tabular.import_run(spec, header, table, actor=actor, dry_run=False)
        t3 = time.perf_counter()
        if not done.ok:
            raise SystemExit(f"{kind}: the import failed: {done.errors[:5]}")
        results.append((kind, len(rows), t1 - t0, t2 - t1, t3 - t2))
        print(
            f"{kind:<22}{len(rows):>6}{t1 - t0:>9.2f}{t2 - t1:>9.2f}{t3 - t2:>10.2f}"
            f"{len(rows) / (t3 - t2):>9.0f}"
        )
    total = sum(r[2] + r[3] + r[4] for r in results)
    slowest = max(results, key=lambda r: r[2] + r[3] + r[4])
    print(
        f"{'total':<22}{sum(r[1] for r in results):>6}{sum(r[2] for r in results):>9.2f}"
        f"{sum(r[3] for r in results):>9.2f}{sum(r[4] for r in results):>10.2f}"
    )
    verdict = "met" if slowest[2] + slowest[3] + slowest[4] < AIM_SECONDS else "MISSED"
    print(
        f"Slowest: {slowest[0]}, {slowest[2] + slowest[3] + slowest[4]:.1f} s read, checked and imported "
        f"(aim: every import under {AIM_SECONDS} s: {verdict}); all kinds {total:.1f} s."
    )


if __name__ == "__main__":
    main()
